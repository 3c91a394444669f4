import { describe, expect, it } from 'vitest';
import {
  applyScaler,
  applyTargetScaler,
  fitScaler,
  fitTargetScaler,
  invertTargetScaler,
  type Scaler,
} from './scaler.ts';

describe('scaler', () => {
  it('fits mean and population std per column; a constant column gets std 1', () => {
    const X = Float32Array.of(1, 10, 5, 3, 10, 5, 5, 10, 5);
    const scaler = fitScaler(X, 3);
    expect(scaler.mean).toEqual([3, 10, 5]);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(scaler.std.slice(1)).toEqual([1, 1]);
    const scaled = applyScaler(X, scaler);
    expect(Array.from(scaled)).toEqual([
      expect.closeTo(-2 / Math.sqrt(8 / 3), 6),
      0,
      0,
      0,
      0,
      0,
      expect.closeTo(2 / Math.sqrt(8 / 3), 6),
      0,
      0,
    ]);
  });

  it('fits on the training rows only and applies the same transform elsewhere', () => {
    const X = Float32Array.of(0, 2, 4, 1000);
    const scaler = fitScaler(X.subarray(0, 3), 1);
    expect(scaler).toEqual({ mean: [2], std: [expect.closeTo(Math.sqrt(8 / 3), 6)] });
    expect(applyScaler(X, scaler)[3]).toBeCloseTo(998 / Math.sqrt(8 / 3), 3);
  });

  it('stays accurate when the mean dwarfs the spread', () => {
    const X = Float32Array.from({ length: 10_000 }, (_, i) => 1e6 + (i % 2));
    const { mean, std } = fitScaler(X, 1);
    expect(mean[0]).toBeCloseTo(1e6 + 0.5, 9);
    expect(std[0]).toBeCloseTo(0.5, 9);
  });

  it('is plain JSON that round-trips', () => {
    const scaler = fitScaler(Float32Array.of(1, 2, 3, 4), 2);
    const copy = JSON.parse(JSON.stringify(scaler)) as Scaler;
    expect(copy).toEqual(scaler);
    expect(applyScaler(Float32Array.of(2, 3), copy)).toEqual(applyScaler(Float32Array.of(2, 3), scaler));
  });

  it('scales in place when given the input as output', () => {
    const X = Float32Array.of(1, 3);
    expect(applyScaler(X, { mean: [2], std: [1] }, X)).toBe(X);
    expect(Array.from(X)).toEqual([-1, 1]);
  });

  it('scales the target with one mean and std and inverts it', () => {
    const Y = Float32Array.of(10, 20, 30, 40);
    const target = fitTargetScaler(Y);
    expect(target.mean).toBe(25);
    expect(target.std).toBeCloseTo(Math.sqrt(125), 12);
    const back = invertTargetScaler(applyTargetScaler(Y, target), target);
    for (let i = 0; i < Y.length; i++) expect(back[i]).toBeCloseTo(Y[i], 4);
    expect(fitTargetScaler(Float32Array.of(7, 7))).toEqual({ mean: 7, std: 1 });
  });

  it.each([
    [new Float32Array(0), 2, /not a non-empty whole number of rows/],
    [Float32Array.of(1, 2, 3), 2, /not a non-empty whole number of rows/],
    [Float32Array.of(1, Number.NaN), 1, /column 0 holds non-finite values/],
    [Float32Array.of(1), 0, /columns must be a positive integer/],
  ])('rejects %o with %i columns', (X, columns, message) => {
    expect(() => fitScaler(X, columns)).toThrow(message);
  });
});
