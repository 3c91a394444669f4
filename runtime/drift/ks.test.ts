import { describe, expect, it } from 'vitest';
import { kolmogorovSurvival, ksPValue, ksStatistic } from './ks.ts';

// Reference values: scipy.stats.kstwobign.sf, and the Kolmogorov quantiles
// K(0.90) = 1.2238478, K(0.95) = 1.3580986, K(0.99) = 1.6276236.
describe('kolmogorovSurvival', () => {
  it('matches scipy kstwobign.sf across both series', () => {
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.26999967167735456, 12);
    expect(kolmogorovSurvival(1.1)).toBeCloseTo(0.17771819260640118, 12);
    expect(kolmogorovSurvival(1.2238478)).toBeCloseTo(0.1, 6);
    expect(kolmogorovSurvival(1.3580986)).toBeCloseTo(0.05, 6);
    expect(kolmogorovSurvival(1.6276236)).toBeCloseTo(0.01, 6);
    expect(kolmogorovSurvival(2)).toBeCloseTo(0.0006709252557796953, 12);
  });

  it('is continuous where the series switch and bounded in [0, 1]', () => {
    expect(Math.abs(kolmogorovSurvival(1.18 - 1e-12) - kolmogorovSurvival(1.18))).toBeLessThan(1e-12);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.01)).toBe(1);
    expect(kolmogorovSurvival(10)).toBeLessThan(1e-80);
  });
});

describe('ksStatistic', () => {
  it('computes D for small samples by hand', () => {
    // F_a - F_b at 2: 0.5 - 0; at 3: 0.75 - 0.2; at 4: 1 - 0.4 → D = 0.6.
    expect(ksStatistic(Float64Array.of(1, 2, 3, 4), Float64Array.of(3, 4, 5, 6, 7))).toBeCloseTo(0.6, 12);
    // Ties: at 1: 0.4 - 0; at 2: 0.8 - 0.75; at 3: 1 - 0.75 → D = 0.4.
    expect(ksStatistic(Float64Array.of(1, 1, 2, 2, 3), Float64Array.of(2, 2, 2, 4))).toBeCloseTo(0.4, 12);
    expect(ksStatistic(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3))).toBe(0);
    expect(ksStatistic(Float64Array.of(1, 2), Float64Array.of(5, 6, 7))).toBe(1);
  });
});

describe('ksPValue', () => {
  it('follows the asymptotic formula with the small-sample correction', () => {
    // en = √(20/9); λ = (en + 0.12 + 0.11/en)·0.6 = 1.0107013 → Q(λ).
    expect(ksPValue(0.6, 4, 5)).toBeCloseTo(0.25870469671266844, 6);
    expect(ksPValue(0.4, 5, 4)).toBeCloseTo(0.7542885008903402, 6);
    expect(ksPValue(0.1, 500, 5000)).toBeCloseTo(0.00020249172185208086, 6);
    expect(ksPValue(0.05, 1000, 1000)).toBeCloseTo(0.15955408974378782, 6);
    expect(ksPValue(0, 10, 10)).toBe(1);
  });
});
