import { describe, expect, it } from 'vitest';
import { type BatchOutputs, Batcher, type BatcherOptions, type BatchReport, type Scheduler } from './batcher.ts';
import { ServeError } from './errors.ts';

const N_INPUTS = 2;
const HORIZON = 3;

/** manualClock is a clock plus a scheduler that only fire when the test advances time. */
function manualClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const schedule: Scheduler = (fn, delayMs) => {
    const timer = { at: now + delayMs, fn, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  return {
    now: () => now,
    schedule,
    pending: () => timers.filter((t) => !t.cancelled).length,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => !t.cancelled && t.at <= now);
      timers = timers.filter((t) => !t.cancelled && t.at > now);
      for (const t of due) t.fn();
    },
  };
}

/** rowSums predicts, for every row, [sum, sum + 1, sum + 2] with bounds ± 1, and records each call's row count. */
function rowSums() {
  const calls: number[] = [];
  const predict = (X: Float32Array, n: number): BatchOutputs => {
    calls.push(n);
    const point = new Float32Array(n * HORIZON);
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let j = 0; j < N_INPUTS; j++) sum += X[r * N_INPUTS + j];
      for (let h = 0; h < HORIZON; h++) point[r * HORIZON + h] = sum + h;
    }
    return { point, lower: point.map((v) => v - 1), upper: point.map((v) => v + 1) };
  };
  return { calls, predict };
}

function rows(...values: number[][]): Float32Array {
  return Float32Array.from(values.flat());
}

function setup(overrides: Partial<BatcherOptions> = {}) {
  const clock = manualClock();
  const model = rowSums();
  const reports: BatchReport[] = [];
  const batcher = new Batcher({
    maxBatchSize: 4,
    maxLatencyMs: 5,
    maxQueue: 8,
    flushWhenIdle: false,
    predict: model.predict,
    schedule: clock.schedule,
    now: clock.now,
    onBatch: (r) => reports.push(r),
    ...overrides,
  });
  return { batcher, clock, calls: model.calls, reports };
}

describe('Batcher', () => {
  it('waits up to maxLatencyMs for more requests, then runs them in one predict call', async () => {
    const { batcher, clock, calls, reports } = setup();
    const a = batcher.submit(rows([1, 2]), 1);
    clock.advance(2);
    const b = batcher.submit(rows([10, 20], [100, 200]), 2);
    expect(calls).toEqual([]);
    expect(batcher.queuedRows).toBe(3);
    clock.advance(2);
    expect(calls).toEqual([]);
    clock.advance(1); // 5 ms after the first request
    expect(calls).toEqual([3]);
    expect(Array.from((await a).point)).toEqual([3, 4, 5]);
    const second = await b;
    expect(Array.from(second.point)).toEqual([30, 31, 32, 300, 301, 302]);
    expect(Array.from(second.lower)).toEqual([29, 30, 31, 299, 300, 301]);
    expect(Array.from(second.upper)).toEqual([31, 32, 33, 301, 302, 303]);
    expect(reports).toEqual([{ rows: 3, requests: 2, durationMs: 0 }]);
    expect(batcher.queuedRows).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('with flushWhenIdle, runs what arrived together once the I/O phase is over, before maxLatencyMs', async () => {
    const deferred: Array<() => void> = [];
    const { batcher, clock, calls } = setup({ flushWhenIdle: true, defer: (fn) => deferred.push(fn) });
    const a = batcher.submit(rows([1, 1]), 1);
    const b = batcher.submit(rows([2, 2]), 1);
    expect(deferred).toHaveLength(1);
    expect(calls).toEqual([]);
    deferred.shift()!();
    expect(calls).toEqual([2]);
    expect(clock.pending()).toBe(0);
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
    // Without an idle moment, maxLatencyMs still bounds the wait.
    const c = batcher.submit(rows([3, 3]), 1);
    clock.advance(5);
    expect(calls).toEqual([2, 1]);
    await c;
  });

  it('enqueue calls back with the batch and each caller\'s range in it; refusals call back at once; a throwing callback does not keep the others from theirs', () => {
    const { batcher, clock } = setup({ maxQueue: 3 });
    const results: string[] = [];
    const record = (name: string) => (error: unknown, outputs: BatchOutputs | undefined, start: number, end: number) => {
      results.push(error === undefined ? `${name} ${Array.from(outputs!.point.subarray(start, end)).join(',')}` : `${name} ${(error as ServeError).code}`);
    };
    batcher.enqueue(rows([1, 2]), 1, () => {
      throw new Error('a careless caller');
    });
    batcher.enqueue(rows([10, 20]), 1, record('b'));
    batcher.enqueue(rows([1, 1], [2, 2]), 2, record('refused'));
    expect(results).toEqual(['refused FST_FLUXORA_OVERLOADED']);
    clock.advance(5);
    expect(results).toEqual(['refused FST_FLUXORA_OVERLOADED', 'b 30,31,32']);
    expect(batcher.queuedRows).toBe(0);
  });

  it('runs at once when a batch is full, without waiting for the timer', async () => {
    const { batcher, clock, calls } = setup();
    const a = batcher.submit(rows([1, 1], [2, 2]), 2);
    const b = batcher.submit(rows([3, 3], [4, 4]), 2);
    expect(calls).toEqual([4]);
    expect(clock.pending()).toBe(0);
    expect(Array.from((await a).point)).toEqual([2, 3, 4, 4, 5, 6]);
    expect(Array.from((await b).point)).toEqual([6, 7, 8, 8, 9, 10]);
  });

  it('keeps FIFO order and leaves what does not fit for the next batch, timed from its own arrival', async () => {
    const { batcher, clock, calls } = setup();
    const a = batcher.submit(rows([1, 0], [2, 0], [3, 0]), 3);
    clock.advance(1);
    const b = batcher.submit(rows([4, 0], [5, 0]), 2); // 5 rows queued: a runs alone, b waits
    expect(calls).toEqual([3]);
    expect(Array.from((await a).point)).toEqual([1, 2, 3, 2, 3, 4, 3, 4, 5]);
    clock.advance(4);
    expect(calls).toEqual([3]);
    clock.advance(1); // b's own 5 ms
    expect(calls).toEqual([3, 2]);
    expect(Array.from((await b).point)).toEqual([4, 5, 6, 5, 6, 7]);
  });

  it('runs a request larger than maxBatchSize as a batch of its own', async () => {
    const { batcher, calls } = setup({ maxQueue: 16 });
    const big = rows(...Array.from({ length: 6 }, (_, i) => [i, 0]));
    const result = await batcher.submit(big, 6);
    expect(calls).toEqual([6]);
    expect(result.point.length).toBe(6 * HORIZON);
  });

  it('sheds load with a 503 and Retry-After when the queue would exceed maxQueue rows', async () => {
    const { batcher, clock, calls } = setup({ maxBatchSize: 100, maxQueue: 3 });
    const a = batcher.submit(rows([1, 1], [1, 1]), 2);
    const shed = batcher.submit(rows([2, 2], [2, 2]), 2);
    await expect(shed).rejects.toMatchObject({
      code: 'FST_FLUXORA_OVERLOADED',
      statusCode: 503,
      headers: { 'retry-after': '1' },
    });
    const fits = batcher.submit(rows([3, 3]), 1);
    clock.advance(5);
    expect(calls).toEqual([3]);
    await expect(a).resolves.toBeDefined();
    await expect(fits).resolves.toBeDefined();
  });

  it('fails only the requests of a failing batch, with a 500 and the model message', async () => {
    let fail = true;
    const { predict, calls } = rowSums();
    const { batcher, clock, reports } = setup({
      predict: (X, n) => {
        if (fail) {
          fail = false;
          throw new Error('tensor shape mismatch');
        }
        return predict(X, n);
      },
    });
    const a = batcher.submit(rows([1, 1]), 1);
    const b = batcher.submit(rows([2, 2]), 1);
    clock.advance(5);
    for (const p of [a, b]) {
      await expect(p).rejects.toMatchObject({
        code: 'FST_FLUXORA_PREDICTION_FAILED',
        statusCode: 500,
        message: 'Prediction failed: tensor shape mismatch',
      });
    }
    expect(reports[0].error).toBeInstanceOf(Error);
    const c = batcher.submit(rows([3, 3]), 1);
    clock.advance(5);
    expect(Array.from((await c).point)).toEqual([6, 7, 8]);
    expect(calls).toEqual([1]);
  });

  it('rejects outputs that are not rows x horizon', async () => {
    const { batcher, clock } = setup({
      predict: () => ({ point: new Float32Array(5), lower: new Float32Array(5), upper: new Float32Array(5) }),
    });
    const a = batcher.submit(rows([1, 1], [2, 2]), 2);
    clock.advance(5);
    await expect(a).rejects.toBeInstanceOf(ServeError);
    await expect(a).rejects.toMatchObject({ statusCode: 500 });
  });

  it('queues while an asynchronous predict runs and batches what arrived meanwhile', async () => {
    const { predict, calls } = rowSums();
    const gates: Array<() => void> = [];
    const { batcher, clock } = setup({
      maxBatchSize: 2,
      predict: (X, n) =>
        new Promise<BatchOutputs>((resolve) => {
          const outputs = predict(X, n);
          gates.push(() => resolve(outputs));
        }),
    });
    const first = [batcher.submit(rows([1, 0]), 1), batcher.submit(rows([2, 0]), 1)];
    expect(calls).toEqual([2]);
    const second = [batcher.submit(rows([3, 0]), 1), batcher.submit(rows([4, 0]), 1), batcher.submit(rows([5, 0]), 1)];
    expect(batcher.queuedRows).toBe(3);
    gates[0]();
    await Promise.all(first);
    expect(calls).toEqual([2, 2]);
    gates[1]();
    const results = await Promise.all(second.slice(0, 2));
    expect(results.map((r) => r.point[0])).toEqual([3, 4]);
    // The last request has waited 0 ms so far; its own deadline applies.
    expect(calls).toEqual([2, 2]);
    clock.advance(5);
    expect(calls).toEqual([2, 2, 1]);
    gates[2]();
    expect((await second[2]).point[0]).toBe(5);
  });

  it('close runs what is queued at once, then refuses new work', async () => {
    const { batcher, calls } = setup();
    const a = batcher.submit(rows([1, 1]), 1);
    await batcher.close();
    expect(calls).toEqual([1]);
    await expect(a).resolves.toBeDefined();
    await expect(batcher.submit(rows([1, 1]), 1)).rejects.toMatchObject({ code: 'FST_FLUXORA_SHUTTING_DOWN', statusCode: 503 });
  });

  it('drain runs what is queued and everything after it at once, still accepting work', async () => {
    const { batcher, calls, clock } = setup();
    const a = batcher.submit(rows([1, 1]), 1);
    await batcher.drain();
    expect(calls).toEqual([1]);
    const b = batcher.submit(rows([2, 2]), 1);
    expect(calls).toEqual([1, 1]);
    expect(clock.pending()).toBe(0);
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
  });

  it('rejects a row count that does not divide the data and invalid options', async () => {
    const { batcher } = setup();
    await expect(batcher.submit(new Float32Array(3), 2)).rejects.toBeInstanceOf(RangeError);
    expect(() => setup({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => setup({ maxLatencyMs: -1 })).toThrow(/maxLatencyMs/);
  });

  it('with maxBatchSize 1 every request is its own predict call', async () => {
    const { batcher, calls } = setup({ maxBatchSize: 1 });
    await Promise.all([batcher.submit(rows([1, 1]), 1), batcher.submit(rows([2, 2]), 1)]);
    expect(calls).toEqual([1, 1]);
  });
});
