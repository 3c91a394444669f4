import { describe, expect, it } from 'vitest';
import { conformalIntervals, conformalQuantiles, conformalRank, empiricalCoverage } from './conformal.ts';
import { seededGaussian, seededRandom } from './random.ts';

describe('conformalRank', () => {
  it.each([
    [9, 0.9, 9],
    [99, 0.9, 90],
    [100, 0.9, 91],
    [999, 0.95, 950],
    [19, 0.95, 19],
  ])('n = %i, coverage %f -> k = %i, immune to float error', (n, coverage, k) => {
    expect(conformalRank(n, coverage)).toBe(k);
  });
});

describe('conformalQuantiles', () => {
  it('takes the ceil((n + 1) * coverage)-th smallest absolute residual per step', () => {
    // 9 samples, 2 steps; step 0 residuals 1..9, step 1 residuals 10..90.
    const actual = new Float64Array(18);
    const predicted = new Float64Array(18);
    for (let i = 0; i < 9; i++) {
      actual[i * 2] = i % 2 === 0 ? i + 1 : -(i + 1);
      actual[i * 2 + 1] = 10 * (9 - i);
    }
    // k = ceil(10 * 0.8) = 8
    const q = conformalQuantiles(actual, predicted, 2, 0.8);
    expect(q).toEqual({ coverage: 0.8, calibrationSamples: 9, halfWidths: [8, 80] });
    expect(JSON.parse(JSON.stringify(q))).toEqual(q);
  });

  it('refuses coverage the calibration set is too small for', () => {
    const few = new Float64Array(8);
    expect(() => conformalQuantiles(few, few, 1, 0.9)).toThrow(/8 calibration samples are too few for coverage 0.9 \(need at least 9\)/);
    expect(() => conformalQuantiles(new Float64Array(9), new Float64Array(9), 1, 0.9)).not.toThrow();
  });
});

describe('conformal intervals on Gaussian noise', () => {
  it('cover the target share of a large test set, overall and per step, within 3 points', () => {
    const horizon = 4;
    const noise = seededGaussian(seededRandom(2024));
    // Noise grows with the step, as forecast errors do; yhat is the true mean.
    const sample = (n: number) => {
      const predicted = new Float64Array(n * horizon);
      const actual = new Float64Array(n * horizon);
      for (let i = 0; i < predicted.length; i++) {
        predicted[i] = 100 + 10 * Math.sin(i / 7);
        actual[i] = predicted[i] + (1 + (i % horizon)) * noise();
      }
      return { predicted, actual };
    };
    const calibration = sample(2_000);
    const test = sample(20_000);
    for (const coverage of [0.8, 0.9, 0.95]) {
      const q = conformalQuantiles(calibration.actual, calibration.predicted, horizon, coverage);
      // Half-widths track the per-step noise scale (z * sigma_s).
      expect(q.halfWidths[3] / q.halfWidths[0]).toBeGreaterThan(3.3);
      expect(q.halfWidths[3] / q.halfWidths[0]).toBeLessThan(4.7);
      const { lower, upper } = conformalIntervals(test.predicted, q);
      const measured = empiricalCoverage(test.actual, lower, upper, horizon);
      expect(Math.abs(measured.overall - coverage)).toBeLessThan(0.03);
      for (const step of measured.perStep) expect(Math.abs(step - coverage)).toBeLessThan(0.03);
    }
  });
});

describe('empiricalCoverage', () => {
  it('counts inclusive bounds, overall and per step', () => {
    const actual = Float64Array.from([1, 5, 2, 9]);
    const lower = Float64Array.from([1, 0, 3, 0]);
    const upper = Float64Array.from([2, 4, 4, 9]);
    expect(empiricalCoverage(actual, lower, upper, 2)).toEqual({ overall: 0.5, perStep: [0.5, 0.5] });
  });

  it('builds intervals symmetric around the forecasts', () => {
    const { lower, upper } = conformalIntervals(Float32Array.from([10, 20, 30, 40]), {
      coverage: 0.9,
      calibrationSamples: 100,
      halfWidths: [1, 2],
    });
    expect(Array.from(lower)).toEqual([9, 18, 29, 38]);
    expect(Array.from(upper)).toEqual([11, 22, 31, 42]);
  });
});
