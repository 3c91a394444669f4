import { describe, expect, it } from 'vitest';
import { booleanCell, describeCell, integerCell, numberCell, textCell } from './cell.ts';

describe('cell conversion', () => {
  it('reads numbers from text and JSON, nulls as NaN, anything else as undefined', () => {
    expect(numberCell('1.5')).toBe(1.5);
    expect(numberCell(2)).toBe(2);
    for (const n of ['', 'NA', 'NaN', 'null', 'NULL', null, undefined]) expect(numberCell(n), String(n)).toBeNaN();
    for (const bad of ['abc', 'Infinity', '1e999', true, {}, []]) expect(numberCell(bad), String(bad)).toBeUndefined();
  });

  it('requires whole numbers in integer columns', () => {
    expect(integerCell('42')).toBe(42);
    expect(integerCell('4.2')).toBeUndefined();
    expect(integerCell('')).toBeNaN();
  });

  it('reads the usual boolean spellings as 1 and 0', () => {
    for (const t of ['true', 'TRUE', 't', 'yes', '1', ' True ', true, 1]) expect(booleanCell(t), String(t)).toBe(1);
    for (const f of ['false', 'f', 'no', 'N', '0', false, 0]) expect(booleanCell(f), String(f)).toBe(0);
    expect(booleanCell('')).toBeNaN();
    expect(booleanCell('maybe')).toBeUndefined();
    expect(booleanCell(2)).toBeUndefined();
  });

  it('reads text, with empty as null and JSON scalars as their text', () => {
    expect(textCell('a')).toBe('a');
    expect(textCell('')).toBeNull();
    expect(textCell(null)).toBeNull();
    expect(textCell(7)).toBe('7');
    expect(textCell({})).toBeUndefined();
  });

  it('describes cells briefly', () => {
    expect(describeCell('abc')).toBe('"abc"');
    expect(describeCell('x'.repeat(100))).toBe(`"${'x'.repeat(39)}…`);
    expect(describeCell(undefined)).toBe('nothing');
  });
});
