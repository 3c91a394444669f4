import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.ts';
import { float32Number } from '../float32.ts';
import { checkCovariates, DEFAULT_QUANTILES, parseForecastRequest, quantileOffsetsFor } from '../forecast-request.ts';
import { requireFinite } from '../infer-response.ts';
import { HistoryError } from '../loaded-model.ts';
import { formatWithOffset, offsetOf } from '../timestamp-offset.ts';
import type { RouteOptions } from '../serve-context.ts';

/** Forecast is one future step of a POST /v1/forecast response. */
export interface Forecast {
  /** ISO-8601, at the UTC offset of the history's last timestamp. */
  timestamp: string;
  value: number;
  lower: number;
  upper: number;
  /** The requested quantiles of this step, by level as written in JSON (e.g. "0.1"). */
  quantiles: Record<string, number>;
}

/** ForecastResponse is the body of a POST /v1/forecast response. */
export interface ForecastResponse {
  model: { name: string; version: number };
  horizon: number;
  coverage: number;
  forecasts: Forecast[];
}

/**
 * forecastRoutes serve `POST /v1/forecast`: raw history in (timestamps, target,
 * covariates, future covariates), the model's own feature code turns it into one
 * input row (a HistoryError becomes a 400 saying what is missing), the row goes
 * through the same micro-batcher as OIP requests, and the horizon's forecasts with
 * their intervals and quantiles come back at the history's UTC offset.
 */
export async function forecastRoutes(app: FastifyInstance, { context }: RouteOptions): Promise<void> {
  const { state, batcher, metrics, predictions } = context;

  app.post('/v1/forecast', { onRequest: context.guarded }, async (request): Promise<ForecastResponse> => {
    const served = state.requireServed();
    const { model, nInputs, horizon } = served;
    const input = parseForecastRequest(request.body);
    checkCovariates(input, model);
    const quantiles = quantileOffsetsFor(input.quantiles ?? DEFAULT_QUANTILES, model);
    const last = input.timestamps.length - 1;
    const offset = offsetOf(input.timestamps[last]);
    if (offset === undefined) {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(`timestamps[${last}] does not end in a valid UTC offset`);
    }
    let features: { X: Float32Array; targetTimes: number[] };
    try {
      features = model.featuresFromHistory(input);
    } catch (error) {
      if (error instanceof HistoryError || (error as { code?: unknown } | null)?.code === 'FST_FLUXORA_BAD_HISTORY') {
        throw new errors.FST_FLUXORA_BAD_HISTORY((error as Error).message);
      }
      throw error;
    }
    const { X, targetTimes } = features;
    if (!(X instanceof Float32Array) || X.length !== nInputs || targetTimes.length !== horizon) {
      throw new Error(`featuresFromHistory returned ${X?.length} inputs and ${targetTimes?.length} target times, expected ${nInputs} and ${horizon}`);
    }
    const { point, lower, upper } = await batcher.submit(X, 1);
    try {
      requireFinite(point);
      requireFinite(lower);
      requireFinite(upper);
    } catch (error) {
      metrics.predictionFailed(1);
      throw error;
    }
    predictions.record(model.name, model.version, model.inputNames, X, 1, point);
    const forecasts: Forecast[] = new Array(horizon);
    for (let h = 0; h < horizon; h++) {
      forecasts[h] = {
        timestamp: formatWithOffset(targetTimes[h], offset),
        value: float32Number(point[h]),
        lower: float32Number(lower[h]),
        upper: float32Number(upper[h]),
        quantiles: Object.fromEntries(quantiles.map((q) => [String(q.level), float32Number(point[h] + q.offsets[h])])),
      };
    }
    return { model: { name: model.name, version: model.version }, horizon, coverage: model.coverage, forecasts };
  });
}
