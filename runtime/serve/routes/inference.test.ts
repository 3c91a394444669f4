import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PredictionRow } from '../prediction-log.ts';
import { buildTestApp, inferBody, type TestApp } from '../../../test/support/serve-app.ts';

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

const URL = '/v2/models/energy/infer';

function post(app: TestApp['app'], payload: unknown, url = URL) {
  return app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
}

describe('POST /v2/models/{name}[/versions/{version}]/infer', () => {
  it('forecasts one row: mean of the inputs + step, interval ± 1, id echoed', async () => {
    const { app } = await setup();
    const res = await post(app, inferBody([[1, 2, 3, 6]], { id: 'req-42' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      model_name: 'energy',
      model_version: '3',
      id: 'req-42',
      outputs: [
        { name: 'forecast', shape: [1, 3], datatype: 'FP32', data: [4, 5, 6] },
        { name: 'lower', shape: [1, 3], datatype: 'FP32', data: [3, 4, 5] },
        { name: 'upper', shape: [1, 3], datatype: 'FP32', data: [5, 6, 7] },
      ],
    });
  });

  it('takes many rows per request, nested or flat, on the versioned path too, and returns the outputs asked for', async () => {
    const { app } = await setup();
    const rows = Array.from({ length: 50 }, (_, i) => [i, i, i, i]);
    const body = {
      inputs: [{ name: 'features', shape: [50, 4], datatype: 'FP32', data: rows }],
      outputs: [{ name: 'forecast' }],
    };
    const res = await post(app, body, '/v2/models/energy/versions/3/infer');
    expect(res.statusCode).toBe(200);
    const json = res.json();
    expect(json.id).toBeUndefined();
    expect(json.outputs).toHaveLength(1);
    expect(json.outputs[0].shape).toEqual([50, 3]);
    expect(json.outputs[0].data.slice(0, 6)).toEqual([1, 2, 3, 2, 3, 4]);
    expect(json.outputs[0].data.at(-1)).toBe(52);
  });

  it('returns FP32 values that parse back to the model output exactly', async () => {
    const { app } = await setup();
    const json = (await post(app, inferBody([[0.1, 0.2, 0.3, 0.4]]))).json();
    const forecast: number[] = json.outputs[0].data;
    expect(forecast[0]).toBe(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2) + Math.fround(0.3) + Math.fround(0.4)) / 4 + 1));
  });

  it.each([
    ['an unknown model', '/v2/models/solar/infer', { error: 'Model "solar" not found' }],
    ['an unknown version', '/v2/models/energy/versions/7/infer', { error: 'Model "energy" has no version "7"' }],
  ])('answers 404 for %s', async (_name, url, body) => {
    const { app } = await setup();
    const res = await post(app, inferBody([[1, 2, 3, 4]]), url);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(body);
  });

  it.each([
    ['a wrong shape', { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, 'Input "features" has shape [1, 3], expected [n, 4] with n >= 1'],
    ['a wrong datatype', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }] }, 'Input "features" has datatype "INT32", expected FP32'],
    ['data not matching the shape', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 'Input "features": data has 4 values, shape [2, 4] needs 8'],
    ['a "NaN" string', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 'NaN', 3, 4] }] }, 'Input "features": element 1 is "NaN", expected a finite FP32 number'],
    ['a null', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, null, 4] }] }, 'Input "features": element 2 is null, expected a finite FP32 number'],
    ['a missing input', { inputs: [] }, 'Missing input "features"'],
    ['an unknown input name', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, 'Unknown input "x": the model takes "features"'],
    ['an unknown output', { ...inferBody([[1, 2, 3, 4]]), outputs: [{ name: 'p50' }] }, 'Unknown output "p50": the model has forecast, lower, upper'],
  ])('answers 400 for %s', async (_name, body, error) => {
    const { app, model } = await setup();
    const calls = model.calls.length;
    const res = await post(app, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
    expect(model.calls.length).toBe(calls);
  });

  it('answers 400 for a number JSON reads as Infinity', async () => {
    const { app } = await setup();
    const payload = '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,1e999]}]}';
    const res = await app.inject({ method: 'POST', url: URL, payload, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Input "features": element 3 is Infinity, expected a finite FP32 number' });
  });

  it.each([
    ['malformed JSON', '{"inputs": [', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['prototype poisoning', '{"__proto__": {"admin": true}, "inputs": []}', 'application/json'],
    ['constructor poisoning', '{"constructor": {"prototype": {"admin": true}}, "inputs": []}', 'application/json'],
  ])('answers 400 {"error"} for %s', async (_name, payload, type) => {
    const { app } = await setup();
    const res = await app.inject({ method: 'POST', url: URL, payload, headers: { 'content-type': type } });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json())).toEqual(['error']);
    expect(res.json().error).toMatch(/^Malformed JSON body: /);
  });

  it('answers 415 {"error"} for a body that is not JSON', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'POST', url: URL, payload: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'Unsupported media type "text/csv": send application/json' });
  });

  it('answers 413 {"error"} for a body over the limit, before parsing it', async () => {
    const { app } = await setup({ bodyLimit: 1000 });
    const res = await post(app, inferBody(Array.from({ length: 300 }, () => [1, 2, 3, 4])));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Request body is larger than 1000 bytes' });
  });

  it('answers 413 for more rows than the queue can ever hold', async () => {
    const { app } = await setup({ batching: { maxBatchSize: 4, maxLatencyMs: 0, maxQueue: 8 } });
    const res = await post(app, inferBody(Array.from({ length: 9 }, () => [1, 2, 3, 4])));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Request has 9 rows, more than the 8 one request may carry' });
  });

  it('runs concurrent requests in one predictBatch call and returns each caller its own rows', async () => {
    const { app, model } = await setup({ batching: { maxBatchSize: 6, maxLatencyMs: 60_000, maxQueue: 100, flushWhenIdle: false } });
    const warmUpCalls = model.calls.length;
    const [a, b, c] = await Promise.all([
      post(app, inferBody([[1, 1, 1, 1]], { id: 'a' })),
      post(app, inferBody([[10, 10, 10, 10], [20, 20, 20, 20]], { id: 'b' })),
      post(app, inferBody([[100, 100, 100, 100], [200, 200, 200, 200], [300, 300, 300, 300]], { id: 'c' })),
    ]);
    expect(model.calls.slice(warmUpCalls)).toEqual([6]);
    expect(a.json().id).toBe('a');
    expect(a.json().outputs[0].data).toEqual([2, 3, 4]);
    expect(b.json().id).toBe('b');
    expect(b.json().outputs[0].data).toEqual([11, 12, 13, 21, 22, 23]);
    expect(c.json().outputs[0].shape).toEqual([3, 3]);
    expect(c.json().outputs[2].data).toEqual([102, 103, 104, 202, 203, 204, 302, 303, 304]);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^fluxora_batch_size_bucket\{le="4"\} 0$/m);
    expect(metrics).toMatch(/^fluxora_batch_size_bucket\{le="6"\} 1$/m);
    expect(metrics).toMatch(/^fluxora_predictions_total 6$/m);
  });

  it('sheds load with 503 and Retry-After: 1 when the queue is full, then serves the queued requests', async () => {
    const { app } = await setup({ batching: { maxBatchSize: 100, maxLatencyMs: 60_000, maxQueue: 2, flushWhenIdle: false } });
    const queued = [post(app, inferBody([[1, 1, 1, 1]])), post(app, inferBody([[2, 2, 2, 2]]))];
    await vi.waitFor(() => expect(app.fluxora.queuedRows).toBe(2));
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^fluxora_queue_depth 2$/m);
    expect(metrics).toMatch(/^fluxora_inflight_requests 2$/m);
    const shed = await post(app, inferBody([[3, 3, 3, 3]]));
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.json()).toEqual({ error: 'Server is overloaded: 2 rows are queued, the limit is 2' });
    await app.close();
    const served = await Promise.all(queued);
    expect(served.map((r) => r.statusCode)).toEqual([200, 200]);
  });

  it('a failing batch answers 500 with a message, and the server keeps serving', async () => {
    const { app, model } = await setup();
    const predict = model.predictBatch;
    model.predictBatch = () => {
      throw new Error('out of memory in the matmul');
    };
    const failed = await post(app, inferBody([[1, 2, 3, 4]]));
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toEqual({ error: 'Prediction failed: out of memory in the matmul' });
    model.predictBatch = predict;
    expect((await post(app, inferBody([[1, 2, 3, 4]]))).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^fluxora_prediction_errors_total 1$/m);
  });

  it('a NaN in the model output answers 500 rather than invalid JSON', async () => {
    const { app, model } = await setup();
    const predict = model.predictBatch;
    model.predictBatch = (X, n) => {
      const out = predict(X, n);
      out.upper[0] = Number.NaN;
      return out;
    };
    const res = await post(app, inferBody([[1, 2, 3, 4]]));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Prediction failed: the model returned NaN (not a finite number)' });
  });

  it('hands every served row to the prediction log sink, and counts what it drops', async () => {
    const rows: PredictionRow[] = [];
    const sink = { dropped: 5, add: (row: PredictionRow) => rows.push(row) };
    const { app } = await setup({ predictionLog: sink });
    await post(app, inferBody([[1, 2, 3, 4], [5, 6, 7, 8]]));
    expect(rows).toEqual([
      { model: 'energy', version: 3, features: Float32Array.from([1, 2, 3, 4]), names: ['f0', 'f1', 'f2', 'f3'], outputs: Float32Array.from([3.5, 4.5, 5.5]) },
      { model: 'energy', version: 3, features: Float32Array.from([5, 6, 7, 8]), names: ['f0', 'f1', 'f2', 'f3'], outputs: Float32Array.from([7.5, 8.5, 9.5]) },
    ]);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^fluxora_prediction_log_dropped_total 5$/m);
    sink.dropped = 7;
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^fluxora_prediction_log_dropped_total 7$/m);
  });

  it('logs each request its own rows when requests share a batch', async () => {
    const rows: PredictionRow[] = [];
    const { app } = await setup({
      predictionLog: { add: (row: PredictionRow) => rows.push(row) },
      batching: { maxBatchSize: 3, maxLatencyMs: 60_000, maxQueue: 100, flushWhenIdle: false },
    });
    await Promise.all([post(app, inferBody([[1, 1, 1, 1]])), post(app, inferBody([[2, 2, 2, 2], [4, 4, 4, 4]]))]);
    expect(rows.map((row) => [Array.from(row.features), Array.from(row.outputs)])).toEqual([
      [[1, 1, 1, 1], [2, 3, 4]],
      [[2, 2, 2, 2], [3, 4, 5]],
      [[4, 4, 4, 4], [5, 6, 7]],
    ]);
  });

  it('a sink that throws never fails the request; its refusals count as drops', async () => {
    const { app } = await setup({
      predictionLog: {
        add() {
          throw new Error('buffer closed');
        },
      },
    });
    const res = await post(app, inferBody([[1, 2, 3, 4]]));
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^fluxora_prediction_log_dropped_total 1$/m);
  });
});
