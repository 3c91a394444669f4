import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock, flushAsync } from '../../test/support/fake-clock.ts';
import { WorkQueue } from './work-queue.ts';

function newQueue(clock = new FakeClock()) {
  const registry = new Registry();
  const queue = new WorkQueue({ name: 'test', clock, registry });
  return { queue, clock, registry };
}

async function metricValue(registry: Registry, name: string, suffix = ''): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => (suffix ? (v as { metricName?: string }).metricName === `${name}${suffix}` : true));
  return value?.value;
}

describe('WorkQueue', () => {
  it('deduplicates keys that are queued and hands them out in order', async () => {
    const { queue, registry } = newQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    expect(queue.len()).toBe(0);
    expect(await metricValue(registry, 'workqueue_adds_total')).toBe(2);
    expect(await metricValue(registry, 'workqueue_depth')).toBe(0);
  });

  it('never hands one key to two workers at once', async () => {
    const { queue } = newQueue();
    queue.add('ns/a');
    const first = await queue.get();
    queue.add('ns/a'); // an event arrives while ns/a is reconciled
    expect(queue.len()).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => {
      second = k;
    });
    await flushAsync();
    expect(second).toBeUndefined();
    queue.done(first as string);
    await flushAsync();
    // Re-queued on done: the event is not lost, and processed after the first pass.
    expect(second).toBe('ns/a');
    queue.done('ns/a');
    expect(queue.len()).toBe(0);
    expect(queue.processingCount()).toBe(0);
  });

  it('coalesces adds of one tick even when a worker is already waiting', async () => {
    const { queue } = newQueue();
    const waiting = queue.get();
    queue.add('ns/a'); // an update maps both the new and the old object to ns/a
    queue.add('ns/a');
    expect(await waiting).toBe('ns/a');
    queue.done('ns/a');
    expect(queue.len()).toBe(0);
  });

  it('does not re-queue a key that was not added while processing', async () => {
    const { queue } = newQueue();
    queue.add('k');
    queue.done((await queue.get()) as string);
    expect(queue.len()).toBe(0);
  });

  it('hands a key straight to a waiting worker', async () => {
    const { queue } = newQueue();
    const waiting = queue.get();
    queue.add('ns/x');
    expect(await waiting).toBe('ns/x');
    expect(queue.len()).toBe(0);
  });

  it('addAfter waits on the injected clock and keeps the earliest time', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('k', 1000);
    queue.addAfter('k', 5000); // later: ignored
    await clock.advance(999);
    expect(queue.len()).toBe(0);
    await clock.advance(1);
    expect(queue.len()).toBe(1);
    expect(clock.pending()).toBe(0);
    expect(await queue.get()).toBe('k');
    queue.done('k');
    queue.addAfter('k', 5000);
    queue.addAfter('k', 200); // earlier: replaces
    await clock.advance(200);
    expect(queue.len()).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('addAfter with a non-positive delay adds at once', () => {
    const { queue } = newQueue();
    queue.addAfter('k', 0);
    expect(queue.len()).toBe(1);
  });

  it('backs a failing key off 5 ms, 10 ms, 20 ms, ... and forget resets it', async () => {
    const { queue, clock, registry } = newQueue();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = clock.now();
      queue.addRateLimited('ns/fail');
      const due = clock.nextDue() as number;
      delays.push(due - before);
      await clock.advance(due - before);
      expect(await queue.get()).toBe('ns/fail');
      queue.done('ns/fail');
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(queue.numRequeues('ns/fail')).toBe(5);
    expect(await metricValue(registry, 'workqueue_retries_total')).toBe(5);
    queue.forget('ns/fail');
    queue.addRateLimited('ns/fail');
    expect((clock.nextDue() as number) - clock.now()).toBe(5);
  });

  it('limits the overall retry rate with the token bucket', async () => {
    const { queue, clock } = newQueue();
    for (let i = 0; i < 100; i++) queue.addRateLimited(`ns/k${i}`);
    expect(queue.len()).toBe(0); // each waits its own 5 ms
    await clock.advance(5);
    expect(queue.len()).toBe(100);
    queue.addRateLimited('ns/k100'); // bucket empty: 100 ms at 10 qps, more than its 5 ms
    expect((clock.nextDue() as number) - clock.now()).toBeCloseTo(95, 5); // 5 ms of refill already happened
  });

  it('records queue and work durations and in-flight gauges', async () => {
    const { queue, clock, registry } = newQueue();
    queue.add('k');
    await clock.advance(250);
    await queue.get();
    await clock.advance(1500);
    expect(queue.longestRunningProcessorSeconds()).toBeCloseTo(1.5);
    expect(await metricValue(registry, 'workqueue_unfinished_work_seconds')).toBeCloseTo(1.5);
    expect(await metricValue(registry, 'workqueue_longest_running_processor_seconds')).toBeCloseTo(1.5);
    queue.done('k');
    expect(await metricValue(registry, 'workqueue_queue_duration_seconds', '_sum')).toBeCloseTo(0.25);
    expect(await metricValue(registry, 'workqueue_work_duration_seconds', '_sum')).toBeCloseTo(1.5);
    expect(await metricValue(registry, 'workqueue_unfinished_work_seconds')).toBe(0);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_depth{name="test"} 0');
  });

  it('shuts down: waiting workers get undefined, adds and delayed keys are dropped', async () => {
    const { queue, clock } = newQueue();
    const waiting = queue.get();
    queue.addAfter('late', 1000);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    expect(clock.pending()).toBe(0);
    queue.add('k');
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('shutDownWithDrain waits for in-flight keys', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    const a = (await queue.get()) as string;
    let drained = false;
    const drain = queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    await flushAsync();
    expect(drained).toBe(false);
    expect(await queue.get()).toBeUndefined(); // b is not handed out any more
    queue.add(a); // ignored: shutting down
    queue.done(a);
    await drain;
    expect(drained).toBe(true);
    expect(queue.len()).toBe(0);
  });
});
