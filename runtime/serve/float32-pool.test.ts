import { describe, expect, it } from 'vitest';
import { Float32Pool, isStandalone, SLAB_FLOATS } from './float32-pool.ts';

describe('Float32Pool', () => {
  it('hands out zeroed, disjoint views of shared slabs', () => {
    const pool = new Float32Pool();
    const a = pool.alloc(32);
    const b = pool.alloc(32);
    expect(a).toEqual(new Float32Array(32));
    a.fill(1);
    expect(b).toEqual(new Float32Array(32));
    expect(a.buffer).toBe(b.buffer);
    expect(isStandalone(a)).toBe(false);
  });

  it('starts a fresh slab when one is used up, and gives large arrays their own buffer', () => {
    const pool = new Float32Pool();
    const first = pool.alloc(SLAB_FLOATS / 8);
    for (let i = 0; i < 7; i++) pool.alloc(SLAB_FLOATS / 8);
    const next = pool.alloc(1);
    expect(next.buffer).not.toBe(first.buffer);
    expect(next[0]).toBe(0);
    const big = pool.alloc(SLAB_FLOATS / 8 + 1);
    expect(isStandalone(big)).toBe(true);
  });
});
