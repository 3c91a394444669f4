/** SplitFractions are the shares of samples held out for validation and test, taken from the end in time order. */
export interface SplitFractions {
  validation: number;
  test: number;
}

/**
 * SplitIndex marks a time-ordered split of `n` samples: train is [0, trainEnd),
 * validation [trainEnd, valEnd), test [valEnd, n).
 */
export interface SplitIndex {
  trainEnd: number;
  valEnd: number;
}

/**
 * timeOrderedSplit cuts `samples` into train, validation and test in time order
 * (no shuffling across the cut: the model is always judged on a later period than
 * it was fitted on). Validation and test sizes are rounded to whole samples; train
 * gets the rest and must keep at least one. Throws a RangeError for fractions
 * outside [0, 1) or summing to 1 or more.
 */
export function timeOrderedSplit(samples: number, split: SplitFractions): SplitIndex {
  for (const key of ['validation', 'test'] as const) {
    const value = split[key];
    if (!(value >= 0 && value < 1)) throw new RangeError(`split.${key}: expected a fraction in [0, 1), got ${value}`);
  }
  const testCount = Math.round(samples * split.test);
  const valCount = Math.round(samples * split.validation);
  const trainEnd = samples - valCount - testCount;
  if (trainEnd < 1) {
    throw new RangeError(
      `split: ${samples} samples leave no training data after validation ${split.validation} and test ${split.test}`,
    );
  }
  return { trainEnd, valEnd: trainEnd + valCount };
}
