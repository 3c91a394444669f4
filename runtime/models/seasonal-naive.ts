import { mae, type NumericArray } from './metrics.ts';

/** SeasonalNaiveInput describes which forecasts the seasonal-naive baseline makes. */
export interface SeasonalNaiveInput {
  /**
   * The target series, unscaled, as an array or as a lookup by series index. The
   * lookup form lets a caller serve values from a table column without a copy.
   */
  series: NumericArray | ((index: number) => number);
  /**
   * Per sample, the series index t of its forecast origin: the last observed
   * value. The sample's target for step s (1-based) is series[t + s].
   */
  origins: Int32Array | Uint32Array | readonly number[];
  horizon: number;
  /** Season length in steps, e.g. 24 for daily seasonality of hourly data. */
  period: number;
}

/**
 * seasonalNaive is the baseline every forecaster must beat: each step repeats the
 * value one season earlier that was already known at the origin. For origin t
 * and step s = 1..horizon it predicts series[t + s - period * ceil(s / period)]
 * (steps beyond one period reuse the last observed season). Returns row-major
 * samples x horizon. Throws a RangeError when a sample's origin is too early to
 * have a full season behind it: drop such samples first.
 */
export function seasonalNaive(input: SeasonalNaiveInput): Float64Array {
  const { origins, horizon, period } = input;
  if (!(Number.isInteger(period) && period > 0)) throw new RangeError(`seasonalNaive: period must be a positive integer, got ${period}`);
  if (!(Number.isInteger(horizon) && horizon > 0)) throw new RangeError(`seasonalNaive: horizon must be a positive integer, got ${horizon}`);
  const valueAt = typeof input.series === 'function' ? input.series : lookup(input.series);
  const out = new Float64Array(origins.length * horizon);
  for (let i = 0; i < origins.length; i++) {
    const origin = origins[i];
    if (origin + 1 - period < 0) {
      throw new RangeError(`seasonalNaive: sample ${i} (origin ${origin}) has less than one period (${period}) of history`);
    }
    for (let s = 1; s <= horizon; s++) {
      out[i * horizon + s - 1] = valueAt(origin + s - period * Math.ceil(s / period));
    }
  }
  return out;
}

/**
 * seasonalNaiveMae is the MAE of the seasonal-naive baseline on the same samples
 * as `actual` (row-major samples x horizon, unscaled): the `baseline.mae` a
 * TrainingJob reports next to the model's test MAE.
 */
export function seasonalNaiveMae(input: SeasonalNaiveInput & { actual: NumericArray }): number {
  return mae(input.actual, seasonalNaive(input));
}

function lookup(series: NumericArray): (index: number) => number {
  return (index) => {
    if (index < 0 || index >= series.length) throw new RangeError(`seasonalNaive: series index ${index} out of range`);
    return series[index];
  };
}
