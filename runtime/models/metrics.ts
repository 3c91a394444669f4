/** NumericArray is a flat, row-major vector of values: samples x horizon for multi-step forecasts. */
export type NumericArray = Float32Array | Float64Array;

/** MAPE_EPSILON is the |actual| below which `mape` leaves a value out (its percentage error is undefined or explosive). */
export const MAPE_EPSILON = 1e-8;

/**
 * mae is the mean absolute error over every (sample, step) pair of flattened
 * multi-step forecasts, in the units of the target. NaN for empty input.
 */
export function mae(actual: NumericArray, predicted: NumericArray): number {
  requireSameLength(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i] - predicted[i]);
  return sum / actual.length;
}

/** rmse is the root mean squared error over every (sample, step) pair, in the units of the target. */
export function rmse(actual: NumericArray, predicted: NumericArray): number {
  requireSameLength(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = actual[i] - predicted[i];
    sum += error * error;
  }
  return Math.sqrt(sum / actual.length);
}

/** MapeResult is a MAPE in percent and how many values it had to leave out. */
export interface MapeResult {
  /** 100 x mean(|actual - predicted| / |actual|) over the values kept; NaN when none is kept. */
  value: number;
  /** Values with |actual| < epsilon, left out because their percentage error is undefined. */
  skipped: number;
}

/**
 * mape is the mean absolute percentage error, in percent. Values whose actual is
 * within `epsilon` of zero are skipped, not clamped, and counted in `skipped` so a
 * report can say so (a load series rarely has zeros; a net-load one can).
 */
export function mape(actual: NumericArray, predicted: NumericArray, epsilon = MAPE_EPSILON): MapeResult {
  requireSameLength(actual, predicted);
  let sum = 0;
  let kept = 0;
  for (let i = 0; i < actual.length; i++) {
    const magnitude = Math.abs(actual[i]);
    if (magnitude < epsilon) continue;
    sum += Math.abs(actual[i] - predicted[i]) / magnitude;
    kept++;
  }
  return { value: kept === 0 ? Number.NaN : (100 * sum) / kept, skipped: actual.length - kept };
}

/**
 * r2 is the coefficient of determination over the flattened forecasts:
 * 1 - SS_res / SS_tot, with the mean taken over all values. 1 is perfect, 0 is
 * no better than predicting the mean, negative is worse. NaN when the actuals are
 * constant.
 */
export function r2(actual: NumericArray, predicted: NumericArray): number {
  requireSameLength(actual, predicted);
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i];
  mean /= actual.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = actual[i] - predicted[i];
    const deviation = actual[i] - mean;
    residual += error * error;
    total += deviation * deviation;
  }
  return total === 0 ? Number.NaN : 1 - residual / total;
}

/** ForecastMetrics are the test metrics a TrainingJob reports. */
export interface ForecastMetrics {
  mae: number;
  rmse: number;
  /** MAPE in percent over the values with |actual| >= MAPE_EPSILON. */
  mape: number;
  /** How many values MAPE left out for being (near) zero. */
  mapeSkipped: number;
  r2: number;
  /** Symmetric MAPE in percent: mean of 200 |a - p| / (|a| + |p|), pairs with a zero denominator left out. */
  smape: number;
  /** Number of values compared (samples x horizon). */
  count: number;
}

/** forecastMetrics computes MAE, RMSE, MAPE and R2 of flattened multi-step forecasts in one call, in target units. */
export function forecastMetrics(actual: NumericArray, predicted: NumericArray): ForecastMetrics {
  const percentage = mape(actual, predicted);
  return {
    mae: mae(actual, predicted),
    rmse: rmse(actual, predicted),
    mape: percentage.value,
    mapeSkipped: percentage.skipped,
    r2: r2(actual, predicted),
    smape: smape(actual, predicted),
    count: actual.length,
  };
}

/** smape is the symmetric mean absolute percentage error in percent (0 to 200); pairs where both are 0 are left out. */
export function smape(actual: NumericArray, predicted: NumericArray): number {
  requireSameLength(actual, predicted);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const denominator = Math.abs(actual[i]) + Math.abs(predicted[i]);
    if (denominator === 0) continue;
    sum += (200 * Math.abs(actual[i] - predicted[i])) / denominator;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

function requireSameLength(actual: NumericArray, predicted: NumericArray): void {
  if (actual.length !== predicted.length) {
    throw new RangeError(`metrics: ${actual.length} actual values but ${predicted.length} predicted`);
  }
}
