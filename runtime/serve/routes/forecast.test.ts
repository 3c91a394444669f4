import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../loaded-model.ts';
import type { PredictionRow } from '../prediction-log.ts';
import { buildTestApp, deferred, inferBody, type TestApp } from '../../../test/support/serve-app.ts';

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

function history(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamps: ['2024-03-30T22:00:00+01:00', '2024-03-30T23:00:00+01:00', '2024-03-31T00:00:00+01:00'],
    target: [10, 11, 21.3],
    covariates: { temperature: [5, 4, 3] },
    futureCovariates: { temperature: [2, 1, 0] },
    ...overrides,
  };
}

function post(app: TestApp['app'], payload: unknown) {
  return app.inject({ method: 'POST', url: '/v1/forecast', payload: payload as Record<string, unknown> });
}

describe('POST /v1/forecast', () => {
  it('forecasts the horizon from raw history, at the history offset, with short FP32 decimals', async () => {
    const { app } = await setup();
    const res = await post(app, history());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      model: { name: 'energy', version: 3 },
      horizon: 3,
      coverage: 0.9,
      forecasts: [
        { timestamp: '2024-03-31T01:00:00+01:00', value: 22.3, lower: 21.3, upper: 23.3, quantiles: { '0.1': 21.3, '0.5': 22.3, '0.9': 23.3 } },
        { timestamp: '2024-03-31T02:00:00+01:00', value: 23.3, lower: 22.3, upper: 24.3, quantiles: { '0.1': 22.3, '0.5': 23.3, '0.9': 24.3 } },
        { timestamp: '2024-03-31T03:00:00+01:00', value: 24.3, lower: 23.3, upper: 25.3, quantiles: { '0.1': 23.3, '0.5': 24.3, '0.9': 25.3 } },
      ],
    });
  });

  it('answers 400 with the HistoryError message when the history is too short', async () => {
    const { app } = await setup();
    const res = await post(app, history({ timestamps: ['2024-03-31T00:00:00Z'], target: [1], covariates: { temperature: [1] } }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'history has 1 rows, the model needs at least 3' });
  });

  it.each([
    ['a target of another length', history({ target: [1, 2] }), 'Invalid request: target: has 2 values for 3 timestamps'],
    ['a null in the target', history({ target: [1, null, 3] }), 'Invalid request: target[1]: Invalid input: expected number, received null'],
    ['a "NaN" string', history({ target: [1, 'NaN', 3] }), 'Invalid request: target[1]: Invalid input: expected number, received string'],
    ['no timestamps', history({ timestamps: [] }), 'Invalid request: timestamps: Too small: expected array to have >=1 items; target: has 3 values for 0 timestamps; covariates.temperature: has 3 values for 0 timestamps'],
    ['an unknown field', history({ futureCovariate: {} }), 'Invalid request: body: Unrecognized key: "futureCovariate"'],
    ['a covariate of another length', history({ covariates: { temperature: [1] } }), 'Invalid request: covariates.temperature: has 1 values for 3 timestamps'],
    ['a missing covariate', history({ covariates: undefined }), 'Invalid request: covariates.temperature is required: one value per history row'],
    ['a missing future covariate', history({ futureCovariates: {} }), 'Invalid request: futureCovariates.temperature is required: its 3 future values (it is known in advance)'],
    ['an uncalibrated quantile', history({ quantiles: [0.1, 0.25] }), 'Invalid request: quantiles[1]: 0.25 is not a calibrated level; the model offers 0.01 to 0.99 in steps of 0.01'],
    ['a quantile outside (0, 1)', history({ quantiles: [1] }), 'Invalid request: quantiles[0]: Too big: expected number to be <1'],
    ['future covariates not covering the horizon', history({ futureCovariates: { temperature: [1, 2] } }), 'Invalid request: futureCovariates.temperature has 2 values, the model forecasts 3 steps'],
    ['an unknown covariate', history({ covariates: { temperature: [1, 2, 3], wind: [1, 2, 3] } }), 'Invalid request: covariates: unknown covariate "wind", the model takes temperature'],
    ['a malformed offset', history({ timestamps: ['2024-03-30T22:00:00+01:00', '2024-03-30T23:00:00+01:00', '2024-03-31T00:00:00+1'] }), 'Invalid request: timestamps[2] does not end in a valid UTC offset'],
    ['a body that is not an object', [1, 2, 3], 'Invalid request: body: Invalid input: expected object, received array'],
  ])('answers 400 for %s', async (_name, body, error) => {
    const { app } = await setup();
    const res = await post(app, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it('bounds series lengths', async () => {
    const { app } = await setup({ bodyLimit: 8 * 1024 * 1024 });
    const n = 100_001;
    const res = await post(app, history({ timestamps: new Array(n).fill('2024-03-31T00:00:00Z'), target: new Array(n).fill(1) }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^Invalid request: timestamps: Too big: expected array to have <=100000 items/);
  });

  it('answers 503 with Retry-After before the model is ready', async () => {
    current = buildTestApp({ model: deferred<LoadedModel>().promise });
    const { app } = current;
    const res = await post(app, history());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ error: 'Model is not ready' });
  });

  it('shares the micro-batcher with OIP requests and logs the prediction', async () => {
    const rows: PredictionRow[] = [];
    const { app, model } = await setup({
      batching: { maxBatchSize: 2, maxLatencyMs: 60_000, maxQueue: 10, flushWhenIdle: false },
      predictionLog: { add: (row) => rows.push(row) },
    });
    const calls = model.calls.length;
    const [forecast, infer] = await Promise.all([
      post(app, history()),
      app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 1, 1, 1]]) }),
    ]);
    expect(model.calls.slice(calls)).toEqual([2]);
    expect(forecast.json().forecasts[0].value).toBe(22.3);
    expect(infer.json().outputs[0].data).toEqual([2, 3, 4]);
    expect(rows.map((r) => Array.from(r.features))).toEqual(
      expect.arrayContaining([[21.3, 21.3, 21.3, 21.3].map(Math.fround), [1, 1, 1, 1]]),
    );
  });
});
