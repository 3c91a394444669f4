import { describe, expect, it } from 'vitest';
import { mulberry32, normalSample } from '../../test/support/drift-random.ts';
import { wasserstein1 } from './wasserstein.ts';

describe('wasserstein1', () => {
  it('equals the shift between a sample and its shifted copy', () => {
    const a = normalSample(mulberry32(1), 2000).sort();
    for (const shift of [0.25, 3, -7.5]) {
      const b = a.map((v) => v + shift);
      expect(wasserstein1(a, b)).toBeCloseTo(Math.abs(shift), 9);
    }
    expect(wasserstein1(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8))).toBeCloseTo(5, 12);
  });

  it('integrates |F_a - F_b| for samples of different sizes', () => {
    // Quantile functions differ by 1 on [0, 1/3), 0 on [1/3, 1/2), 1 on [1/2, 1) → 5/6.
    expect(wasserstein1(Float64Array.of(0, 1, 3), Float64Array.of(1, 2))).toBeCloseTo(5 / 6, 12);
    expect(wasserstein1(Float64Array.of(0, 1), Float64Array.of(0, 3))).toBeCloseTo(1, 12);
    expect(wasserstein1(Float64Array.of(2, 2, 2), Float64Array.of(2))).toBe(0);
  });
});
