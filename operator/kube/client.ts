import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, systemClock } from './clock.ts';
import { BucketRateLimiter } from './rate-limiter.ts';

/** ClientLimits is the client-side request rate limit (client-go's rest.Config QPS and Burst). */
export interface ClientLimits {
  /** Sustained requests per second; 0 or less turns the limit off. */
  qps: number;
  /** Requests that may go at once after a quiet period. */
  burst: number;
}

/** DEFAULT_CLIENT_LIMITS are controller-runtime's defaults (and kube-controller-manager's --kube-api-qps/--kube-api-burst). */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { qps: 20, burst: 30 };

/**
 * ClientRateLimiter is client-go's token-bucket flowcontrol.RateLimiter:
 * `burst` requests go at once, then they are spaced at `qps` per second.
 * wait() resolves when the caller may send its request; callers are served in
 * order, each reserving a token even when the bucket is empty (Go's
 * rate.Limiter.Wait).
 */
export class ClientRateLimiter {
  private readonly bucket: BucketRateLimiter;
  private readonly clock: Clock;
  private waitedMs = 0;

  constructor(limits: ClientLimits, clock: Clock = systemClock) {
    this.bucket = new BucketRateLimiter(limits.qps, Math.max(1, limits.burst), clock);
    this.clock = clock;
  }

  /** wait resolves once a token is available. */
  wait(): Promise<void> {
    const delayMs = this.bucket.when('');
    if (delayMs <= 0) return Promise.resolve();
    this.waitedMs += delayMs;
    return new Promise((resolve) => this.clock.setTimeout(resolve, delayMs));
  }

  /** throttledMs is the total time requests waited for a token (for tests and logs). */
  throttledMs(): number {
    return this.waitedMs;
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
 *   writes, list and watch calls and events all count, Lease requests
 *   (leader election) do not;
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
      if (!isLeaseRequest(context)) await limiter.wait();
      return authenticate(context);
    };
  }
  marked[CONFIGURED] = limiter ?? null;
  return limiter;
}
