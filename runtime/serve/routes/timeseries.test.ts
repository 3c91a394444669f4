import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/serve-app.ts';
import type { TestModelOptions } from '../../../test/support/serve-model.ts';
import { forecastResponse, modelList, tsErrorResponse } from '../timeseries-types.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function setup(modelOptions: TestModelOptions = { covariates: [] }, overrides: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  current = buildTestApp(overrides, modelOptions);
  await current.app.fluxora.modelReady;
  return current;
}

function post(app: TestApp['app'], payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/timeseries/forecast', payload: payload as Record<string, unknown>, headers });
}

/** A request shaped exactly like KServe's own test of its Hugging Face time-series runtime (test_timeseries.py). */
function kserveShaped(overrides: Record<string, unknown> = {}) {
  return {
    model: 'energy',
    inputs: [
      { type: 'univariate_time_series', name: 'stock_price', series: [120, 122, 125, 127, 130, 133, 135], frequency: 'H', start_timestamp: '2025-06-05T13:10:00Z' },
      { type: 'univariate_time_series', name: 'humidity', series: [33, 34, 35, 36, 37], frequency: 'hour', start_timestamp: '2025-06-05T13:10:00Z' },
    ],
    options: { horizon: 3, quantiles: [0.1, 0.5, 0.9] },
    ...overrides,
  };
}

/** expectError checks KServe's ErrorResponse shape, status and the field named. */
function expectError(res: { statusCode: number; json(): unknown }, status: number, type: string, param: string, message: RegExp) {
  expect(res.statusCode).toBe(status);
  const body = tsErrorResponse.parse(res.json());
  expect(body.error).toEqual({ code: String(status), type, param, message: expect.stringMatching(message) });
}

describe('GET /v1/timeseries/models', () => {
  it('lists the served model by name, as KServe does', async () => {
    const { app } = await setup();
    const res = await app.inject({ method: 'GET', url: '/v1/timeseries/models' });
    expect(res.statusCode).toBe(200);
    expect(modelList.parse(res.json())).toEqual(['energy']);
  });
});

describe('POST /v1/timeseries/forecast', () => {
  it("answers a request shaped like KServe's own tests with a ForecastResponse that passes their checks", async () => {
    const { app, model } = await setup();
    const request = kserveShaped();
    const res = await post(app, request);
    expect(res.statusCode).toBe(200);
    const body = forecastResponse.parse(res.json());
    expect(body).toMatchObject({ status: 'completed', model: 'energy' });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(body.created_at - Date.now() / 1000)).toBeLessThan(60);
    // verify_forecast_response of KServe's test_timeseries.py, check by check:
    const contents = body.outputs.flatMap((o) => o.content);
    expect(new Set(contents.map((c) => c.name))).toEqual(new Set(request.inputs.map((i) => i.name)));
    for (const output of body.outputs) {
      expect(output).toMatchObject({ type: 'time_series_forecast', status: 'completed' });
      const [c] = output.content;
      const input = request.inputs.find((i) => i.name === c.name)!;
      expect(c.type).toBe(input.type);
      expect(c.frequency).toBe(input.frequency);
      expect(c.mean_forecast).toHaveLength(request.options.horizon);
      // the start advances by the length of the input series
      expect(Date.parse(c.start_timestamp)).toBe(Date.parse(input.start_timestamp) + input.series.length * 3_600_000);
      expect(c.start_timestamp.endsWith('Z')).toBe(true);
      expect(Object.keys(c.quantiles ?? {})).toEqual(['0.1', '0.5', '0.9']);
      for (let t = 0; t < request.options.horizon; t++) {
        const q = c.quantiles as Record<string, number[]>;
        expect(q['0.1'][t]).toBeLessThanOrEqual(q['0.5'][t]);
        expect(q['0.5'][t]).toBeLessThanOrEqual(q['0.9'][t]);
      }
    }
    // The TestModel forecasts the last value + step (its features repeat the last value): the series were used.
    expect(contents[0].mean_forecast).toEqual([136, 137, 138]);
    expect(contents[1].mean_forecast).toEqual([38, 39, 40]);
    expect(model.calls.at(-1)).toBe(2); // both series in one batch
  });

  it('returns the first steps for a shorter horizon, and no quantiles when none are asked', async () => {
    const { app } = await setup();
    const res = await post(app, kserveShaped({ options: { horizon: 2 } }));
    expect(res.statusCode).toBe(200);
    const [c] = forecastResponse.parse(res.json()).outputs[0].content;
    expect(c.mean_forecast).toEqual([136, 137]);
    expect(c.quantiles).toBeUndefined();
  });

  it('keeps the UTC offset of start_timestamp', async () => {
    const { app } = await setup();
    const res = await post(app, kserveShaped({ inputs: [{ type: 'univariate_time_series', name: 'load', series: [1, 2, 3], frequency: 'H', start_timestamp: '2024-06-30T20:00:00+10:00' }] }));
    expect(forecastResponse.parse(res.json()).outputs[0].content[0].start_timestamp).toBe('2024-06-30T23:00:00+10:00');
  });

  it('takes covariates in the extra fields of an input', async () => {
    const { app } = await setup({ covariates: ['temperature'], knownCovariates: ['temperature'] });
    const input = { type: 'univariate_time_series', name: 'load', series: [1, 2, 3], frequency: 'H', start_timestamp: '2024-06-30T20:00:00Z' };
    const ok = await post(app, kserveShaped({ inputs: [{ ...input, covariates: { temperature: [5, 6, 7] }, future_covariates: { temperature: [8, 9, 10] } }] }));
    expect(ok.statusCode).toBe(200);
    expectError(await post(app, kserveShaped({ inputs: [input] })), 400, 'BadRequestError', 'inputs[0].covariates.temperature', /inputs\[0\]\.covariates\.temperature is required: one value per history row/);
    expectError(
      await post(app, kserveShaped({ inputs: [{ ...input, covariates: { temperature: [5, 6] }, future_covariates: { temperature: [8, 9, 10] } }] })),
      400,
      'BadRequestError',
      'inputs[0].covariates.temperature',
      /has 2 values for 3 history rows/,
    );
  });

  it.each([
    ['wrong frequency', { inputs: [{ type: 'univariate_time_series', name: 'x', series: [1, 2, 3], frequency: 'D', start_timestamp: '2025-06-05T13:00:00Z' }] }, 'invalid_frequency', 'inputs[0].frequency', /steps of "hour" or "H", got "D"/],
    ['series too short', { inputs: [{ type: 'univariate_time_series', name: 'x', series: [1, 2], frequency: 'H', start_timestamp: '2025-06-05T13:00:00Z' }] }, 'invalid_series', 'inputs[0].series', /has 2 values, the model needs at least 3/],
    ['horizon beyond the trained one', { options: { horizon: 4 } }, 'invalid_horizon', 'options.horizon', /4 is not in 1\.\.3/],
    ['unknown quantile', { options: { horizon: 3, quantiles: [0.1, 0.25] } }, 'invalid_quantile', 'options.quantiles[1]', /0\.25 is not a calibrated level/],
    ['a multivariate series', { inputs: [{ type: 'multivariate_time_series', name: 'x', series: [[1, 2, 3]], frequency: 'H', start_timestamp: '2025-06-05T13:00:00Z' }] }, 'unsupported_time_series_type', 'inputs[0].type', /only univariate_time_series/],
    ['no start_timestamp', { inputs: [{ type: 'univariate_time_series', name: 'x', series: [1, 2, 3], frequency: 'H' }] }, 'invalid_timestamp', 'inputs[0].start_timestamp', /is required/],
    ['an unknown frequency', { inputs: [{ type: 'univariate_time_series', name: 'x', series: [1, 2, 3], frequency: 'fortnight' }] }, 'BadRequestError', 'inputs[0].frequency', /^inputs\[0\]\.frequency: /],
    ['a string in a series', { inputs: [{ type: 'univariate_time_series', name: 'x', series: [1, '2', 3], frequency: 'H' }] }, 'BadRequestError', 'inputs[0].series', /^inputs\[0\]\.series/],
    ['no options', { options: undefined }, 'BadRequestError', 'options', /^options: /],
    ['no inputs', { inputs: [] }, 'BadRequestError', 'inputs', /give 1 to 256 series, got 0/],
  ])('answers 400 in KServe error shape naming the field: %s', async (_, overrides, type, param, message) => {
    const { app } = await setup();
    expectError(await post(app, kserveShaped(overrides)), 400, type, param, message);
  });

  it('answers 404 for another model', async () => {
    const { app } = await setup();
    expectError(await post(app, kserveShaped({ model: 'timesfm' })), 404, 'ModelNotFound', 'model', /serves "energy", not "timesfm"/);
  });

  it('answers malformed JSON and missing auth in KServe error shape too, with the same auth as the other routes', async () => {
    const { app } = await setup({ covariates: [] }, { auth: { apiKeys: ['secret'] } });
    expectError(await post(app, kserveShaped()), 401, 'FST_FLUXORA_UNAUTHORIZED', '', /./);
    expect((await app.inject({ method: 'GET', url: '/v1/timeseries/models' })).statusCode).toBe(401);
    const bad = await app.inject({ method: 'POST', url: '/v1/timeseries/forecast', payload: '{"model":', headers: { 'content-type': 'application/json', authorization: 'Bearer secret' } });
    expectError(bad, 400, 'FST_FLUXORA_INVALID_JSON', '', /Malformed JSON body/);
    expect((await post(app, kserveShaped(), { authorization: 'Bearer secret' })).statusCode).toBe(200);
  });

  it('holds the body limit, answering 413 in KServe error shape', async () => {
    const { app } = await setup({ covariates: [] }, { bodyLimit: 200 });
    expectError(await post(app, kserveShaped()), 413, 'FST_FLUXORA_BODY_TOO_LARGE', '', /larger than 200 bytes/);
  });

  it('counts its requests in the server metrics by route', async () => {
    const { app } = await setup();
    await post(app, kserveShaped());
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/route="\/v1\/timeseries\/forecast"[^\n]*\} 1\n/);
  });
});
