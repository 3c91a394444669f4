import type { Clock } from '../../operator/kube/clock.ts';

interface FakeTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/** flushAsync lets pending promise chains (fake API calls, awaits) run to completion. */
export async function flushAsync(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * FakeClock is a Clock for tests: time only moves when `advance` is called,
 * and timers fire in due order as it passes them, with pending promise chains
 * flushed between timers so async loops behave as they would in real time.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start = Date.UTC(2026, 10, 26, 11, 22, 33, 123)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = ++this.seq;
    this.timers.set(seq, { due: this.time + Math.max(0, ms), seq, fn });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** pending is the number of timers not yet fired. */
  pending(): number {
    return this.timers.size;
  }

  /** nextDue is when the earliest pending timer fires, or undefined. */
  nextDue(): number | undefined {
    return this.next(Number.POSITIVE_INFINITY)?.due;
  }

  /** advance moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushAsync();
    for (let timer = this.next(target); timer; timer = this.next(target)) {
      this.timers.delete(timer.seq);
      this.time = timer.due;
      timer.fn();
      await flushAsync();
    }
    this.time = target;
    await flushAsync();
  }

  private next(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
