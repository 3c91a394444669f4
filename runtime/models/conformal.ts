import type { NumericArray } from './metrics.ts';

/**
 * QUANTILE_LEVELS are the quantile levels every calibration stores (0.01 to
 * 0.99 by 0.01), so a forecast can ask for any of them without refitting.
 */
export const QUANTILE_LEVELS: readonly number[] = Object.freeze(Array.from({ length: 99 }, (_, i) => (i + 1) / 100));

/**
 * ConformalCalibration holds split-conformal residual quantiles per forecast
 * step, in target units, added to the point forecast: `lower[s]` and `upper[s]`
 * bound the interval of the target coverage, `offsets[s][j]` is quantile level
 * `levels[j]`. Plain JSON: stored with the model, used at serving time.
 */
export interface ConformalCalibration {
  /** Target coverage of [lower, upper], e.g. 0.9. */
  coverage: number;
  /** Out-of-sample forecasts the quantiles came from. */
  calibrationSamples: number;
  levels: number[];
  /** horizon x levels.length residual quantiles. */
  offsets: number[][];
  lower: number[];
  upper: number[];
}

/**
 * RANK_TOLERANCE absorbs floating-point error in (n + 1) * level, so that e.g.
 * 10 * 0.9 counts as 9 and not as 9.000000000000002 rounded up to 10.
 */
const RANK_TOLERANCE = 1e-9;

/**
 * conformalOffset is the finite-sample conformal quantile of sorted residuals at
 * `level`: the ceil((n+1)*level)-th smallest above the median and the
 * floor((n+1)*level)-th below it (clamped to the sample), so each tail of an
 * equal-tailed interval holds at most its share under exchangeability.
 */
export function conformalOffset(sorted: Float64Array, level: number): number {
  const n = sorted.length;
  const rank = level >= 0.5 ? Math.ceil((n + 1) * level - RANK_TOLERANCE) : Math.floor((n + 1) * level + RANK_TOLERANCE);
  return sorted[Math.min(n, Math.max(1, rank)) - 1];
}

/**
 * calibrate computes a ConformalCalibration from out-of-sample residuals
 * `actual - predicted` (both row-major samples x horizon, e.g. the rolling-origin
 * backtest's forecasts): per step it sorts the residuals and takes the
 * equal-tailed interval [(1 - coverage) / 2, (1 + coverage) / 2] and every
 * level of QUANTILE_LEVELS. Throws a RangeError when there are too few samples
 * for the coverage (each tail needs at least one residual beyond it).
 */
export function calibrate(actual: NumericArray, predicted: NumericArray, horizon: number, coverage: number): ConformalCalibration {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`conformal: coverage must be in (0, 1), got ${coverage}`);
  if (actual.length !== predicted.length || actual.length % horizon !== 0) {
    throw new RangeError(`conformal: ${actual.length} actual and ${predicted.length} predicted values are not samples x ${horizon}`);
  }
  const n = actual.length / horizon;
  const needed = Math.ceil(2 / (1 - coverage) - 1 - RANK_TOLERANCE);
  if (n < needed) throw new RangeError(`conformal: ${n} calibration samples are too few for coverage ${coverage} (need at least ${needed})`);
  const residuals = new Float64Array(n);
  const offsets: number[][] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let s = 0; s < horizon; s++) {
    for (let i = 0; i < n; i++) residuals[i] = actual[i * horizon + s] - predicted[i * horizon + s];
    residuals.sort();
    offsets.push(QUANTILE_LEVELS.map((q) => conformalOffset(residuals, q)));
    lower.push(conformalOffset(residuals, (1 - coverage) / 2));
    upper.push(conformalOffset(residuals, (1 + coverage) / 2));
  }
  return { coverage, calibrationSamples: n, levels: [...QUANTILE_LEVELS], offsets, lower, upper };
}

/** quantileIndex finds a level in a calibration (to 1e-9), or -1. */
export function quantileIndex(calibration: Pick<ConformalCalibration, 'levels'>, level: number): number {
  return calibration.levels.findIndex((l) => Math.abs(l - level) < 1e-9);
}

/** PredictionIntervals are lower and upper bounds, row-major samples x horizon like the forecasts they bracket. */
export interface PredictionIntervals {
  lower: Float64Array;
  upper: Float64Array;
}

/** conformalIntervals turns point forecasts (row-major samples x horizon) into intervals predicted + lower/upper[step]. */
export function conformalIntervals(predicted: NumericArray, calibration: Pick<ConformalCalibration, 'lower' | 'upper'>): PredictionIntervals {
  const horizon = calibration.lower.length;
  if (predicted.length % horizon !== 0) throw new RangeError(`conformal: ${predicted.length} forecasts are not samples x ${horizon}`);
  const lower = new Float64Array(predicted.length);
  const upper = new Float64Array(predicted.length);
  for (let i = 0; i < predicted.length; i++) {
    lower[i] = predicted[i] + calibration.lower[i % horizon];
    upper[i] = predicted[i] + calibration.upper[i % horizon];
  }
  return { lower, upper };
}

/** Coverage is the share of actuals inside their intervals, overall and per forecast step. */
export interface Coverage {
  overall: number;
  perStep: number[];
}

/**
 * empiricalCoverage measures how often actuals fall inside [lower, upper]
 * (inclusive), over all values and per step; all arrays row-major samples x
 * horizon. Compare it with the target coverage on held-out forecasts.
 */
export function empiricalCoverage(actual: NumericArray, lower: NumericArray, upper: NumericArray, horizon: number): Coverage {
  if (actual.length !== lower.length || actual.length !== upper.length || actual.length % horizon !== 0) {
    throw new RangeError(`coverage: arrays of ${actual.length}, ${lower.length}, ${upper.length} values are not samples x ${horizon}`);
  }
  const hits = new Float64Array(horizon);
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] >= lower[i] && actual[i] <= upper[i]) {
      hits[i % horizon]++;
      total++;
    }
  }
  const samples = actual.length / horizon;
  return { overall: total / actual.length, perStep: Array.from(hits, (h) => h / samples) };
}
