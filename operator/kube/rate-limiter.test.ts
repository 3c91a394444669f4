import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.ts';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from './rate-limiter.ts';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from the base per key and caps at the maximum', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 21 }, () => l.when('ns/a'));
    expect(delays.slice(0, 6)).toEqual([5, 10, 20, 40, 80, 160]);
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s
    expect(delays[18]).toBe(1_000_000); // 1310.72 s capped at 1000 s
    expect(delays[20]).toBe(1_000_000);
    expect(l.numRequeues('ns/a')).toBe(21);
    expect(l.when('ns/b')).toBe(5);
  });

  it('starts again from the base after forget, and never overflows', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    for (let i = 0; i < 2000; i++) l.when('k');
    expect(l.when('k')).toBe(1_000_000);
    l.forget('k');
    expect(l.numRequeues('k')).toBe(0);
    expect(l.when('k')).toBe(5);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces retries at qps, and refills with time', async () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(10, 100, clock);
    for (let i = 0; i < 100; i++) expect(l.when(`k${i}`)).toBe(0);
    expect(l.when('k100')).toBeCloseTo(100);
    expect(l.when('k101')).toBeCloseTo(200);
    // 1 s refills 10 tokens, of which the two reservations above owe 2.
    await clock.advance(1000);
    const after = Array.from({ length: 9 }, (_, i) => l.when(`x${i}`));
    expect(after.slice(0, 8)).toEqual(Array(8).fill(0));
    expect(after[8]).toBeCloseTo(100);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is the max of per-key backoff and the overall bucket', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    expect([l.when('a'), l.when('a'), l.when('a')]).toEqual([5, 10, 20]);
    // Exhaust the bucket with other keys: the 101st retry waits for a token.
    for (let i = 0; i < 97; i++) l.when(`other${i}`);
    expect(l.when('b')).toBeCloseTo(100);
    expect(l.numRequeues('a')).toBe(3);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('MaxOf takes the longest delay', () => {
    const l = new MaxOfRateLimiter(
      { when: () => 3, forget() {}, numRequeues: () => 1 },
      { when: () => 7, forget() {}, numRequeues: () => 4 },
    );
    expect(l.when('k')).toBe(7);
    expect(l.numRequeues('k')).toBe(4);
  });
});
