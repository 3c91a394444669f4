import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, systemClock } from './clock.ts';

/** ClientLimits is the client-side request rate limit (client-go's rest.Config QPS and Burst). */
export interface ClientLimits {
  /** Sustained requests per second; 0 or less turns the limit off. */
  qps: number;
  /** Requests that may go at once after a quiet period. */
  burst: number;
}

/** DEFAULT_CLIENT_LIMITS are controller-runtime's defaults (and kube-controller-manager's --kube-api-qps/--kube-api-burst). */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { qps: 20, burst: 30 };

/** Priority of a request waiting for a token: events wait behind everything else. */
export type RequestPriority = 'normal' | 'low';

/**
 * ClientRateLimiter is client-go's token-bucket flowcontrol.RateLimiter:
 * `burst` requests go at once, then they are spaced at `qps` per second.
 * wait() resolves when the caller may send its request, first come first
 * served within a priority; `low` requests (events) get a token only when no
 * `normal` one waits, so under throttling the objects and statuses users wait
 * for go first and events follow (client-go records events asynchronously,
 * off the reconcile path, too). Every request still takes a token.
 */
export class ClientRateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  private readonly queues: Record<RequestPriority, (() => void)[]> = { normal: [], low: [] };
  private timer: unknown;
  private waitedMs = 0;

  constructor(limits: ClientLimits, clock: Clock = systemClock) {
    this.qps = limits.qps;
    this.burst = Math.max(1, limits.burst);
    this.clock = clock;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** wait resolves once a token is available for a request of this priority. */
  wait(priority: RequestPriority = 'normal'): Promise<void> {
    this.refill();
    if (this.queues.normal.length === 0 && this.queues.low.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const since = this.clock.now();
    return new Promise((resolve) => {
      this.queues[priority].push(() => {
        this.waitedMs += this.clock.now() - since;
        resolve();
      });
      this.grant();
    });
  }

  /** throttledMs is the total time requests waited for a token (for tests and logs). */
  throttledMs(): number {
    return this.waitedMs;
  }

  /** waiting is how many requests wait for a token. */
  waiting(): number {
    return this.queues.normal.length + this.queues.low.length;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = Math.max(this.last, now);
  }

  private grant(): void {
    if (this.timer !== undefined) return;
    this.refill();
    while (this.tokens >= 1) {
      const next = this.queues.normal.shift() ?? this.queues.low.shift();
      if (!next) return;
      this.tokens -= 1;
      next();
    }
    if (this.waiting() === 0) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.grant();
      },
      Math.ceil(((1 - this.tokens) / this.qps) * 1000),
    );
  }
}

/** The parts of client-node's KubeConfig this module wraps; createDispatcher is private in its types. */
interface KubeConfigInternals {
  createDispatcher(cluster: unknown, agentOptions: unknown): unknown;
  createDispatcherOptions(cluster: unknown, agentOptions: unknown): unknown;
  applySecurityAuthentication(context: unknown): Promise<void>;
}

/**
 * isLeaseRequest: leader election's Lease requests skip the bucket, as client-go
 * gives leader election a client of its own; behind a throttled backlog a
 * renewal could otherwise miss its deadline and drop leadership.
 */
function isLeaseRequest(context: unknown): boolean {
  const url = (context as { getUrl?: () => string }).getUrl?.() ?? '';
  return url.includes('/apis/coordination.k8s.io/');
}

/** isEventRequest: an Event write (events.k8s.io or core), which waits behind other requests. */
function isEventRequest(context: unknown): boolean {
  const url = (context as { getUrl?: () => string }).getUrl?.() ?? '';
  return /\/events(?:\/|$)/.test(new URL(url, 'http://localhost').pathname);
}

const CONFIGURED = Symbol.for('fluxora.kube-client-configured');

/** bufferSafeKey is a JSON key of dispatcher options with Buffers (CA, certificate, key) as base64, not number arrays. */
function dispatcherKey(options: unknown): string {
  return JSON.stringify(options, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : value;
  });
}

/**
 * configureClient tunes every request made through a KubeConfig (API clients
 * from makeApiClient, KubernetesObjectApi, watches) in place:
 *
 * - client-side rate limit: each request first waits for a token of one
 *   shared bucket, like client-go's rest.Config QPS/Burst (controller-runtime
 *   defaults 20/30), so the operator cannot flood the API server; reads,
 *   writes, list and watch calls and events all count (events wait behind
 *   the rest), Lease requests (leader election) do not;
 * - one connection pool: client-node 2.0 builds a new undici Agent for every
 *   request, so no connection is ever reused (a TLS handshake per request and
 *   a fresh TLS context in memory each time); the dispatcher is built once per
 *   distinct TLS settings and reused (a rotated client certificate gets a new
 *   one, and the old one is closed once its requests finish).
 *
 * Applying it twice to the same KubeConfig changes nothing. Returns the limiter
 * (undefined when off).
 */
export function configureClient(kc: KubeConfig, limits: ClientLimits = DEFAULT_CLIENT_LIMITS, clock: Clock = systemClock): ClientRateLimiter | undefined {
  const marked = kc as unknown as { [CONFIGURED]?: ClientRateLimiter | null };
  if (marked[CONFIGURED] !== undefined) return marked[CONFIGURED] ?? undefined;
  const internals = kc as unknown as KubeConfigInternals;
  const createDispatcher = internals.createDispatcher.bind(kc);
  let cached: { key: string; dispatcher: unknown } | undefined;
  internals.createDispatcher = (cluster, agentOptions) => {
    const key = dispatcherKey(internals.createDispatcherOptions(cluster, agentOptions));
    if (cached?.key === key) return cached.dispatcher;
    const previous = cached?.dispatcher as { close?: () => Promise<void> } | undefined;
    cached = { key, dispatcher: createDispatcher(cluster, agentOptions) };
    void previous?.close?.().catch(() => undefined);
    return cached.dispatcher;
  };
  const limiter = limits.qps > 0 ? new ClientRateLimiter(limits, clock) : undefined;
  if (limiter) {
    const authenticate = internals.applySecurityAuthentication.bind(kc);
    internals.applySecurityAuthentication = async (context) => {
      if (!isLeaseRequest(context)) await limiter.wait(isEventRequest(context) ? 'low' : 'normal');
      return authenticate(context);
    };
  }
  marked[CONFIGURED] = limiter ?? null;
  return limiter;
}
