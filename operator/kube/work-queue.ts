import type { Registry } from 'prom-client';
import { type Clock, systemClock } from './clock.ts';
import { type WorkQueueMetrics, workQueueMetrics } from './metrics.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** WorkQueueOptions configure a WorkQueue; everything but the name has a default. */
export interface WorkQueueOptions {
  /** The controller's name: the `name` label of every workqueue_* metric. */
  name: string;
  clock?: Clock;
  /** Defaults to defaultControllerRateLimiter (5 ms..1000 s per key, 10 qps / burst 100 overall). */
  rateLimiter?: RateLimiter;
  /** Where the workqueue_* metrics go; prom-client's default registry if omitted. */
  registry?: Registry;
}

interface Delayed {
  readyAt: number;
  timer: unknown;
}

/**
 * WorkQueue is client-go's rate-limited delaying work queue of string keys
 * (`namespace/name`):
 *
 * - a key queued twice is queued once (the `dirty` set);
 * - a key being processed is never handed to a second worker (`processing`);
 *   if it is added meanwhile it is queued again when `done` is called;
 * - `addAfter` delays a key (RequeueAfter), keeping the earliest ready time;
 * - `addRateLimited` delays it by the rate limiter (backoff), `forget` resets it.
 *
 * Workers loop on `get()`, process the key, then call `done(key)`.
 * `shutDown()` stops handing out keys: unlike client-go, keys still queued are
 * dropped rather than drained, because reconciliation is level-based and
 * whichever process runs next re-lists everything; in-flight keys finish, and
 * `shutDownWithDrain()` waits for them.
 */
export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkQueueMetrics;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private wakeScheduled = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = workQueueMetrics(options.registry);
    this.metrics.depth.set({ name: this.name }, 0);
    this.metrics.track(this);
  }

  /** add queues `key` now unless it is already queued; a key being processed is re-queued when done. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.adds.inc({ name: this.name });
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** addAfter queues `key` once `ms` have passed; a key already waiting keeps the earlier time. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.metrics.retries.inc({ name: this.name });
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** addRateLimited queues `key` after the rate limiter's delay: one more failure of it. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** forget clears the failure history of `key` (call after it reconciled successfully). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** numRequeues is how many times `key` failed since it was last forgotten. */
  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * get resolves with the next key, waiting until one is queued, and marks it
   * as processing; it resolves with undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** done marks `key` processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (this.processing.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** len is the number of keys queued and ready (not processing, not delayed). */
  len(): number {
    return this.queue.length;
  }

  /** processingCount is the number of keys handed out and not yet done. */
  processingCount(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** shutDown stops the queue: no more adds, delayed keys are cancelled, waiting workers get undefined. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.addedAt.clear();
    this.metrics.depth.set({ name: this.name }, 0);
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
    this.metrics.untrack(this);
    this.metrics.unfinished.set({ name: this.name }, 0);
    this.metrics.longest.set({ name: this.name }, 0);
  }

  /** shutDownWithDrain shuts down and resolves once every in-flight key is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** unfinishedWorkSeconds sums how long every in-flight key has been processing. */
  unfinishedWorkSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const started of this.processing.values()) total += now - started;
    return total / 1000;
  }

  /** longestRunningProcessorSeconds is how long the oldest in-flight key has been processing. */
  longestRunningProcessorSeconds(): number {
    const now = this.clock.now();
    let longest = 0;
    for (const started of this.processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }

  private push(key: string): void {
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    this.queue.push(key);
    this.metrics.depth.inc({ name: this.name });
    if (this.waiters.length > 0 && !this.wakeScheduled) {
      // Hand out on the next microtask, not synchronously: adds of one tick
      // (an update mapping both new and old object to one key) coalesce first.
      this.wakeScheduled = true;
      queueMicrotask(() => this.wake());
    }
  }

  private wake(): void {
    this.wakeScheduled = false;
    while (this.waiters.length > 0 && this.queue.length > 0 && !this.shuttingDown) {
      const waiter = this.waiters.shift() as (key: string | undefined) => void;
      waiter(this.startProcessing(this.queue.shift() as string));
    }
  }

  private startProcessing(key: string): string {
    const now = this.clock.now();
    this.metrics.depth.set({ name: this.name }, this.queue.length);
    const added = this.addedAt.get(key);
    if (added !== undefined) this.metrics.queueDuration.observe({ name: this.name }, (now - added) / 1000);
    this.addedAt.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }
}
