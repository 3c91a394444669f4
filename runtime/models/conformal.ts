import type { NumericArray } from './metrics.ts';

/**
 * ConformalQuantiles are split-conformal interval half-widths, one per forecast
 * step, in target units. Plain JSON: stored with the model, used at serving time.
 */
export interface ConformalQuantiles {
  /** Target coverage, e.g. 0.9. */
  coverage: number;
  /** Calibration (validation) samples the quantiles came from. */
  calibrationSamples: number;
  /** Half-width of the interval for step s+1 (index s). */
  halfWidths: number[];
}

/**
 * conformalQuantiles calibrates split-conformal prediction intervals per forecast
 * step from held-out residuals: for each step it sorts the n absolute residuals
 * |actual - predicted| (unscaled) and takes the k-th smallest, k = ceil((n + 1) *
 * coverage). Under exchangeability `predicted ± halfWidth` then covers a new
 * actual with probability at least `coverage` (and at most coverage + 1/(n+1)).
 * Both arrays are row-major samples x horizon, from data the model was not fitted
 * on (the validation split). Throws a RangeError when n is too small for the
 * coverage (k > n would need an infinite interval).
 */
export function conformalQuantiles(
  actual: NumericArray,
  predicted: NumericArray,
  horizon: number,
  coverage: number,
): ConformalQuantiles {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`conformal: coverage must be in (0, 1), got ${coverage}`);
  if (actual.length !== predicted.length || actual.length % horizon !== 0) {
    throw new RangeError(`conformal: ${actual.length} actual and ${predicted.length} predicted values are not samples x ${horizon}`);
  }
  const n = actual.length / horizon;
  const k = conformalRank(n, coverage);
  if (k > n) {
    const needed = Math.ceil(coverage / (1 - coverage) - RANK_TOLERANCE);
    throw new RangeError(`conformal: ${n} calibration samples are too few for coverage ${coverage} (need at least ${needed})`);
  }
  const residuals = new Float64Array(n);
  const halfWidths: number[] = [];
  for (let s = 0; s < horizon; s++) {
    for (let i = 0; i < n; i++) residuals[i] = Math.abs(actual[i * horizon + s] - predicted[i * horizon + s]);
    residuals.sort();
    halfWidths.push(residuals[k - 1]);
  }
  return { coverage, calibrationSamples: n, halfWidths };
}

/**
 * RANK_TOLERANCE absorbs floating-point error in (n + 1) * coverage, so that e.g.
 * 10 * 0.9 counts as 9 and not as 9.000000000000002 rounded up to 10.
 */
const RANK_TOLERANCE = 1e-9;

/** conformalRank is k = ceil((n + 1) * coverage), the 1-based rank of the residual used as half-width. */
export function conformalRank(n: number, coverage: number): number {
  return Math.ceil((n + 1) * coverage - RANK_TOLERANCE);
}

/** PredictionIntervals are lower and upper bounds, row-major samples x horizon like the forecasts they bracket. */
export interface PredictionIntervals {
  lower: Float64Array;
  upper: Float64Array;
}

/** conformalIntervals turns point forecasts (row-major samples x horizon) into intervals predicted ± halfWidths[step]. */
export function conformalIntervals(predicted: NumericArray, quantiles: ConformalQuantiles): PredictionIntervals {
  const horizon = quantiles.halfWidths.length;
  if (predicted.length % horizon !== 0) {
    throw new RangeError(`conformal: ${predicted.length} forecasts are not samples x ${horizon}`);
  }
  const lower = new Float64Array(predicted.length);
  const upper = new Float64Array(predicted.length);
  for (let i = 0; i < predicted.length; i++) {
    const halfWidth = quantiles.halfWidths[i % horizon];
    lower[i] = predicted[i] - halfWidth;
    upper[i] = predicted[i] + halfWidth;
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
 * horizon. Compare it with the target coverage on the test split.
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
