import { describe, expect, it } from 'vitest';
import { OTHER_CATEGORY, profileCategories, profileColumn } from '../data/profile.ts';
import {
  binnedJensenShannon,
  categoricalJensenShannon,
  categoricalPsi,
  categoryCounts,
  ksTest,
  normedWasserstein,
  numericBaseline,
  psi,
} from './stats.ts';
import { mulberry32, normalSample } from '../../test/support/drift-random.ts';

describe('numeric statistics against raw values or a profile', () => {
  const random = mulberry32(42);
  const reference = normalSample(random, 5000, 100, 15);
  const profile = profileColumn(reference);
  const current = normalSample(random, 800, 103, 15);

  it('gives nearly the same KS statistic from the quantile sample, with the full reference size', () => {
    const raw = ksTest(reference, current);
    const viaProfile = ksTest(profile, current);
    expect(Math.abs(raw.statistic - viaProfile.statistic)).toBeLessThan(1 / 500);
    expect(Math.abs(raw.pValue - viaProfile.pValue)).toBeLessThan(0.02);
    expect(numericBaseline(profile).count).toBe(5000);
  });

  it('reads normalised Wasserstein in reference standard deviations', () => {
    for (const shift of [0, 0.3, 1]) {
      const shifted = reference.map((v) => v + shift * 15);
      expect(normedWasserstein(reference, shifted)).toBeCloseTo(shift * (15 / numericBaseline(reference).std), 9);
      expect(Math.abs(normedWasserstein(profile, shifted) - shift)).toBeLessThan(0.03);
    }
  });

  it('gives PSI and binned Jensen-Shannon of 0 for the reference itself', () => {
    expect(psi(reference, reference)).toBe(0);
    expect(psi(profile, reference)).toBe(0);
    expect(binnedJensenShannon(profile, reference)).toBe(0);
    expect(psi(profile, current)).toBeGreaterThan(0);
  });

  it('skips NaN in the current window and refuses empty samples', () => {
    const withNulls = Float64Array.of(...current, Number.NaN, Number.NaN);
    expect(ksTest(profile, withNulls)).toEqual(ksTest(profile, current));
    expect(psi(profile, withNulls)).toBe(psi(profile, current));
    expect(() => ksTest(profile, Float64Array.of(Number.NaN))).toThrow(RangeError);
    expect(() => normedWasserstein(new Float64Array(0), current)).toThrow(RangeError);
  });
});

describe('categorical statistics', () => {
  it('gives Jensen-Shannon 0 for identical frequency maps and 1 for disjoint ones', () => {
    const names = ['a', 'b', 'b', 'c', 'c', 'c'];
    expect(categoricalJensenShannon(names, [...names, ...names])).toBe(0);
    expect(categoricalJensenShannon(profileCategories(names), names)).toBe(0);
    expect(categoricalJensenShannon(names, ['x', 'y', 'y'])).toBeCloseTo(1, 12);
    expect(categoricalPsi(names, names)).toBe(0);
  });

  it('counts current categories the reference does not name under __other__', () => {
    const reference = profileCategories(['a', 'a', 'b', 'c'], { topCategories: 1 });
    expect(reference.frequencies).toEqual({ a: 2, [OTHER_CATEGORY]: 2 });
    const counts = categoryCounts(reference, ['a', 'b', 'z', null, 'constructor']);
    expect(Array.from(counts.reference)).toEqual([2, 2]);
    expect(Array.from(counts.current)).toEqual([1, 3]);
    expect(categoricalJensenShannon(reference, ['a', 'b', 'c', 'a'])).toBe(0);
  });
});
