import type { KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from './clock.ts';
import type { Controller } from './controller.ts';
import { type HealthServer, startHealthServer } from './health.ts';
import type { ResilientInformer } from './informer.ts';
import { LeaderElector, type LeaderElectionOptions, type StoppedLeadingReason } from './leader-election.ts';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';

/** ManagerLeaderElection is the leader-election part of ManagerOptions (the store names the Lease). */
export type ManagerLeaderElection = Omit<
  LeaderElectionOptions,
  'onStartedLeading' | 'onStoppedLeading' | 'clock' | 'registry' | 'logger'
>;

/** ManagerOptions configure a Manager. */
export interface ManagerOptions {
  /** Lease to campaign for; false runs the controllers at once (a single replica, tests). */
  leaderElection: ManagerLeaderElection | false;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one, false serves none. Default 8081. */
  healthPort?: number | false;
  healthHost?: string;
  /** How long stop() waits for in-flight reconciles before giving up on them. Default 30 s (controller-runtime's). */
  gracefulShutdownMs?: number;
  /** Called when leadership is lost. Default: exit(1) at once, as controller-runtime does: another replica may be leading already. */
  onLostLeadership?: () => void;
  /** Install SIGTERM/SIGINT handlers that stop() and then exit(0); a second signal exits(1) at once. Default false. */
  handleSignals?: boolean;
  registry?: Registry;
  clock?: Clock;
  logger?: KubeLogger;
}

type ManagerState = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * Manager is controller-runtime's manager: it owns the informers and
 * controllers, starts the informers at once (so a standby replica has warm
 * caches and reports ready), and starts the controllers only after winning
 * the leader election and after their informers synced. It serves /healthz,
 * /readyz (ready once every informer synced, on standbys too, so a rolling
 * update proceeds) and /metrics.
 *
 * stop() shuts down gracefully: the queues stop handing out keys, in-flight
 * reconciles get up to gracefulShutdownMs, then the lease is released (so the
 * successor starts only after this replica's last write), the informers stop
 * and the health server closes. Losing the lease instead calls
 * onLostLeadership, which by default exits the process.
 */
export class Manager {
  private readonly options: ManagerOptions;
  private readonly clock: Clock;
  private readonly logger: KubeLogger;
  private readonly informers = new Set<ResilientInformer<KubernetesObject>>();
  private readonly controllers: Controller[] = [];
  private readonly elector: LeaderElector | undefined;
  private readonly leaseDurationMs: number = 15_000;
  private health: HealthServer | undefined;
  private state: ManagerState = 'new';
  private leading = false;
  private stopping: Promise<void> | undefined;
  private resolveDone!: () => void;
  /** done resolves once the manager has stopped. */
  readonly done: Promise<void>;

  constructor(options: ManagerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? defaultKubeLogger();
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (options.leaderElection) {
      this.leaseDurationMs = options.leaderElection.leaseDurationMs ?? 15_000;
      this.elector = new LeaderElector({
        ...options.leaderElection,
        clock: this.clock,
        registry: options.registry,
        logger: this.logger,
        onStartedLeading: () => this.onStartedLeading(),
        onStoppedLeading: (reason) => this.onStoppedLeading(reason),
      });
    }
  }

  /** identity is this replica's leader-election identity (undefined without leader election). */
  get identity(): string | undefined {
    return this.elector?.identity;
  }

  /** addInformer registers an informer to start with the manager. */
  addInformer<T extends KubernetesObject>(informer: ResilientInformer<T>): void {
    this.informers.add(informer as unknown as ResilientInformer<KubernetesObject>);
    if (this.state === 'running') informer.start();
  }

  /** addController registers a controller (and the informers it watches), started once leading. */
  addController(controller: Controller): void {
    this.controllers.push(controller);
    for (const informer of controller.watchedInformers()) this.addInformer(informer);
    if (this.state === 'running' && this.leading) void this.startControllers();
  }

  /** isLeader is true while this replica runs the controllers. */
  isLeader(): boolean {
    return this.leading;
  }

  /** hasSynced is true once every informer completed its first list. */
  hasSynced(): boolean {
    for (const i of this.informers) if (!i.hasSynced()) return false;
    return true;
  }

  /** healthPort is the port the health server listens on, once started. */
  healthPort(): number | undefined {
    return this.health?.port;
  }

  /** start serves the probes, starts the informers and campaigns (or starts the controllers without election). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('manager: start() may only be called once');
    this.state = 'running';
    if (this.options.healthPort !== false) {
      this.health = await startHealthServer({
        port: this.options.healthPort ?? 8081,
        host: this.options.healthHost,
        registry: this.options.registry,
        logger: this.logger,
      });
      this.health.addReadyCheck('informers', () => {
        const pending = [...this.informers].filter((i) => !i.hasSynced()).map((i) => i.resource);
        return pending.length === 0 ? undefined : `not synced: ${pending.join(', ')}`;
      });
      this.health.addHealthCheck('leader-election', () => this.leaderElectionHealth());
    }
    if (this.options.handleSignals) this.installSignalHandlers();
    for (const informer of this.informers) informer.start();
    this.logger.info(
      { informers: this.informers.size, controllers: this.controllers.length, identity: this.identity },
      'Manager started',
    );
    if (this.elector) this.elector.run();
    else this.onStartedLeading();
  }

  /** stop shuts down gracefully (see the class comment); calling it again returns the same promise. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private onStartedLeading(): void {
    if (this.state !== 'running') return;
    this.leading = true;
    void this.startControllers();
  }

  private async startControllers(): Promise<void> {
    await Promise.all([...this.informers].map((i) => i.waitForSync()));
    if (this.state !== 'running' || !this.leading) return;
    for (const c of this.controllers) c.start();
  }

  private onStoppedLeading(reason: StoppedLeadingReason): void {
    const wasLeading = this.leading;
    this.leading = false;
    if (reason !== 'lost' || this.state !== 'running') return;
    this.logger.error({ identity: this.identity, wasLeading }, 'Leader election lost, exiting');
    for (const c of this.controllers) void c.stop();
    (this.options.onLostLeadership ?? (() => process.exit(1)))();
  }

  private leaderElectionHealth(): string | undefined {
    const elector = this.elector;
    if (!elector?.isLeader()) return undefined;
    const leaseMs = this.leaseDurationMs;
    const since = this.clock.now() - elector.lastRenewTime();
    // client-go's HealthzAdaptor: unhealthy when the leader has not renewed for lease duration + 20 s.
    return since > leaseMs + 20_000 ? `lease not renewed for ${Math.round(since / 1000)} s` : undefined;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      this.resolveDone();
      return;
    }
    this.state = 'stopping';
    const started = this.clock.now();
    this.logger.info({ identity: this.identity }, 'Manager stopping');
    const timeoutMs = this.options.gracefulShutdownMs ?? 30_000;
    let deadline: unknown;
    const drained = await Promise.race([
      Promise.all(this.controllers.map((c) => c.stop())).then(() => true),
      new Promise<boolean>((resolve) => {
        deadline = this.clock.setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    this.clock.clearTimeout(deadline);
    if (!drained) {
      const inFlight = this.controllers.reduce((n, c) => n + c.queue.processingCount(), 0);
      this.logger.warn({ timeoutMs, inFlight }, 'Graceful shutdown timed out, abandoning in-flight reconciles');
    }
    try {
      await this.elector?.stop({ release: true });
    } catch (err) {
      this.logger.warn({ error: errorMessage(err) }, 'Lease release failed');
    }
    this.leading = false;
    await Promise.all([...this.informers].map((i) => i.stop()));
    await this.health?.close();
    this.state = 'stopped';
    this.logger.info({ identity: this.identity, durationMs: Math.round(this.clock.now() - started) }, 'Manager stopped');
    this.resolveDone();
  }

  private installSignalHandlers(): void {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        this.logger.warn({ signal }, 'Second signal, exiting now');
        process.exit(1);
      }
      signalled = true;
      this.logger.info({ signal }, 'Signal received, shutting down');
      this.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
