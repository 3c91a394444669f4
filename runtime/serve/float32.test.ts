import { describe, expect, it } from 'vitest';
import { float32Number } from './float32.ts';

describe('float32Number', () => {
  it('prints FP32 values with the digits they have', () => {
    expect(float32Number(Math.fround(21.3))).toBe(21.3);
    expect(float32Number(Math.fround(0.1))).toBe(0.1);
    expect(float32Number(-0.5)).toBe(-0.5);
    expect(float32Number(0)).toBe(0);
    expect(float32Number(Math.fround(1e-7))).toBe(1e-7);
  });

  it('always converts back to the same FP32 value', () => {
    const values = new Float32Array(10_000);
    let seed = 7;
    for (let i = 0; i < values.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values[i] = ((seed / 2 ** 31) - 0.5) * 10 ** ((i % 20) - 10);
    }
    const wrong = Array.from(values).filter((v) => {
      const n = float32Number(v);
      const digits = n.toExponential().replace(/^-/, '').replace(/e.*$/, '').replace('.', '');
      return Math.fround(n) !== v || digits.length > 9;
    });
    expect(wrong).toEqual([]);
  });
});
