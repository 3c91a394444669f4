import { describe, expect, it } from 'vitest';
import { DictionaryBuilder, Float64Builder, Int16Builder, Int32Builder } from './column-builder.ts';

describe('column builders', () => {
  it('grow by doubling and finish to an exactly sized copy', () => {
    const b = new Float64Builder(2);
    for (let i = 0; i < 1000; i++) b.push(i / 2);
    expect(b.length).toBe(1000);
    expect(b.data.length).toBe(1024);
    const out = b.finish();
    expect(out).toBeInstanceOf(Float64Array);
    expect(out.length).toBe(1000);
    expect(out[999]).toBe(499.5);
  });

  it('keep int16 offsets and int32 values', () => {
    const o = new Int16Builder(1);
    o.push(660);
    o.push(-570);
    expect(Array.from(o.finish())).toEqual([660, -570]);
    const c = new Int32Builder(1);
    for (let i = 0; i < 5; i++) c.push(i * 1e6);
    expect(Array.from(c.finish())).toEqual([0, 1e6, 2e6, 3e6, 4e6]);
  });

  it('dictionary-encode strings in first-seen order, null as -1', () => {
    const d = new DictionaryBuilder(1);
    for (const v of ['b', 'a', null, 'b', 'c', 'a']) d.push(v);
    const { codes, dictionary } = d.finish();
    expect(dictionary).toEqual(['b', 'a', 'c']);
    expect(Array.from(codes)).toEqual([0, 1, -1, 0, 2, 1]);
    expect(d.length).toBe(6);
  });
});
