import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from './app.ts';
import { buildTestApp, inferBody, logCapture, type TestApp } from '../../test/support/serve-app.ts';
import { createTestModel } from '../../test/support/serve-model.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function setup(...args: Parameters<typeof buildTestApp>): Promise<TestApp> {
  current = buildTestApp(...args);
  await current.app.fluxora.modelReady;
  return current;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('build', () => {
  it('honours a well-formed x-request-id and returns it, on errors too', async () => {
    const { app } = await setup();
    const ok = await app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(ok.headers['x-request-id']).toBe('trace-abc.123');
    const missing = await app.inject({ url: '/nope', headers: { 'x-request-id': 'trace-404' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toBe('trace-404');
  });

  it('generates a UUID request id when none or a malformed one is sent', async () => {
    const { app } = await setup();
    const none = await app.inject({ url: '/v2/health/live' });
    expect(none.headers['x-request-id']).toMatch(UUID);
    for (const id of ['a'.repeat(129), 'line\nbreak', 'spaces here', '']) {
      const res = await app.inject({ url: '/v2/health/live', headers: { 'x-request-id': id } });
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });

  it('generates distinct UUID-shaped ids, one random prefix per process and a counter', async () => {
    const { app } = await setup();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await app.inject({ url: '/v2/health/live' });
      const id = res.headers['x-request-id'] as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(20);
  });

  it('logs one structured line per request with its id, route and status', async () => {
    const logs = logCapture();
    const { app } = await setup({ logger: { stream: logs.stream } });
    await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4]]), headers: { 'x-request-id': 'r-1' } });
    const lines = logs.lines();
    expect(lines.find((line) => line.msg === 'Model ready')).toMatchObject({ model: 'energy', version: 3, horizon: 3 });
    expect(lines.filter((line) => line.msg === 'Request completed')).toEqual([
      expect.objectContaining({ reqId: 'r-1', method: 'POST', route: '/v2/models/:name/infer', statusCode: 200, level: 30 }),
    ]);
  });

  it('keeps the request id on error lines, and skips completion lines below the logger level', async () => {
    const logs = logCapture();
    const { app, model } = await setup({ logger: { level: 'warn', stream: logs.stream } });
    model.predictBatch = () => {
      throw new Error('weights went missing');
    };
    const res = await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4]]), headers: { 'x-request-id': 'r-err' } });
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-request-id']).toBe('r-err');
    const lines = logs.lines();
    expect(lines.find((line) => line.msg === 'Request failed')).toMatchObject({ reqId: 'r-err', level: 50, code: 'FST_FLUXORA_PREDICTION_FAILED' });
    expect(lines.filter((line) => line.msg === 'Request completed')).toEqual([]);
  });

  it('logs probe completions at debug level only', async () => {
    const logs = logCapture();
    const { app } = await setup({ logger: { level: 'debug', stream: logs.stream } });
    await app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'probe-1' } });
    expect(logs.lines().filter((line) => line.msg === 'Request completed')).toEqual([
      expect.objectContaining({ reqId: 'probe-1', route: '/v2/health/live', statusCode: 200, level: 20 }),
    ]);
  });

  it.each([
    ['an unknown route', { url: '/v3/models' }, 404, { error: 'Route GET /v3/models not found' }],
    ['an unknown method', { method: 'DELETE' as const, url: '/v2/models/energy' }, 404, { error: 'Route DELETE /v2/models/energy not found' }],
    ['a URL that does not decode', { url: '/v2/models/%E0%A4%A' }, 400, { error: "Malformed URL: '/v2/models/%E0%A4%A' is not a valid url component" }],
    ['an over-long path parameter', { url: `/v2/models/${'m'.repeat(200)}` }, 414, { error: 'A URL path parameter is too long' }],
  ])('answers %s with a coded {"error"}', async (_name, request, status, body) => {
    const { app } = await setup();
    const res = await app.inject(request);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(body);
  });

  it('answers an unexpected error with a 500 that reveals nothing, and logs it', async () => {
    const logs = logCapture();
    const { app, model } = await setup({ logger: { stream: logs.stream } });
    model.featuresFromHistory = () => {
      throw new TypeError('cannot read properties of undefined (reading "secretColumn")');
    };
    const res = await app.inject({
      method: 'POST',
      url: '/v1/forecast',
      payload: {
        timestamps: ['2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z'],
        target: [1, 2, 3],
        covariates: { temperature: [1, 2, 3] },
        futureCovariates: { temperature: [1, 2, 3] },
      },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal server error' });
    const failed = logs.lines().find((line) => line.msg === 'Request failed');
    expect(failed).toMatchObject({ level: 50, code: 'FST_FLUXORA_INTERNAL', err: { message: expect.stringContaining('secretColumn') } });
  });

  it('publishes every metric on GET /metrics in the Prometheus text format', async () => {
    const registry = new Registry();
    const { app } = await setup({ registry });
    await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4], [1, 2, 3, 4]]) });
    await app.inject({ url: '/v2/models/solar' });
    await app.inject({ url: '/v2/no/such/route/123' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(registry.contentType);
    const text = res.body;
    for (const line of [
      /^# TYPE fluxora_http_request_duration_seconds histogram$/m,
      /^fluxora_http_request_duration_seconds_count\{route="\/v2\/models\/:name\/infer",status_code="200"\} 1$/m,
      /^fluxora_http_request_duration_seconds_count\{route="\/v2\/models\/:name",status_code="404"\} 1$/m,
      /^fluxora_http_request_duration_seconds_count\{route="unmatched",status_code="404"\} 1$/m,
      /^# TYPE fluxora_predictions_total counter$/m,
      /^fluxora_predictions_total 2$/m,
      /^fluxora_prediction_errors_total 0$/m,
      /^# TYPE fluxora_batch_size histogram$/m,
      /^fluxora_batch_size_count 1$/m,
      /^fluxora_batch_size_sum 2$/m,
      /^# TYPE fluxora_queue_depth gauge$/m,
      /^fluxora_queue_depth 0$/m,
      /^# TYPE fluxora_inflight_requests gauge$/m,
      /^fluxora_inflight_requests 0$/m,
      /^# TYPE fluxora_prediction_log_dropped_total counter$/m,
      /^fluxora_model_info\{name="energy",version="3"\} 1$/m,
    ]) {
      expect(text).toMatch(line);
    }
    expect(text).not.toContain('solar');
    expect(text).not.toContain('/v2/no/such');
  });

  it('refuses invalid options', () => {
    const model = createTestModel();
    expect(() => build({ model, batching: { maxBatchSize: 0, maxLatencyMs: 1, maxQueue: 1 }, logger: false })).toThrow(/maxBatchSize/);
    expect(() => build({ model, batching: { maxBatchSize: 1, maxLatencyMs: 1, maxQueue: 1 }, bodyLimit: -1, logger: false })).toThrow(/bodyLimit/);
    expect(() => build({ model, batching: { maxBatchSize: 1, maxLatencyMs: 1, maxQueue: 1 }, auth: { apiKeys: [] }, logger: false })).toThrow(/apiKeys/);
  });
});
