import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toServeError } from '../error-handler.ts';
import { ServeError } from '../errors.ts';
import { float32Number } from '../float32.ts';
import { checkCovariates, MAX_COVARIATES, MAX_HISTORY_ROWS, quantileOffsetsFor } from '../forecast-request.ts';
import { requireFinite } from '../infer-response.ts';
import { type ForecastInput, HistoryError, type LoadedModel } from '../loaded-model.ts';
import type { RouteOptions } from '../serve-context.ts';
import {
  FREQUENCY_STEP_MS,
  type ForecastOutput,
  forecastRequest,
  type TimeSeriesForecast,
  type TimeSeriesForecastRequest,
  type TimeSeriesForecastResponse,
} from '../timeseries-types.ts';
import { formatWithOffset, offsetOf } from '../timestamp-offset.ts';

/**
 * KServe's Time Series API (see timeseries-types.ts for the schemas):
 *
 *   GET  /v1/timeseries/models     the names of the models served: `["energy"]`
 *   POST /v1/timeseries/forecast   `{model, inputs, options: {horizon, quantiles}}`
 *
 * Each univariate input is one target series, forecast on its own (all of a
 * request's series go through the micro-batcher as one batch): its `series` is the
 * history the model's feature code reads (lags, rolling windows), its timestamps
 * are `start_timestamp` plus one `frequency` step per value, at the start's UTC
 * offset. A model with covariates takes them in the input's extra fields (KServe's
 * types allow extra fields): `covariates` (name → one value per history value) and
 * `future_covariates` (known-in-advance ones: name → one value per forecast step
 * of the model). Quantiles are the model's calibrated conformal quantiles.
 *
 * What the model cannot serve (a frequency other than its step, a series shorter
 * than its lag window, a horizon beyond its own, an uncalibrated quantile) is a 400
 * in KServe's error shape, `{"error": {"code": "400", "message", "param", "type"}}`,
 * with `param` naming the field; so are all errors of these two routes (401, 413, 503, ...).
 */

/** MAX_SERIES is the most input series one forecast request may carry. */
export const MAX_SERIES = 256;

/** TimeSeriesError is a KServe Time Series API error: its `type` and the request field it is about. */
export class TimeSeriesError extends ServeError {
  readonly type: string;
  readonly param: string;
  constructor(type: string, param: string, message: string, statusCode = 400) {
    super(`FST_FLUXORA_TIMESERIES_${type.toUpperCase()}`, message, statusCode);
    this.type = type;
    this.param = param;
  }
}

/** timeSeriesErrorBody writes any error of these routes as KServe's ErrorResponse. */
export function timeSeriesErrorBody(error: ServeError): { error: { code: string; message: string; param: string; type: string } } {
  const ts = error instanceof TimeSeriesError ? error : undefined;
  return { error: { code: String(error.statusCode), message: error.message, param: ts?.param ?? '', type: ts?.type ?? error.code } };
}

function frequencyName(stepMs: number): string {
  const names = Object.entries(FREQUENCY_STEP_MS)
    .filter(([, ms]) => ms === stepMs)
    .map(([name]) => `"${name}"`);
  return names.length > 0 ? names.join(' or ') : `${stepMs} ms`;
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** parseRequest validates the body against KServe's ForecastRequest and Fluxora's limits. */
function parseRequest(body: unknown): TimeSeriesForecastRequest {
  const parsed = forecastRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = pathText(issue.path);
    throw new TimeSeriesError('BadRequestError', param, `${param || 'body'}: ${issue.message}`);
  }
  const request = parsed.data;
  if (request.inputs.length === 0 || request.inputs.length > MAX_SERIES) {
    throw new TimeSeriesError('BadRequestError', 'inputs', `inputs: give 1 to ${MAX_SERIES} series, got ${request.inputs.length}`);
  }
  return request;
}

/** covariatesOf reads the Fluxora extension fields `covariates` / `future_covariates` of input `i`. */
function covariatesOf(input: Record<string, unknown>, i: number, field: 'covariates' | 'future_covariates'): Record<string, number[]> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  const param = `inputs[${i}].${field}`;
  if (typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length > MAX_COVARIATES) {
    throw new TimeSeriesError('BadRequestError', param, `${param}: expected an object of at most ${MAX_COVARIATES} named series`);
  }
  for (const [name, values] of Object.entries(value)) {
    if (!Array.isArray(values) || values.length > MAX_HISTORY_ROWS || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new TimeSeriesError('BadRequestError', `${param}.${name}`, `${param}.${name}: expected an array of finite numbers`);
    }
  }
  return value as Record<string, number[]>;
}

/** historyOf turns input `i` into the model's ForecastInput, or throws the 400 naming the field. */
function historyOf(request: TimeSeriesForecastRequest, i: number, model: LoadedModel): { input: ForecastInput; start: string } {
  const ts = request.inputs[i];
  const at = `inputs[${i}]`;
  if (ts.type !== 'univariate_time_series') {
    throw new TimeSeriesError(
      'unsupported_time_series_type',
      `${at}.type`,
      `${at}.type: only univariate_time_series is supported: the model forecasts one target (${model.target}); give covariates in the input's "covariates" field`,
    );
  }
  const series = ts.series as number[];
  const step = FREQUENCY_STEP_MS[ts.frequency];
  if (step !== model.stepMs) {
    throw new TimeSeriesError(
      'invalid_frequency',
      `${at}.frequency`,
      `${at}.frequency: the model forecasts steps of ${frequencyName(model.stepMs)}, got "${ts.frequency}"`,
    );
  }
  if (series.length < model.requiredHistory) {
    throw new TimeSeriesError(
      'invalid_series',
      `${at}.series`,
      `${at}.series: has ${series.length} values, the model needs at least ${model.requiredHistory} (its longest lag and rolling window)`,
    );
  }
  if (series.length > MAX_HISTORY_ROWS) {
    throw new TimeSeriesError('invalid_series', `${at}.series`, `${at}.series: has ${series.length} values, at most ${MAX_HISTORY_ROWS} are accepted`);
  }
  const start = ts.start_timestamp;
  const offset = start ? offsetOf(start) : undefined;
  const startMs = start ? Date.parse(start) : Number.NaN;
  if (!start || offset === undefined || Number.isNaN(startMs)) {
    throw new TimeSeriesError(
      'invalid_timestamp',
      `${at}.start_timestamp`,
      `${at}.start_timestamp: ${start ? `"${start}" is not` : 'is required:'} an ISO-8601 timestamp (the model's calendar features need the time of every step)`,
    );
  }
  const timestamps = series.map((_, k) => formatWithOffset(startMs + k * step, offset));
  const input: ForecastInput = {
    timestamps,
    target: series,
    covariates: covariatesOf(ts, i, 'covariates'),
    futureCovariates: covariatesOf(ts, i, 'future_covariates'),
  };
  try {
    checkCovariates(input, model, { covariates: `${at}.covariates`, futureCovariates: `${at}.future_covariates` });
  } catch (error) {
    const message = (error as Error).message.replace(/^Invalid request: /, '');
    throw new TimeSeriesError('BadRequestError', message.split(/[: ]/)[0], message);
  }
  return { input, start };
}

/** timeseriesRoutes serve KServe's Time Series API (module comment), with the auth, metrics and limits of the other routes. */
export async function timeseriesRoutes(app: FastifyInstance, { context }: RouteOptions): Promise<void> {
  const { state, batcher, metrics, predictions } = context;
  const bodyLimit = app.initialConfig.bodyLimit;
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const serveError = toServeError(error, request, bodyLimit);
    if (serveError.statusCode >= 500 && serveError.code !== 'FST_FLUXORA_OVERLOADED') {
      request.log.error({ err: error, code: serveError.code }, 'Request failed');
    }
    reply.code(serveError.statusCode);
    if (serveError.headers !== undefined) reply.headers(serveError.headers);
    return reply.send(timeSeriesErrorBody(serveError));
  });

  app.get('/v1/timeseries/models', { onRequest: context.authenticated }, async (): Promise<string[]> => {
    const served = state.served;
    return served ? [served.model.name] : [];
  });

  app.post('/v1/timeseries/forecast', { onRequest: context.guarded }, async (request): Promise<TimeSeriesForecastResponse> => {
    const { model, nInputs } = state.requireServed();
    const body = parseRequest(request.body);
    if (body.model !== model.name) {
      throw new TimeSeriesError('ModelNotFound', 'model', `model: this server serves "${model.name}", not "${body.model}"`, 404);
    }
    const horizon = body.options.horizon;
    if (horizon < 1 || horizon > model.horizon) {
      throw new TimeSeriesError('invalid_horizon', 'options.horizon', `options.horizon: ${horizon} is not in 1..${model.horizon}, the steps the model was trained to forecast`);
    }
    const levels = body.options.quantiles ?? [];
    let quantiles: { level: number; offsets: Float32Array }[];
    try {
      quantiles = quantileOffsetsFor(levels, model);
    } catch (error) {
      const j = Number(/quantiles\[(\d+)\]/.exec((error as Error).message)?.[1] ?? 0);
      throw new TimeSeriesError('invalid_quantile', `options.quantiles[${j}]`, `options.${(error as Error).message.replace(/^Invalid request: /, '')}`);
    }
    const n = body.inputs.length;
    const X = new Float32Array(n * nInputs);
    const firstTimes: number[] = [];
    const starts: string[] = [];
    for (let i = 0; i < n; i++) {
      const { input, start } = historyOf(body, i, model);
      let features: { X: Float32Array; targetTimes: number[] };
      try {
        features = model.featuresFromHistory(input);
      } catch (error) {
        if (error instanceof HistoryError || (error as { code?: unknown } | null)?.code === 'FST_FLUXORA_BAD_HISTORY') {
          throw new TimeSeriesError('invalid_series', `inputs[${i}].series`, `inputs[${i}]: ${(error as Error).message}`);
        }
        throw error;
      }
      X.set(features.X, i * nInputs);
      firstTimes.push(features.targetTimes[0]);
      starts.push(start);
    }
    const { point } = await batcher.submit(X, n);
    try {
      requireFinite(point);
    } catch (error) {
      metrics.predictionFailed(n);
      throw error;
    }
    predictions.record(model.name, model.version, model.inputNames, X, n, point);

    const outputs: ForecastOutput[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const base = i * model.horizon;
      const mean = Array.from({ length: horizon }, (_, h) => float32Number(point[base + h]));
      const content: TimeSeriesForecast = {
        type: 'univariate_time_series',
        name: body.inputs[i].name,
        mean_forecast: mean,
        frequency: body.inputs[i].frequency,
        start_timestamp: formatWithOffset(firstTimes[i], offsetOf(starts[i]) ?? { minutes: 0, suffix: 'Z' }),
      };
      if (quantiles.length > 0) {
        content.quantiles = Object.fromEntries(
          quantiles.map((q) => [String(q.level), Array.from({ length: horizon }, (_, h) => float32Number(point[base + h] + q.offsets[h]))]),
        );
      }
      outputs[i] = { type: 'time_series_forecast', id: randomUUID(), status: 'completed', content: [content] };
    }
    return { id: randomUUID(), created_at: Math.floor(Date.now() / 1000), status: 'completed', model: body.model, outputs };
  });
}
