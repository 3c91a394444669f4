import { describe, expect, it } from 'vitest';
import { createRollingKernel, type RollingOutputs, rollingOutputs } from './rolling.ts';
import type { RollingStat } from './spec.ts';
import { seededRandom } from '../../test/support/feature-table.ts';

const STATS: RollingStat[] = ['mean', 'std', 'min', 'max'];

/** naiveWindow computes one window's stats the obvious O(w) way (two-pass std, ddof 1). */
function naiveWindow(x: Float64Array, from: number, to: number): Record<RollingStat, number> {
  const w = to - from;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    sum += x[i];
    min = Math.min(min, x[i]);
    max = Math.max(max, x[i]);
  }
  const mean = sum / w;
  let squares = 0;
  for (let i = from; i < to; i++) squares += (x[i] - mean) ** 2;
  const nan = Number.isNaN(sum);
  return nan
    ? { mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN }
    : { mean, std: Math.sqrt(squares / (w - 1)), min, max };
}

function randomSeries(n: number, seed: number, level: number, nanRate: number): Float64Array {
  const random = seededRandom(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = random() < nanRate ? Number.NaN : level + 100 * Math.sin(i / 7) + 30 * random();
  return x;
}

/** worstError returns the largest |actual - expected| relative to scale, Infinity when NaN patterns differ. */
function worstError(actual: number, expected: number, scale: number, worst: number): number {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) === Number.isNaN(actual) ? worst : Infinity;
  return Math.max(worst, Math.abs(actual - expected) / scale);
}

describe('rolling kernel', () => {
  it.each([
    { w: 2, level: 0, nanRate: 0, shift: 1 as const },
    { w: 5, level: 1000, nanRate: 0.02, shift: 1 as const },
    { w: 24, level: 5000, nanRate: 0, shift: 0 as const },
    { w: 24, level: 1e6, nanRate: 0.01, shift: 1 as const },
    { w: 168, level: -300, nanRate: 0.001, shift: 0 as const },
    { w: 700, level: 10, nanRate: 0, shift: 1 as const },
  ])('matches a naive O(n*w) reference: %o', ({ w, level, nanRate, shift }) => {
    const n = 3000;
    const x = randomSeries(n, w + 13, level, nanRate);
    const start = 17;
    const end = n - 5;
    const out = rollingOutputs(n, STATS);
    createRollingKernel(w)(x, start, end, shift, out);
    const worst: Record<RollingStat, number> = { mean: 0, std: 0, min: 0, max: 0 };
    for (let p = start; p < end; p++) {
      const last = p - shift; // the window ends at `last`, inclusive
      const from = last - w + 1;
      const want =
        from < start
          ? { mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN }
          : naiveWindow(x, from, last + 1);
      for (const stat of STATS) worst[stat] = worstError(out[stat]![p], want[stat], Math.abs(level) + 100, worst[stat]);
    }
    // min and max are exact; mean and std stay within a few ulps of the level.
    expect(worst).toEqual({ mean: expect.any(Number), std: expect.any(Number), min: 0, max: 0 });
    expect(worst.mean).toBeLessThan(1e-14);
    expect(worst.std).toBeLessThan(1e-11);
  });

  it('does not touch positions outside [start, end)', () => {
    const x = Float64Array.from({ length: 20 }, (_, i) => i);
    const out = rollingOutputs(20, ['mean']);
    out.mean!.fill(-1);
    createRollingKernel(3)(x, 5, 15, 1, out);
    expect(out.mean!.slice(0, 5).every((v) => v === -1)).toBe(true);
    expect(out.mean!.slice(15).every((v) => v === -1)).toBe(true);
    expect(Array.from(out.mean!.subarray(5, 10))).toEqual([Number.NaN, Number.NaN, Number.NaN, 6, 7]);
  });

  it('gives std 0 for a constant window and NaN when the series is shorter than the window', () => {
    const x = new Float64Array(50).fill(4321.123);
    const out = rollingOutputs(50, ['std', 'mean']);
    createRollingKernel(10)(x, 0, 50, 0, out);
    expect(out.std![49]).toBeLessThan(1e-9);
    expect(out.mean![49]).toBeCloseTo(4321.123, 9);
    const short = rollingOutputs(50, ['max']);
    createRollingKernel(60)(x, 0, 50, 0, short);
    expect(short.max!.every(Number.isNaN)).toBe(true);
  });

  it('gives the same bits after a long history as on the window alone (train/serve parity)', () => {
    const n = 200_000;
    const x = randomSeries(n, 99, 4500, 0);
    const w = 168;
    const full: RollingOutputs = rollingOutputs(n, STATS);
    createRollingKernel(w)(x, 0, n, 0, full);
    const alone: RollingOutputs = rollingOutputs(n, STATS);
    const kernel = createRollingKernel(w);
    for (let p = w + 5000; p < n; p += 997) {
      kernel(x, p - w + 1, p + 1, 0, alone);
      for (const stat of STATS) expect(alone[stat]![p]).toBe(full[stat]![p]);
    }
  });
});
