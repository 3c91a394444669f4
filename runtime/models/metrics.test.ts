import { describe, expect, it } from 'vitest';
import { forecastMetrics, mae, mape, r2, rmse, smape } from './metrics.ts';

const actual = Float64Array.from([1, 2, 3, 4]);
const predicted = Float64Array.from([2, 2, 1, 5]);

describe('point metrics', () => {
  it('computes MAE, RMSE and R2 by hand', () => {
    expect(mae(actual, predicted)).toBeCloseTo((1 + 0 + 2 + 1) / 4);
    expect(rmse(actual, predicted)).toBeCloseTo(Math.sqrt((1 + 0 + 4 + 1) / 4));
    // mean 2.5, SS_tot = 5, SS_res = 6
    expect(r2(actual, predicted)).toBeCloseTo(1 - 6 / 5);
    expect(r2(actual, actual)).toBe(1);
    expect(r2(Float64Array.from([3, 3]), Float64Array.from([3, 4]))).toBeNaN();
  });

  it('computes MAPE in percent, skipping near-zero actuals and counting them', () => {
    expect(mape(actual, predicted)).toEqual({ value: (100 * (1 + 0 + 2 / 3 + 1 / 4)) / 4, skipped: 0 });
    const withZero = mape(Float32Array.from([0, 2, 1e-9]), Float32Array.from([5, 1, 3]));
    expect(withZero).toEqual({ value: 50, skipped: 2 });
    expect(mape(Float32Array.from([0]), Float32Array.from([1])).value).toBeNaN();
  });

  it('accepts float32 and float64 arrays alike and checks lengths', () => {
    expect(mae(Float32Array.from(actual), predicted)).toBeCloseTo(1);
    expect(() => mae(actual, Float64Array.from([1]))).toThrow(/4 actual values but 1 predicted/);
  });

  it('reports all metrics of flattened multi-step forecasts together', () => {
    expect(forecastMetrics(actual, predicted)).toEqual({
      mae: mae(actual, predicted),
      rmse: rmse(actual, predicted),
      mape: mape(actual, predicted).value,
      mapeSkipped: 0,
      r2: r2(actual, predicted),
      smape: smape(actual, predicted),
      count: 4,
    });
  });

  it('computes sMAPE in percent by hand, leaving out pairs that are both zero', () => {
    // |1-3| / (1+3) * 200 = 100, |2-2| = 0, (0, 0) left out.
    expect(smape(Float64Array.of(1, 2, 0), Float64Array.of(3, 2, 0))).toBeCloseTo(50, 12);
    expect(smape(Float64Array.of(0), Float64Array.of(0))).toBe(0);
  });
});
