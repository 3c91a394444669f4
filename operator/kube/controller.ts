import type { KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from './clock.ts';
import type { ResilientInformer } from './informer.ts';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';
import { type MapFunction, mapToSelf } from './map-functions.ts';
import { type ControllerMetrics, controllerMetrics } from './metrics.ts';
import { splitKey } from './object-key.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { isTerminalError } from './terminal-error.ts';
import { WorkQueue } from './work-queue.ts';

/** TerminalError (see terminal-error.ts) is re-exported so that reconcilers import everything from here. */
export { TerminalError } from './terminal-error.ts';

/**
 * ReconcileResult asks for another pass without an error: `requeueAfterMs`
 * after a fixed delay (polling something external, a schedule), `requeue`
 * through the rate limiter's backoff.
 */
export interface ReconcileResult {
  requeueAfterMs?: number;
  requeue?: boolean;
}

/**
 * Reconciler makes the world match one object, named by its `namespace/name`
 * key: it reads the whole current state (the object may be gone) and acts.
 * Throwing retries the key with backoff; throwing a TerminalError does not.
 */
export type Reconciler = (key: string) => Promise<ReconcileResult | undefined> | Promise<void>;

/** ControllerOptions configure a Controller. */
export interface ControllerOptions {
  /** Unique name: metrics label `controller` / `name`, logs. */
  name: string;
  reconcile: Reconciler;
  /** The kind it reconciles, for the `kind` log field. Defaults to the name. */
  kind?: string;
  /** Workers; one key is never reconciled by two at once. Default 1 (controller-runtime's default). */
  maxConcurrentReconciles?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  registry?: Registry;
  logger?: KubeLogger;
}

/** WatchOptions filter the events of one watch before they are mapped to keys. */
export interface WatchOptions<T> {
  /** Return false to ignore an event; `old` is set for updates (e.g. skip status-only updates by comparing generation). */
  predicate?: (obj: T, old?: T) => boolean;
}

interface WatchRegistration {
  attach(): void;
}

type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

/**
 * Controller is controller-runtime's controller: a named reconciler, a
 * rate-limited work queue and N workers. Watches map informer events to keys;
 * they are attached when the controller starts (after the manager won the
 * election), and an informer that already synced replays its cache, so every
 * existing object is reconciled once at start.
 */
export class Controller {
  readonly name: string;
  readonly kind: string;
  readonly queue: WorkQueue;
  readonly maxConcurrentReconciles: number;
  private readonly reconciler: Reconciler;
  private readonly clock: Clock;
  private readonly logger: KubeLogger;
  private readonly metrics: ControllerMetrics;
  private readonly watches: WatchRegistration[] = [];
  private readonly informers: ResilientInformer<KubernetesObject>[] = [];
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.kind = options.kind ?? options.name;
    this.reconciler = options.reconcile;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? defaultKubeLogger();
    this.metrics = controllerMetrics(options.registry);
    this.maxConcurrentReconciles = Math.max(1, options.maxConcurrentReconciles ?? 1);
    this.queue = new WorkQueue({
      name: this.name,
      clock: this.clock,
      rateLimiter: options.rateLimiter,
      registry: options.registry,
    });
    this.metrics.maxConcurrentReconciles.set({ controller: this.name }, this.maxConcurrentReconciles);
    this.metrics.activeWorkers.set({ controller: this.name }, 0);
  }

  /**
   * watch enqueues the keys `map` returns for every add, update, delete and
   * resync of `informer`'s objects; on an update both the new and the old
   * object are mapped (an owner reference may have changed). Default: the
   * object itself.
   */
  watch<T extends KubernetesObject>(
    informer: ResilientInformer<T>,
    map: MapFunction<T> = mapToSelf,
    options: WatchOptions<T> = {},
  ): void {
    const accept = options.predicate ?? (() => true);
    const enqueue = (...objs: T[]) => {
      const keys = new Set<string>();
      for (const obj of objs) for (const key of map(obj)) keys.add(key);
      for (const key of keys) this.queue.add(key);
    };
    this.informers.push(informer as unknown as ResilientInformer<KubernetesObject>);
    const registration: WatchRegistration = {
      attach: () =>
        informer.addHandler({
          onAdd: (obj) => accept(obj) && enqueue(obj),
          onUpdate: (obj, old) => {
            if (accept(obj, old)) enqueue(obj, old);
          },
          onDelete: (obj) => accept(obj) && enqueue(obj),
        }),
    };
    this.watches.push(registration);
    if (this.started) registration.attach();
  }

  /** watchedInformers are the informers this controller's watches read (the manager waits for them to sync). */
  watchedInformers(): readonly ResilientInformer<KubernetesObject>[] {
    return this.informers;
  }

  /** enqueue adds a key by hand (e.g. from a timer or a test). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** start attaches the watches and starts the workers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const w of this.watches) w.attach();
    this.workers = Array.from({ length: this.maxConcurrentReconciles }, () => this.work());
    this.logger.info({ controller: this.name, kind: this.kind, workers: this.maxConcurrentReconciles }, 'Controller started');
  }

  isStarted(): boolean {
    return this.started;
  }

  /** stop stops handing out keys and resolves once every in-flight reconcile finished. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    if (this.started) this.logger.info({ controller: this.name, kind: this.kind }, 'Controller stopped');
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.reconcileKey(key);
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const labels = { controller: this.name };
    const { namespace, name } = splitKey(key);
    const fields = { controller: this.name, kind: this.kind, namespace, name };
    this.metrics.activeWorkers.inc(labels);
    const started = this.clock.now();
    let outcome: ReconcileOutcome = 'success';
    try {
      const result = await this.reconciler(key);
      if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
        outcome = 'requeue_after';
        this.queue.forget(key);
        this.queue.addAfter(key, result.requeueAfterMs);
      } else if (result?.requeue) {
        outcome = 'requeue';
        this.queue.addRateLimited(key);
      } else {
        this.queue.forget(key);
      }
    } catch (err) {
      outcome = 'error';
      this.metrics.reconcileErrors.inc(labels);
      if (isTerminalError(err)) {
        this.metrics.terminalReconcileErrors.inc(labels);
        this.queue.forget(key);
        this.logger.error({ ...fields, error: errorMessage(err), terminal: true }, 'Reconcile failed');
      } else {
        this.queue.addRateLimited(key);
        this.logger.error({ ...fields, error: errorMessage(err), retries: this.queue.numRequeues(key) }, 'Reconcile failed');
      }
    } finally {
      this.metrics.reconcileTotal.inc({ controller: this.name, result: outcome });
      this.metrics.reconcileTime.observe(labels, (this.clock.now() - started) / 1000);
      this.metrics.activeWorkers.dec(labels);
      this.queue.done(key);
    }
  }
}
