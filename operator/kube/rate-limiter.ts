import type { Clock } from './clock.ts';

/**
 * RateLimiter decides how long a key waits before it is retried, as
 * client-go's workqueue.RateLimiter: `when` records one more failure of the
 * key and returns the delay in milliseconds; `forget` clears the key's history
 * once it reconciled successfully.
 */
export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

/**
 * ItemExponentialFailureRateLimiter backs one key off exponentially:
 * base, 2·base, 4·base, ... capped at max (client-go's
 * ItemExponentialFailureRateLimiter).
 */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(baseMs: number, maxMs: number) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2^exp overflows to Infinity long after it passed max; min() handles both.
    return Math.min(this.baseMs * 2 ** exp, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * BucketRateLimiter is an overall token bucket shared by every key (Go's
 * rate.Limiter through client-go's BucketRateLimiter): `burst` retries pass at
 * once, then they are spaced at `qps` per second. Like rate.Limiter.Reserve,
 * each call takes a token even when the bucket is empty, so the returned
 * delays grow: 100 ms, 200 ms, ... at 10 qps.
 */
export class BucketRateLimiter implements RateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_key: string): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.qps);
    this.last = Math.max(this.last, now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** MaxOfRateLimiter asks every limiter and waits for the longest (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key));
    return delay;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}

/**
 * defaultControllerRateLimiter is client-go's DefaultControllerRateLimiter,
 * the one controller-runtime uses: per-key exponential backoff from 5 ms
 * doubling to 1000 s, and an overall bucket of 10 qps with a burst of 100,
 * whichever is longer.
 */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialFailureRateLimiter(5, 1_000_000),
    new BucketRateLimiter(10, 100, clock),
  );
}
