import { describe, expect, it } from 'vitest';
import { FLOAT32_JSON_MAX_BYTES, writeFloat32 } from './float32-json.ts';

const buf = new Uint8Array(64);
function text(v: number): string {
  return Buffer.from(buf.buffer, 0, writeFloat32(buf, 0, v)).toString('latin1');
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?(e[+-]\d+)?$/;

describe('writeFloat32', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [5.3125, '5.3125'],
    [1500000, '1500000'],
    [16777216, '16777216'],
    [Math.fround(0.1), '0.100000001'],
    [Math.fround(21.3), '21.2999992'],
    [Math.fround(123456.789), '123456.789'],
    [Math.fround(1e-6), '9.99999997e-7'],
    [Math.fround(0.00125), '0.00124999997'],
    [Math.fround(1e20), '100000002000000000000'],
    [Math.fround(1e21), '1.00000002e+21'],
    [Math.fround(3.4028234663852886e38), '3.40282347e+38'],
    [Math.fround(1.401298464324817e-45), '1.40129846e-45'],
  ])('writes %s as %s', (value, expected) => {
    expect(text(value)).toBe(expected);
  });

  it('writes every FP32 value so that it parses back exactly, as a JSON number', () => {
    const f = new Float32Array(1);
    const bits = new Uint32Array(f.buffer);
    let seed = 12345;
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits[0] = seed;
      const v = f[0];
      if (!Number.isFinite(v)) continue;
      const s = text(v);
      if (Math.fround(JSON.parse(s)) !== v || !JSON_NUMBER.test(s) || s.length > FLOAT32_JSON_MAX_BYTES) wrong.push(`${v} -> ${s}`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes C\'s %.9g with trailing zeros cut (as JavaScript prints that decimal) across plain-notation magnitudes', () => {
    const f = new Float32Array(1);
    let seed = 987654321;
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      // Magnitudes from 1e-8 to 1e10, both signs: the plain range (the WebAssembly kernel's) and each side of it.
      f[0] = (seed & 1 ? -1 : 1) * 10 ** ((seed / 2 ** 32) * 18 - 8);
      const v = f[0];
      const s = text(v);
      const expected = String(Number(v.toPrecision(9)));
      if (s !== expected) wrong.push(`${v} -> ${s}, expected ${expected}`);
    }
    for (const v of [1, 10, 1e-6, 0.1, 9.99999999, 99999999, 1e8, 0.999999999, 1.5e-6, 9.9999999e-7].map(Math.fround)) {
      const expected = String(Number(v.toPrecision(9)));
      if (text(v) !== expected) wrong.push(`${v} -> ${text(v)}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses NaN and infinities, which JSON cannot carry', () => {
    expect(() => text(Number.NaN)).toThrow(RangeError);
    expect(() => text(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => text(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
  });
});
