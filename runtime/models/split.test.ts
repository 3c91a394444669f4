import { describe, expect, it } from 'vitest';
import { timeOrderedSplit } from './split.ts';

describe('timeOrderedSplit', () => {
  it.each([
    [100, { validation: 0.15, test: 0.15 }, { trainEnd: 70, valEnd: 85 }],
    [100, { validation: 0, test: 0 }, { trainEnd: 100, valEnd: 100 }],
    [10, { validation: 0.25, test: 0.25 }, { trainEnd: 4, valEnd: 7 }],
    [7, { validation: 0.1, test: 0 }, { trainEnd: 6, valEnd: 7 }],
  ])('splits %i samples with %j into %j', (samples, split, expected) => {
    expect(timeOrderedSplit(samples, split)).toEqual(expected);
  });

  it('rejects fractions outside [0, 1) and splits that leave no training data', () => {
    expect(() => timeOrderedSplit(100, { validation: 1, test: 0 })).toThrow(/split.validation/);
    expect(() => timeOrderedSplit(100, { validation: 0.2, test: -0.1 })).toThrow(/split.test/);
    expect(() => timeOrderedSplit(2, { validation: 0.5, test: 0.5 })).toThrow(/no training data/);
  });
});
