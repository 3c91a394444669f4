import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestHistogram } from './request-histogram.ts';

const BUCKETS = [0.001, 0.01, 0.1];

describe('RequestHistogram', () => {
  it('renders exactly what a prom-client Histogram observing the same requests renders', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new RequestHistogram({ name: 'http_seconds', help: 'Request duration.', buckets: BUCKETS, registry: ours });
    const reference = new Histogram({ name: 'http_seconds', help: 'Request duration.', labelNames: ['route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
    const requests: Array<[string, number, number]> = [
      ['/v2/models/:name/infer', 200, 0.0004],
      ['/v2/models/:name/infer', 200, 0.001],
      ['/v2/models/:name/infer', 200, 0.05],
      ['/v2/models/:name/infer', 503, 2],
      ['/v2/health/ready', 200, 0.0001],
    ];
    for (const [route, status, seconds] of requests) {
      fast.record(route, status, seconds);
      reference.observe({ route, status_code: String(status) }, seconds);
    }
    const sorted = (text: string) => text.split('\n').sort().join('\n');
    expect(sorted(await ours.metrics())).toBe(sorted(await theirs.metrics()));
    // Exemplars are off: prom-client writes them as null or undefined, we leave them out.
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((m) => ({ ...m, values: m.values.map(({ labels, value, ...rest }) => ({ labels, value, metricName: (rest as { metricName?: string }).metricName })) }));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
  });

  it('route children record into the same series as record, and start afresh after a reset', async () => {
    const registry = new Registry();
    const fast = new RequestHistogram({ name: 'http_seconds', help: 'Request duration.', buckets: BUCKETS, registry });
    const infer = fast.route('/infer');
    infer.record(200, 0.0005);
    fast.record('/infer', 200, 0.05);
    infer.record(503, 2);
    const text = await registry.metrics();
    expect(text).toContain('http_seconds_count{route="/infer",status_code="200"} 2');
    expect(text).toContain('http_seconds_count{route="/infer",status_code="503"} 1');
    registry.resetMetrics();
    infer.record(200, 0.0005);
    expect(await registry.metrics()).toContain('http_seconds_count{route="/infer",status_code="200"} 1');
  });

  it('reset clears every series', async () => {
    const registry = new Registry();
    const fast = new RequestHistogram({ name: 'http_seconds', help: 'Request duration.', buckets: BUCKETS, registry });
    fast.record('/a', 200, 0.5);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('/a');
  });
});
