import { describe, expect, it } from 'vitest';
import { allocColumn } from './columns.ts';

describe('allocColumn', () => {
  it.each([0, 1, 1023, 1024, 100_000])('gives a writable column of %i entries with its own memory', (n) => {
    const a = allocColumn(n);
    const b = allocColumn(n);
    expect(a.length).toBe(n);
    a.fill(1);
    b.fill(2);
    expect(a.every((v) => v === 1)).toBe(true);
    expect(a.byteOffset % 8).toBe(0);
  });
});
