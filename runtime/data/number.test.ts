import { describe, expect, it } from 'vitest';
import { parseDecimal } from './number.ts';

describe('parseDecimal', () => {
  it('gives the same double as Number() for decimal text', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(rand() * 17);
      const text = (rand() < 0.5 ? '-' : '') + (rand() * 10 ** (digits % 9)).toFixed(Math.floor(rand() * 10));
      expect(parseDecimal(text)).toBe(Number(text));
    }
    for (const text of ['0', '-0', '1.', '.5', '+7', '4382.825174', '1e3', '-2.5E-3', ' 12 ', '12345678901234567890', '0.1']) {
      expect(parseDecimal(text)).toBe(Number(text));
    }
  });

  it('rejects everything else', () => {
    for (const text of ['', ' ', 'abc', '1,5', '0x10', 'Infinity', '-Infinity', 'NaN', '1_000', '1.2.3', '--1', '.', 'e5', '12abc']) {
      expect(parseDecimal(text), text).toBeNaN();
    }
  });
});
