import { describe, expect, it } from 'vitest';
import { compactDictionary, entityRanks, sortPermutation } from './sort.ts';

describe('sortPermutation', () => {
  it('orders by entity string then time, keeping ties in input order', () => {
    const dictionary = ['b', 'a', 'c'];
    const codes = Int32Array.from([0, 1, 0, 2, 1, 0]);
    const time = Float64Array.from([5, 9, 1, 0, 9, 5]);
    const perm = sortPermutation(6, time, codes, entityRanks(dictionary));
    expect(Array.from(perm)).toEqual([1, 4, 2, 0, 5, 3]);
  });

  it('orders by time alone without an entity, and leaves sorted input as is', () => {
    expect(Array.from(sortPermutation(4, Float64Array.from([3, 1, 2, 1]), null, null))).toEqual([1, 3, 2, 0]);
    expect(Array.from(sortPermutation(3, Float64Array.from([1, 2, 3]), null, null))).toEqual([0, 1, 2]);
  });
});

describe('compactDictionary', () => {
  it('drops unused entries and renumbers codes', () => {
    const codes = Int32Array.from([2, -1, 0, 2]);
    expect(compactDictionary(codes, ['x', 'unused', 'z'])).toEqual(['x', 'z']);
    expect(Array.from(codes)).toEqual([1, -1, 0, 1]);
  });
});
