import { describe, expect, it } from 'vitest';
import { PSI_EPSILON, psiFromCounts } from './psi.ts';

describe('psiFromCounts', () => {
  it('is 0 for identical (or proportional) histograms', () => {
    expect(psiFromCounts([5, 10, 20, 0], [5, 10, 20, 0])).toBe(0);
    expect(psiFromCounts([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 15);
  });

  it('sums (q - p)·ln(q/p) over bins', () => {
    const expected = (0.7 - 0.5) * Math.log(0.7 / 0.5) + (0.3 - 0.5) * Math.log(0.3 / 0.5);
    expect(psiFromCounts([50, 50], [70, 30])).toBeCloseTo(expected, 12);
  });

  it('gives an empty bin epsilon share so it stays finite', () => {
    const expected = (PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5) + (1 - 0.5) * Math.log(1 / 0.5);
    expect(psiFromCounts([1, 1], [0, 4])).toBeCloseTo(expected, 12);
    expect(psiFromCounts([1, 1], [0, 0])).toBe(0);
  });
});
