import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { isConflict } from './api-error.ts';
import { type Clock, systemClock } from './clock.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.ts';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';
import { type LeaderElectionMetrics, leaderElectionMetrics } from './metrics.ts';
import { formatMicroTime } from './micro-time.ts';

/** StoppedLeadingReason says why leadership ended: `lost` (renewal failed or taken over) or `stopped` (stop() called). */
export type StoppedLeadingReason = 'lost' | 'stopped';

/** LeaderElectionOptions configure a LeaderElector; durations default to controller-runtime's. */
export interface LeaderElectionOptions {
  store: LeaseStore;
  /** Unique per process; defaults to defaultIdentity(). */
  identity?: string;
  /** How long a lease is valid without renewal: others take over after it. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. Default 10 s (must be < leaseDurationMs). */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Acquire attempts wait retryPeriod × (1 + jitter × random): client-go's JitterFactor 1.2. */
  jitter?: number;
  onStartedLeading?: () => void;
  /**
   * onStoppedLeading is called once when leadership ends. On `lost` the
   * process must exit at once (as controller-runtime does): another replica
   * may already be acting as leader.
   */
  onStoppedLeading?: (reason: StoppedLeadingReason) => void;
  /** onNewLeader is called when the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  random?: () => number;
  registry?: Registry;
  logger?: KubeLogger;
}

/** defaultIdentity is the hostname (the pod name in a cluster) plus a random suffix, as controller-runtime's. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(8).toString('hex')}`;
}

class AttemptTimeout extends Error {}

/**
 * LeaderElector is client-go's leader election over a coordination.k8s.io/v1
 * Lease (resourcelock.LeaseLock):
 *
 * - candidates try every retryPeriod (jittered); a lease is free when it does
 *   not exist, has no holder, or its record has not changed for
 *   leaseDurationSeconds as measured on the candidate's own clock (so clock
 *   skew between nodes does not matter);
 * - writes carry the resourceVersion read, so of two racing candidates one
 *   gets 409 Conflict and loses;
 * - the leader renews every retryPeriod and gives up when it could not renew
 *   within renewDeadline, or at once when it sees another holder;
 * - acquireTime/renewTime are MicroTime, leaseTransitions grows on every
 *   change of holder;
 * - `stop()` releases the lease (holder '', leaseDurationSeconds 1) so a
 *   successor takes over on its next attempt instead of waiting 15 s.
 */
export class LeaderElector {
  readonly identity: string;
  private readonly store: LeaseStore;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly jitter: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: KubeLogger;
  private readonly metrics: LeaderElectionMetrics;
  private readonly callbacks: Pick<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader'>;
  private observed: StoredLease | undefined;
  private observedAt = 0;
  private leading = false;
  private running = false;
  private lastRenewAt = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private attempt: Promise<void> = Promise.resolve();
  private reportedLeader = '';

  constructor(options: LeaderElectionOptions) {
    this.store = options.store;
    this.identity = options.identity ?? defaultIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.jitter = options.jitter ?? 1.2;
    if (this.renewDeadlineMs >= this.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? defaultKubeLogger();
    this.metrics = leaderElectionMetrics(options.registry);
    this.callbacks = options;
    this.metrics.masterStatus.set({ name: this.store.describe() }, 0);
  }

  /** run starts campaigning in the background; leadership is reported through the callbacks. */
  run(): void {
    if (this.running) return;
    this.running = true;
    this.logger.info({ lease: this.store.describe(), identity: this.identity }, 'Leader election started');
    this.schedule(0);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** leader is the holder last observed in the lease ('' when unknown or released). */
  leader(): string {
    return this.observed?.record.holderIdentity ?? '';
  }

  /** lastRenewTime is when this process last renewed (or acquired) the lease, on its clock. */
  lastRenewTime(): number {
    return this.lastRenewAt;
  }

  /**
   * stop ends campaigning. When leading it releases the lease (unless
   * `release: false`, which simulates a crash in tests) and calls
   * onStoppedLeading('stopped').
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.attempt;
    const wasLeading = this.leading;
    if (options.release ?? true) await this.release();
    if (wasLeading) this.stepDown('stopped');
  }

  /** release gives the lease up so that a successor acquires it at once; true when written. */
  async release(): Promise<boolean> {
    if (this.observed?.record.holderIdentity !== this.identity) return false;
    const now = formatMicroTime(this.clock.now());
    const record: LeaseRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observed.record.leaseTransitions,
    };
    try {
      this.observe(await this.withTimeout(this.store.update(record, this.observed.resourceVersion), this.renewDeadlineMs));
      this.logger.info({ lease: this.store.describe(), identity: this.identity }, 'Lease released');
      return true;
    } catch (err) {
      this.logger.warn({ lease: this.store.describe(), identity: this.identity, error: errorMessage(err) }, 'Lease release failed');
      return false;
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt = this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    // The renewal counts from when it was sent, not when it was answered: conservative for the leader.
    const attemptStart = this.clock.now();
    let acquired = false;
    try {
      const deadline = this.leading
        ? Math.max(1, this.lastRenewAt + this.renewDeadlineMs - this.clock.now())
        : this.renewDeadlineMs;
      acquired = await this.withTimeout(this.tryAcquireOrRenew(), deadline);
    } catch (err) {
      const fields = { lease: this.store.describe(), identity: this.identity, error: errorMessage(err) };
      if (this.leading) this.logger.warn(fields, 'Lease renewal failed');
      else this.logger.debug(fields, 'Lease acquisition failed');
    }
    if (!this.running) return;
    const now = this.clock.now();
    if (acquired) {
      this.lastRenewAt = attemptStart;
      if (!this.leading) {
        this.leading = true;
        this.metrics.masterStatus.set({ name: this.store.describe() }, 1);
        this.logger.info({ lease: this.store.describe(), identity: this.identity }, 'Lease acquired');
        this.callbacks.onStartedLeading?.();
      }
      this.schedule(this.retryPeriodMs);
      return;
    }
    if (this.leading) {
      const takenOver = this.leader() !== '' && this.leader() !== this.identity;
      if (takenOver || now - this.lastRenewAt >= this.renewDeadlineMs) {
        this.running = false;
        this.logger.error(
          { lease: this.store.describe(), identity: this.identity, leader: this.leader(), sinceRenewMs: now - this.lastRenewAt },
          'Leadership lost',
        );
        this.stepDown('lost');
        return;
      }
      this.schedule(this.retryPeriodMs);
      return;
    }
    this.schedule(this.retryPeriodMs * (1 + this.jitter * this.random()));
  }

  private stepDown(reason: StoppedLeadingReason): void {
    this.leading = false;
    this.metrics.masterStatus.set({ name: this.store.describe() }, 0);
    this.callbacks.onStoppedLeading?.(reason);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const nowMicro = formatMicroTime(now);
    // Fast path (client-go >= 1.27): the leader renews with the resourceVersion
    // it wrote last, without reading first; on a conflict, read and retry.
    if (this.leading && this.observed?.record.holderIdentity === this.identity) {
      try {
        const renewed = { ...this.observed.record, renewTime: nowMicro, leaseDurationSeconds: this.leaseSeconds() };
        this.observe(await this.store.update(renewed, this.observed.resourceVersion));
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }

    const current = await this.store.get();
    if (!current) {
      const record: LeaseRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseSeconds(),
        acquireTime: nowMicro,
        renewTime: nowMicro,
        leaseTransitions: 0,
      };
      return this.write(() => this.store.create(record));
    }
    this.observe(current);
    const holder = current.record.holderIdentity;
    const validForMs = (current.record.leaseDurationSeconds || this.leaseSeconds()) * 1000;
    if (holder !== '' && holder !== this.identity && this.observedAt + validForMs > now) return false;

    const mine = holder === this.identity;
    const record: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds(),
      acquireTime: mine ? current.record.acquireTime : nowMicro,
      renewTime: nowMicro,
      leaseTransitions: mine ? current.record.leaseTransitions : current.record.leaseTransitions + 1,
    };
    return this.write(() => this.store.update(record, current.resourceVersion));
  }

  private async write(op: () => Promise<StoredLease>): Promise<boolean> {
    try {
      this.observe(await op());
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // someone else wrote first: they won this round
      throw err;
    }
  }

  /** observe records the lease as read; observedAt restarts only when the record changed (client-go's observedTime). */
  private observe(lease: StoredLease): void {
    const before = this.observed?.record;
    const r = lease.record;
    const changed =
      !before ||
      before.holderIdentity !== r.holderIdentity ||
      before.renewTime !== r.renewTime ||
      before.acquireTime !== r.acquireTime ||
      before.leaseTransitions !== r.leaseTransitions ||
      before.leaseDurationSeconds !== r.leaseDurationSeconds;
    this.observed = lease;
    if (changed) this.observedAt = this.clock.now();
    if (r.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = r.holderIdentity;
      if (r.holderIdentity !== '') {
        this.logger.info({ lease: this.store.describe(), identity: this.identity, leader: r.holderIdentity }, 'New leader observed');
        this.callbacks.onNewLeader?.(r.holderIdentity);
      }
    }
  }

  private leaseSeconds(): number {
    return Math.ceil(this.leaseDurationMs / 1000);
  }

  private withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new AttemptTimeout(`lease request timed out after ${ms} ms`)), ms);
      promise.then(
        (value) => {
          this.clock.clearTimeout(timer);
          resolve(value);
        },
        (err) => {
          this.clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}
