import { allocColumn } from './columns.ts';
import type { RollingStat } from './spec.ts';

/** RollingOutputs are the columns a rolling kernel fills; a null column is not computed. */
export interface RollingOutputs {
  mean: Float64Array | null;
  std: Float64Array | null;
  min: Float64Array | null;
  max: Float64Array | null;
}

/**
 * RollingKernel computes the stats of the window of `w` values ending at each
 * position j of x[start..end) (x[j-w+1..j]) and writes them at j + shift: shift 0
 * is the window ending at the row itself (the forecast origin), shift 1 is the
 * past-only window of the previous w rows (pandas `shift(1).rolling(w)`). A value
 * is NaN until w values exist or while the window holds a NaN.
 */
export type RollingKernel = (
  x: Float64Array,
  start: number,
  end: number,
  shift: 0 | 1,
  out: RollingOutputs,
) => void;

/** rollingOutputs allocates the output columns of the given stats for n positions (uninitialised: a kernel writes every entry of [start, end)). */
export function rollingOutputs(n: number, stats: readonly RollingStat[]): RollingOutputs {
  const make = (stat: RollingStat) => (stats.includes(stat) ? allocColumn(n) : null);
  return { mean: make('mean'), std: make('std'), min: make('min'), max: make('max') };
}

/**
 * createRollingKernel returns the kernel for windows of w values: one pass for
 * mean/std and one for min/max, each O(end - start) whatever w is.
 *
 * Sum and sum of squares are running double-double sums: each step adds the
 * exact difference (entering - leaving value, split by TwoSum) and renormalises,
 * so after a million steps the error is near 2^-86 of the sum. The result is,
 * in practice, the correctly rounded sum of the window alone, independent of how
 * much history came before it: a serving frame over a short history equals the
 * training frame bit for bit. std is the sample standard deviation (ddof 1, like
 * pandas): (sum of squares - sum * mean) / (w - 1), so it loses relative
 * precision only when std is below ~1e-6 of the mean. min and max use monotonic
 * deques of positions in ring buffers; every value enters and leaves once.
 */
export function createRollingKernel(w: number): RollingKernel {
  let capacity = 1;
  while (capacity < w + 1) capacity *= 2;
  const queue = new Int32Array(capacity);
  return (x, start, end, shift, out) => {
    if (end <= start) return;
    if (out.mean || out.std) {
      sums(x, start, end, w, shift, out.mean, out.std);
    }
    if (out.min) extreme(x, start, end, w, shift, out.min, queue, capacity - 1, -1);
    if (out.max) extreme(x, start, end, w, shift, out.max, queue, capacity - 1, 1);
  };
}

function fillNaN(column: Float64Array | null, from: number, to: number): void {
  if (column && to > from) column.fill(Number.NaN, from, to);
}

/** sums is the mean/std pass: one double-double update per row; NaN while the window is short or holds a NaN (counted as it enters and leaves). */
function sums(
  x: Float64Array,
  start: number,
  end: number,
  w: number,
  shift: number,
  mean: Float64Array | null,
  std: Float64Array | null,
): void {
  const last = end - shift;
  fillNaN(mean, start, start + shift);
  fillNaN(std, start, start + shift);
  let hi = 0;
  let lo = 0;
  let qHi = 0;
  let qLo = 0;
  let nans = 0;
  for (let j = start; j < last; j++) {
    let v = x[j];
    if (Number.isNaN(v)) {
      nans++;
      v = 0;
    }
    let o = 0;
    if (j - w >= start) {
      o = x[j - w];
      if (Number.isNaN(o)) {
        nans--;
        o = 0;
      }
    }
    let d = v - o;
    let z = d - v;
    let dLo = v - (d - z) + (-o - z);
    let t = hi + d;
    let b = t - hi;
    let e = hi - (t - b) + (d - b) + lo + dLo;
    hi = t + e;
    lo = e - (hi - t);
    const vv = v * v;
    const oo = o * o;
    d = vv - oo;
    z = d - vv;
    dLo = vv - (d - z) + (-oo - z);
    t = qHi + d;
    b = t - qHi;
    e = qHi - (t - b) + (d - b) + qLo + dLo;
    qHi = t + e;
    qLo = e - (qHi - t);
    const at = j + shift;
    if (nans > 0 || j - start + 1 < w) {
      if (mean) mean[at] = Number.NaN;
      if (std) std[at] = Number.NaN;
      continue;
    }
    const sum = hi + lo;
    const m = sum / w;
    if (mean) mean[at] = m;
    if (std) {
      const variance = (qHi + qLo - sum * m) / (w - 1);
      std[at] = variance > 0 ? Math.sqrt(variance) : 0;
    }
  }
}

/**
 * extreme is the min (sign -1) or max (sign 1) pass: a monotonic deque of
 * positions whose values decrease (max) or increase (min) from the front.
 */
function extreme(
  x: Float64Array,
  start: number,
  end: number,
  w: number,
  shift: number,
  out: Float64Array,
  queue: Int32Array,
  mask: number,
  sign: number,
): void {
  const last = end - shift;
  fillNaN(out, start, start + shift);
  let head = 0;
  let tail = 0;
  let nans = 0;
  for (let j = start; j < last; j++) {
    const v = x[j];
    if (Number.isNaN(v)) {
      nans++;
    } else {
      // Drop values the new one dominates: they can never be the window's extreme again.
      while (tail > head && sign * (x[queue[(tail - 1) & mask]] - v) <= 0) tail--;
      queue[tail++ & mask] = j;
    }
    const leaving = j - w;
    if (leaving >= start) {
      if (Number.isNaN(x[leaving])) nans--;
      else if (tail > head && queue[head & mask] === leaving) head++;
    }
    out[j + shift] = nans > 0 || j - start + 1 < w ? Number.NaN : x[queue[head & mask]];
  }
}
