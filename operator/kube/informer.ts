import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { isGone } from './api-error.ts';
import { type Clock, systemClock } from './clock.ts';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';
import { type InformerMetrics, informerMetrics } from './metrics.ts';
import { JsonObjectApi } from './object-api.ts';
import { keyOf, objectKey } from './object-key.ts';

/** ListWatchSource is what client-node's makeInformer returns (a ListWatch): events, start/stop and its cache. */
export type ListWatchSource<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/** ListWatchFactory makes a fresh ListWatch; called at start and whenever a full re-list is needed. */
export type ListWatchFactory<T extends KubernetesObject> = () => ListWatchSource<T>;

/** EventHandler receives an informer's changes; `onUpdate` also fires on every periodic resync (obj === old). */
export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  onDelete?(obj: T): void;
}

/**
 * TransformFunction trims an object before it is cached and handed to
 * handlers (controller-runtime's cache TransformFunc): drop what no controller
 * reads so a large cache stays small. It may change the object in place
 * (client-node's ListWatch holds the same reference, so only in-place changes
 * free memory there) and must keep metadata.name, namespace and
 * resourceVersion. It must be idempotent: a resync or re-list may pass an
 * object through it again.
 */
export type TransformFunction<T> = (obj: T) => T;

/** IndexFunction returns the index values of an object (e.g. the keys of the objects it references). */
export type IndexFunction<T> = (obj: T) => string[];

/** BackoffOptions shape the delay between restarts of a failed informer. */
export interface BackoffOptions {
  /** First delay; doubles on each consecutive failure. Default 1 s. */
  initialMs?: number;
  /** Cap. Default 30 s. */
  maxMs?: number;
  /** Fraction of the delay taken off at random, so that restarts of many informers spread. Default 0.2. */
  jitter?: number;
  /** A failure this long after the previous one starts again from initialMs. Default 2 min (client-go's reflector). */
  resetAfterMs?: number;
}

/** InformerOptions configure a ResilientInformer. */
export interface InformerOptions<T extends KubernetesObject> {
  /** Names the resource in metrics (`resource` label) and logs, e.g. `configmaps` or `trainingjobs.fluxora.io`. */
  resource: string;
  factory: ListWatchFactory<T>;
  clock?: Clock;
  /** Random source for the jitter (tests pass `() => 0`). */
  random?: () => number;
  registry?: Registry;
  logger?: KubeLogger;
  /** Period of the resync that replays every cached object to onUpdate; 0 disables. Default 10 min. */
  resyncMs?: number;
  backoff?: BackoffOptions;
  /** Applied to every listed or watched object before caching; see TransformFunction. */
  transform?: TransformFunction<T>;
}

interface Index<T> {
  fn: IndexFunction<T>;
  values: Map<string, Set<string>>;
}

/**
 * ResilientInformer is a shared-informer-style cache over client-node's
 * ListWatch that does not go deaf. client-node's ListWatch emits 'error' and
 * stops on most failures (an API server restart, a failed list, a network
 * error); this wrapper restarts it with jittered exponential backoff
 * (1 s doubling to 30 s), resuming the watch from the last resourceVersion, and
 * replaces it with a fresh ListWatch (a full re-list) after 410 Gone, diffing
 * the new list against its own cache so that objects deleted meanwhile are
 * reported as deletions and unchanged ones are not reported at all.
 *
 * It keeps its own cache (with optional indexes), reports `hasSynced()` once
 * the first list completed, replays every object to onUpdate every resync
 * period, and exports `fluxora_informer_restarts_total` and
 * `fluxora_informer_last_sync_timestamp_seconds`: alert on
 * `time() - fluxora_informer_last_sync_timestamp_seconds > 300` (client-node
 * re-establishes a quiet watch every 30 s, which refreshes the timestamp).
 */
export class ResilientInformer<T extends KubernetesObject> {
  readonly resource: string;
  private readonly factory: ListWatchFactory<T>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: KubeLogger;
  private readonly metrics: InformerMetrics;
  private readonly resyncMs: number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly transform: TransformFunction<T> | undefined;
  private readonly cache = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly syncWaiters: (() => void)[] = [];
  private source: ListWatchSource<T> | undefined;
  private running = false;
  private synced = false;
  private healthy = false;
  private failedSinceConnect = false;
  private relistPending = false;
  private failures = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private restartCount = 0;
  private restartTimer: unknown;
  private resyncTimer: unknown;

  constructor(options: InformerOptions<T>) {
    this.resource = options.resource;
    this.factory = options.factory;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? defaultKubeLogger();
    this.metrics = informerMetrics(options.registry);
    this.resyncMs = options.resyncMs ?? 10 * 60_000;
    this.transform = options.transform;
    this.backoff = {
      initialMs: options.backoff?.initialMs ?? 1000,
      maxMs: options.backoff?.maxMs ?? 30_000,
      jitter: options.backoff?.jitter ?? 0.2,
      resetAfterMs: options.backoff?.resetAfterMs ?? 120_000,
    };
  }

  /** start lists and watches in the background; errors are retried forever until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect(true);
    this.scheduleResync();
  }

  /** stop ends the watch and every timer; the cache is kept. */
  async stop(): Promise<void> {
    this.running = false;
    this.healthy = false;
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
    this.restartTimer = undefined;
    this.resyncTimer = undefined;
    const source = this.source;
    this.source = undefined;
    await source?.stop().catch(() => undefined);
  }

  /** hasSynced is true once the first list completed (and stays true, as client-go's HasSynced). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** waitForSync resolves once the first list completed. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** restarts is how many times the informer failed and was restarted. */
  restarts(): number {
    return this.restartCount;
  }

  /** get returns the cached object, or undefined ('' as namespace for cluster-scoped objects). */
  get(namespace: string, name: string): T | undefined {
    return this.cache.get(keyOf(namespace, name));
  }

  /** getByKey returns the cached object of a work-queue key. */
  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** list returns the cached objects, of one namespace or of all. */
  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    if (namespace === undefined) return all;
    return all.filter((o) => (o.metadata?.namespace ?? '') === namespace);
  }

  /**
   * addHandler subscribes to changes. As client-go's AddEventHandler, a handler
   * added after the informer synced first receives onAdd for every cached object.
   */
  addHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced) for (const obj of this.cache.values()) handler.onAdd?.(obj);
  }

  /** addIndex maintains an index of the cache by the values `fn` returns (client-go's indexers). */
  addIndex(name: string, fn: IndexFunction<T>): void {
    const index: Index<T> = { fn, values: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.cache) this.indexAdd(index, key, obj);
  }

  /** byIndex returns the cached objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.values.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  private async connect(relist: boolean): Promise<void> {
    if (!this.running) return;
    let source = this.source;
    if (relist || !source) {
      if (source) void source.stop().catch(() => undefined);
      source = this.factory();
      this.source = source;
      this.attach(source);
      this.relistPending = true;
    }
    this.failedSinceConnect = false;
    try {
      await source.start();
    } catch (err) {
      this.onError(source, err);
    }
    if (!this.running || source !== this.source || this.failedSinceConnect) return;
    if (this.relistPending) {
      this.prune(source);
      this.relistPending = false;
    }
    this.healthy = true;
    this.markAlive();
    if (!this.synced) {
      this.synced = true;
      this.logger.info({ resource: this.resource, objects: this.cache.size }, 'Informer synced');
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    } else {
      this.logger.info({ resource: this.resource, objects: this.cache.size }, 'Informer reconnected');
    }
  }

  private attach(source: ListWatchSource<T>): void {
    const current = () => source === this.source && this.running;
    source.on('add', (obj) => {
      if (current()) this.upsert(obj);
    });
    source.on('update', (obj) => {
      if (current()) this.upsert(obj);
    });
    source.on('delete', (obj) => {
      if (current()) this.remove(objectKey(obj), this.transform ? this.transform(obj) : obj);
    });
    source.on('connect', () => {
      if (current() && this.healthy) this.markAlive();
    });
    source.on('error', (err) => this.onError(source, err));
  }

  private onError(source: ListWatchSource<T>, err: unknown): void {
    if (!this.running || source !== this.source) return;
    this.failedSinceConnect = true;
    this.healthy = false;
    if (this.restartTimer !== undefined) return;
    const now = this.clock.now();
    if (now - this.lastFailureAt > this.backoff.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    const base = Math.min(this.backoff.initialMs * 2 ** this.failures, this.backoff.maxMs);
    this.failures++;
    const delayMs = Math.round(base * (1 - this.backoff.jitter * this.random()));
    const relist = isGone(err);
    this.restartCount++;
    this.metrics.restarts.inc({ resource: this.resource });
    this.logger.warn(
      { resource: this.resource, error: errorMessage(err), delayMs, relist, restarts: this.restartCount },
      'Informer failed, restarting',
    );
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.connect(relist);
    }, delayMs);
  }

  private upsert(received: T): void {
    this.markAlive();
    const obj = this.transform ? this.transform(received) : received;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.reindex(key, old, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(obj, old);
      else h.onAdd?.(obj);
    }
  }

  private remove(key: string, obj: T): void {
    this.markAlive();
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    this.reindex(key, old, undefined);
    for (const h of this.handlers) h.onDelete?.(obj);
  }

  /** prune drops cached objects a fresh list no longer has: they were deleted while we were not watching. */
  private prune(source: ListWatchSource<T>): void {
    const present = new Set(source.list().map(objectKey));
    for (const [key, obj] of [...this.cache]) {
      if (!present.has(key)) this.remove(key, obj);
    }
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const index of this.indexes.values()) {
      if (old) this.indexRemove(index, key, old);
      if (obj) this.indexAdd(index, key, obj);
    }
  }

  private indexAdd(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      let keys = index.values.get(value);
      if (!keys) {
        keys = new Set();
        index.values.set(value, keys);
      }
      keys.add(key);
    }
  }

  private indexRemove(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      const keys = index.values.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.values.delete(value);
    }
  }

  private markAlive(): void {
    this.metrics.lastSync.set({ resource: this.resource }, this.clock.now() / 1000);
  }

  private scheduleResync(): void {
    if (this.resyncMs <= 0 || !this.running) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      this.resyncTimer = undefined;
      if (this.synced) {
        for (const obj of [...this.cache.values()]) for (const h of this.handlers) h.onUpdate?.(obj, obj);
      }
      this.scheduleResync();
    }, this.resyncMs);
  }
}

/** KubeInformerOptions name a resource on a real API server; the rest is as InformerOptions. */
export interface KubeInformerOptions<T extends KubernetesObject> extends Omit<InformerOptions<T>, 'factory' | 'resource'> {
  kubeConfig: KubeConfig;
  /** `v1`, `apps/v1`, `fluxora.io/v1alpha1`, ... */
  apiVersion: string;
  /** The resource's plural name: `configmaps`, `trainingjobs`. */
  plural: string;
  /** Watch one namespace; all namespaces if omitted. */
  namespace?: string;
  /** Only objects matching this label selector (applied to both list and watch). */
  labelSelector?: string;
  /** Defaults to `plural` or `plural.group`. */
  resource?: string;
}

/** collectionPath is the URL path of a resource collection: `/api/v1/namespaces/ns/configmaps`. */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${root}/${plural}`;
}

/**
 * kubeInformer builds a ResilientInformer over client-node's makeInformer for
 * one resource. The list goes through JsonObjectApi, so listed and watched
 * objects have the same plain-JSON shape.
 */
export function kubeInformer<T extends KubernetesObject>(options: KubeInformerOptions<T>): ResilientInformer<T> {
  const { kubeConfig, apiVersion, plural, namespace, labelSelector, resource, ...rest } = options;
  const api = JsonObjectApi.fromKubeConfig(kubeConfig);
  const path = collectionPath(apiVersion, plural, namespace);
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return new ResilientInformer<T>({
    ...rest,
    resource: resource ?? (group ? `${plural}.${group}` : plural),
    factory: () => makeInformer<T>(kubeConfig, path, () => listInPages(api, path, labelSelector, rest.transform), labelSelector),
  });
}

/** LIST_PAGE_SIZE is how many objects one list request returns (client-go's reflector pages by 500 too). */
export const LIST_PAGE_SIZE = 500;

/**
 * listInPages lists a collection in pages of LIST_PAGE_SIZE (limit/continue,
 * one consistent snapshot) and trims each page as it arrives, so a large
 * collection is never held untrimmed all at once. Returns one list with the
 * snapshot's resourceVersion, from which the watch starts. An expired continue
 * token fails the list with 410 Gone, and the informer lists afresh.
 */
export async function listInPages<T extends KubernetesObject>(
  api: Pick<JsonObjectApi, 'getJson'>,
  path: string,
  labelSelector?: string,
  transform?: TransformFunction<T>,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let first: KubernetesListObject<T> | undefined;
  let token: string | undefined;
  do {
    const page = await api.getJson<KubernetesListObject<T>>(path, { labelSelector, limit: String(LIST_PAGE_SIZE), continue: token });
    first ??= page;
    for (const item of page.items ?? []) items.push(transform ? transform(item) : item);
    token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
  } while (token);
  return { ...first, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
}
