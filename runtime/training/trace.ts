import type { ForecastTrace } from '../console/api.ts';
import { type ConformalCalibration, conformalIntervals } from '../models/conformal.ts';

/** TraceInput is the backtest a trace is cut from: samples [from, to) of a forecast frame. */
export interface TraceInput {
  horizon: number;
  /** Target times (epoch ms) of every sample of the frame, samples x horizon. */
  targetTimes: Float64Array;
  /** First and end sample of the backtest window the forecasts below cover. */
  from: number;
  to: number;
  /** Actuals and forecasts of samples [from, to), row-major x horizon. */
  actual: Float32Array;
  predicted: Float32Array;
  /** Per-step interval offsets calibrated without the traced samples' residuals. */
  calibration: Pick<ConformalCalibration, 'lower' | 'upper'>;
  coverage: number;
}

const round = (v: number) => Number(v.toPrecision(6));

/**
 * forecastTrace cuts a plottable forecast-versus-observed series from a
 * backtest: the forecasts of origins one horizon apart, ending at the window's
 * last origin, so their targets tile time without overlap (each target forecast
 * once, at lead times 1..horizon). It stops at `maxPoints` targets, at the start
 * of the window, or where times stop increasing (another entity's series).
 */
export function forecastTrace(input: TraceInput, maxPoints = 336): ForecastTrace {
  const h = input.horizon;
  const origins: number[] = [];
  for (let i = input.to - 1; i >= input.from && (origins.length + 1) * h <= Math.max(h, maxPoints); i -= h) {
    const next = origins[origins.length - 1];
    if (next !== undefined && !(input.targetTimes[i * h + h - 1] < input.targetTimes[next * h])) break;
    origins.push(i);
  }
  origins.reverse();
  const trace: ForecastTrace = { coverage: input.coverage, timestamps: [], observed: [], forecast: [], lower: [], upper: [] };
  for (const i of origins) {
    const k = (i - input.from) * h;
    const point = input.predicted.subarray(k, k + h);
    const { lower, upper } = conformalIntervals(point, input.calibration);
    for (let s = 0; s < h; s++) {
      trace.timestamps.push(new Date(input.targetTimes[i * h + s]).toISOString());
      trace.observed.push(round(input.actual[k + s]));
      trace.forecast.push(round(point[s]));
      trace.lower.push(round(lower[s]));
      trace.upper.push(round(upper[s]));
    }
  }
  return trace;
}
