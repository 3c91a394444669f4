import { describe, expect, it } from 'vitest';
import { jensenShannonFromCounts } from './jensen-shannon.ts';

describe('jensenShannonFromCounts', () => {
  it('is 0 for identical shares and 1 for disjoint support', () => {
    expect(jensenShannonFromCounts([3, 1, 0], [30, 10, 0])).toBe(0);
    expect(jensenShannonFromCounts([1, 1, 0, 0], [0, 0, 2, 5])).toBeCloseTo(1, 12);
  });

  it('matches scipy jensenshannon(base=2) on a worked example', () => {
    // p = [0.5, 0.5], q = [1, 0], m = [0.75, 0.25]:
    // JSD = ½(0.5·log2(0.5/0.75) + 0.5·log2(0.5/0.25)) + ½(log2(1/0.75)) = 0.3112781
    expect(jensenShannonFromCounts([1, 1], [1, 0])).toBeCloseTo(Math.sqrt(0.31127812445913283), 12);
    expect(jensenShannonFromCounts([1, 1], [1, 0])).toBeCloseTo(0.5579230452841438, 12);
  });
});
