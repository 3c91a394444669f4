import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createServeMetrics } from '../serve/metrics.ts';
import { histogramQuantile, parseRequestHistogram, TrafficMeter } from './traffic.ts';

/** exposition renders what a serving pod's /metrics shows after `requests` (route, status, seconds). */
async function exposition(requests: [string, number, number][]): Promise<string> {
  const registry = new Registry();
  const metrics = createServeMetrics(registry, { queueDepth: () => 0, inflight: () => 0, logDropped: () => undefined }, 64);
  for (const [route, status, seconds] of requests) metrics.observeRequest(route, status, seconds);
  return registry.metrics();
}

describe('parseRequestHistogram', () => {
  it('sums the inference routes of a real serving exposition, leaving out probes and scrapes', async () => {
    const text = await exposition([
      ['/v1/forecast', 200, 0.004],
      ['/v1/forecast', 200, 0.02],
      ['/v2/models/:name/infer', 400, 0.0008],
      ['/v2/health/ready', 200, 0.0001],
      ['/metrics', 200, 0.001],
    ]);
    const h = parseRequestHistogram(text);
    expect(h?.count).toBe(3);
    expect(h?.sum).toBeCloseTo(0.0248, 6);
    expect(h?.buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 3 });
    expect(h?.buckets.find((b) => b.le === 0.005)?.count).toBe(2);
  });

  it('is undefined when the metric is absent', () => {
    expect(parseRequestHistogram('# HELP other\nother_total 3\n')).toBeUndefined();
  });
});

describe('histogramQuantile', () => {
  it('interpolates within the bucket as PromQL histogram_quantile does', () => {
    const h = { count: 10, sum: 1, buckets: [{ le: 0.01, count: 5 }, { le: 0.1, count: 10 }, { le: Number.POSITIVE_INFINITY, count: 10 }] };
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.75, h)).toBeCloseTo(0.055);
    expect(histogramQuantile(0.5, { count: 0, sum: 0, buckets: [{ le: Number.POSITIVE_INFINITY, count: 0 }] })).toBeNull();
  });
});

describe('TrafficMeter', () => {
  it('turns two readings into a rate and a mean latency, and starts over after a counter reset', () => {
    let now = 1_000_000;
    const meter = new TrafficMeter({ now: () => now });
    const reading = (count: number, sum: number) => ({ count, sum, buckets: [{ le: 0.01, count }, { le: Number.POSITIVE_INFINITY, count }] });
    const first = meter.observe('ns/md', reading(100, 1), 1, 1);
    expect(first.requestsPerSecond).toBeNull();
    expect(first.totalRequests).toBe(100);
    now += 10_000;
    const second = meter.observe('ns/md', reading(150, 1.5), 1, 2);
    expect(second.requestsPerSecond).toBe(5);
    expect(second.meanLatencyMs).toBe(10);
    expect(second).toMatchObject({ podsScraped: 1, pods: 2 });
    now += 10_000;
    expect(meter.observe('ns/md', reading(20, 0.1), 1, 1).requestsPerSecond).toBeNull();
  });
});
