import { describe, expect, it } from 'vitest';
import { seededGaussian, seededInteger, seededRandom, shuffleInPlace } from './random.ts';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws non-negative 31-bit integer seeds', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 100; i++) {
      const n = seededInteger(random);
      expect(Number.isInteger(n) && n >= 0 && n < 2 ** 31).toBe(true);
    }
  });
});

describe('shuffleInPlace', () => {
  it('produces a permutation, reproducibly', () => {
    const order = Int32Array.from({ length: 100 }, (_, i) => i);
    const again = order.slice();
    shuffleInPlace(order, seededRandom(5));
    shuffleInPlace(again, seededRandom(5));
    expect(order).toEqual(again);
    expect(Array.from(order).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('seededGaussian', () => {
  it('has mean 0 and variance 1', () => {
    const draw = seededGaussian(seededRandom(9));
    let sum = 0;
    let squares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = draw();
      sum += x;
      squares += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.02);
  });
});
