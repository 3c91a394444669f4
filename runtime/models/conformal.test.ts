import { describe, expect, it } from 'vitest';
import { calibrate, conformalIntervals, conformalOffset, empiricalCoverage, QUANTILE_LEVELS, quantileIndex } from './conformal.ts';
import { seededGaussian, seededRandom } from './random.ts';

describe('conformalOffset', () => {
  const sorted = Float64Array.from({ length: 99 }, (_, i) => i + 1); // residuals 1..99
  it.each([
    [0.95, 95], // ceil(100 * 0.95) = 95, immune to float error
    [0.9, 90],
    [0.5, 50],
    [0.05, 5], // floor(100 * 0.05) = 5
    [0.1, 10],
    [0.999, 99], // clamped to the sample
    [0.001, 1],
  ])('level %f -> the %i-th smallest', (level, rank) => {
    expect(conformalOffset(sorted, level)).toBe(rank);
  });
});

describe('calibrate', () => {
  it('takes equal-tailed residual quantiles per step, signed, and every stored level', () => {
    // 19 samples, 2 steps; step 0 residuals -9..9, step 1 residuals 10 x (-9..9) + 5.
    const n = 19;
    const actual = new Float64Array(n * 2);
    const predicted = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      actual[i * 2] = i - 9;
      actual[i * 2 + 1] = 10 * (9 - i) + 5;
    }
    const c = calibrate(actual, predicted, 2, 0.8);
    // lower: floor(20 * 0.1) = 2nd smallest; upper: ceil(20 * 0.9) = 18th smallest.
    expect(c.lower).toEqual([-8, -75]);
    expect(c.upper).toEqual([8, 85]);
    expect(c.calibrationSamples).toBe(n);
    expect(c.levels).toEqual(QUANTILE_LEVELS);
    expect(c.offsets[0][quantileIndex(c, 0.5)]).toBe(0);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('refuses coverage the calibration set is too small for', () => {
    expect(() => calibrate(new Float64Array(8), new Float64Array(8), 1, 0.9)).toThrow(/8 calibration samples are too few for coverage 0.9 \(need at least 19\)/);
    expect(() => calibrate(new Float64Array(4), new Float64Array(3), 1, 0.9)).toThrow(/not samples x 1/);
    expect(() => calibrate(new Float64Array(4), new Float64Array(4), 1, 1)).toThrow(/coverage must be in/);
  });

  it('finds stored levels and only those', () => {
    const c = { levels: [...QUANTILE_LEVELS] };
    expect(quantileIndex(c, 0.1)).toBe(9);
    expect(quantileIndex(c, 0.9)).toBe(89);
    expect(quantileIndex(c, 0.125)).toBe(-1);
  });
});

describe('conformal intervals on skewed noise', () => {
  it('cover the target share of a large test set, overall and per step, within 2 points, and bracket the median', () => {
    const gauss = seededGaussian(seededRandom(7));
    const h = 4;
    const noise = (s: number) => Math.exp(0.5 * gauss()) * (s + 1); // lognormal: asymmetric tails, wider per step
    const make = (n: number) => {
      const actual = new Float64Array(n * h);
      for (let i = 0; i < n; i++) for (let s = 0; s < h; s++) actual[i * h + s] = noise(s);
      return { actual, predicted: new Float64Array(n * h) };
    };
    const cal = make(4000);
    const c = calibrate(cal.actual, cal.predicted, h, 0.9);
    const test = make(20000);
    const { lower, upper } = conformalIntervals(test.predicted, c);
    const coverage = empiricalCoverage(test.actual, lower, upper, h);
    expect(Math.abs(coverage.overall - 0.9)).toBeLessThan(0.02);
    for (const p of coverage.perStep) expect(Math.abs(p - 0.9)).toBeLessThan(0.02);
    // Asymmetric noise gives an asymmetric interval: the upper tail is longer.
    expect(c.upper[0] - c.offsets[0][quantileIndex(c, 0.5)]).toBeGreaterThan(c.offsets[0][quantileIndex(c, 0.5)] - c.lower[0]);
  });
});

describe('empiricalCoverage', () => {
  it('counts inclusive bounds per step', () => {
    const cov = empiricalCoverage(Float64Array.of(1, 5, 2, 9), Float64Array.of(1, 0, 3, 0), Float64Array.of(2, 5, 4, 8), 2);
    expect(cov).toEqual({ overall: 0.5, perStep: [0.5, 0.5] });
  });
});
