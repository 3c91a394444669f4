import type { SeriesLayout } from './series-layout.ts';

/**
 * inferStepMs returns the series' regular interval: the median of the time
 * differences between consecutive rows of each series (epoch ms), or NaN when no
 * series has two rows. `time` is in position order (see SeriesLayout). Equal
 * differences are counted as runs first, so a regular series costs one pass and
 * only irregular data pays for sorting its distinct differences.
 */
export function inferStepMs(time: Float64Array, layout: SeriesLayout): number {
  const counts = new Map<number, number>();
  let total = 0;
  let runValue = Number.NaN;
  let runLength = 0;
  const { starts } = layout;
  for (let s = 0; s + 1 < starts.length; s++) {
    for (let p = starts[s] + 1; p < starts[s + 1]; p++) {
      const diff = time[p] - time[p - 1];
      if (diff === runValue) {
        runLength++;
        continue;
      }
      if (runLength > 0) counts.set(runValue, (counts.get(runValue) ?? 0) + runLength);
      runValue = diff;
      runLength = 1;
    }
  }
  if (runLength > 0) counts.set(runValue, (counts.get(runValue) ?? 0) + runLength);
  for (const c of counts.values()) total += c;
  if (total === 0) return Number.NaN;
  const values = Float64Array.from(counts.keys()).sort();
  // Lower median for an even count, so the result is always an observed interval.
  const half = Math.floor((total - 1) / 2);
  let seen = 0;
  for (const value of values) {
    seen += counts.get(value)!;
    if (seen > half) return value;
  }
  return values[values.length - 1];
}
