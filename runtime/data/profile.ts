import type { Table } from './table.ts';

/**
 * ColumnProfile summarises one numeric column; it is plain JSON and is the drift
 * baseline for that column.
 *
 * - `count` is the number of finite values; `nulls` the number of NaN (and ±Infinity)
 *   values, so `count + nulls` is the row count.
 * - `std` is the population standard deviation (ddof 0, as numpy and Evidently use).
 * - `histogram` has quantile bins: its edges are the reference's 0, 5%, …, 100%
 *   quantiles (at most 21 edges; tied quantiles are merged, so a column with heavy
 *   ties has fewer bins). Every bin then holds about 5% of the reference, so PSI never
 *   divides by an empty reference bin and one outlier cannot squeeze the bulk of the
 *   data into a single equal-width bin. Bin i holds `edges[i] <= v < edges[i+1]`; the
 *   last bin also holds `max`; when binning other data the outer bins are open-ended
 *   (see {@link binIndex}).
 * - `sample` is the sorted quantile sample: at most `sampleSize` values picked at
 *   evenly spaced ranks of the sorted column (all values when there are fewer), rounded
 *   to 1e-4..1e-3 of a standard deviation. Its empirical CDF is within 1/(2·length) of
 *   the column's, so KS and Wasserstein against it behave like against the full column;
 *   unlike a stride over rows it cannot alias with daily or weekly seasonality.
 *   A constant column keeps one value.
 *
 * When `count` is 0 the moments are 0 and `quantiles`, `histogram` and `sample` are empty.
 */
export interface ColumnProfile {
  kind: 'numeric';
  count: number;
  nulls: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  quantiles: { p: number; v: number }[];
  histogram: { edges: number[]; counts: number[] };
  sample: number[];
}

/**
 * CategoricalProfile summarises one categorical column: `count` non-null values,
 * `nulls`, and the `frequencies` of the most frequent categories (top 50 by default,
 * ties broken by name) with the rest summed under {@link OTHER_CATEGORY}. The
 * frequencies sum to `count`.
 */
export interface CategoricalProfile {
  kind: 'categorical';
  count: number;
  nulls: number;
  frequencies: Record<string, number>;
}

/**
 * TableProfile is the JSON profile of a whole Table: row count, time range (earliest and
 * latest row instants as ISO strings; both absent for an empty table) and every column.
 */
export interface TableProfile {
  rows: number;
  timeRange: { start?: string; end?: string };
  columns: Record<string, ColumnProfile | CategoricalProfile>;
}

/** ProfileOptions tunes how much a profile keeps. */
export interface ProfileOptions {
  /** Values kept in a numeric column's quantile sample, default 500 (at most 1000). */
  sampleSize?: number;
  /** Categories kept by name before the rest go to `__other__`, default 50. */
  topCategories?: number;
}

/** PROFILE_QUANTILES are the probabilities at which a ColumnProfile records quantiles. */
export const PROFILE_QUANTILES: readonly number[] = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];

/** HISTOGRAM_BINS is the number of quantile bins (before merging ties) in a ColumnProfile histogram. */
export const HISTOGRAM_BINS = 20;

/** OTHER_CATEGORY is the frequency key that sums every category outside the top ones. */
export const OTHER_CATEGORY = '__other__';

const DEFAULT_SAMPLE_SIZE = 500;
const MAX_SAMPLE_SIZE = 1000;
const DEFAULT_TOP_CATEGORIES = 50;

/** profileColumn profiles a numeric column: one Welford pass for the moments, one sort of a copy for the rest. */
export function profileColumn(values: Float64Array, options: ProfileOptions = {}): ColumnProfile {
  const sampleSize = Math.min(MAX_SAMPLE_SIZE, Math.max(1, Math.floor(options.sampleSize ?? DEFAULT_SAMPLE_SIZE)));
  const finite = new Float64Array(values.length);
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    finite[count++] = v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  const nulls = values.length - count;
  if (count === 0) {
    return {
      kind: 'numeric',
      count,
      nulls,
      min: 0,
      max: 0,
      mean: 0,
      std: 0,
      quantiles: [],
      histogram: { edges: [], counts: [] },
      sample: [],
    };
  }
  const sorted = finite.subarray(0, count).sort();
  const std = Math.sqrt(m2 / count);
  return {
    kind: 'numeric',
    count,
    nulls,
    min: sorted[0],
    max: sorted[count - 1],
    mean,
    std,
    quantiles: PROFILE_QUANTILES.map((p) => ({ p, v: quantileSorted(sorted, p) })),
    histogram: quantileHistogram(sorted),
    sample: quantileSample(sorted, sampleSize, std),
  };
}

/** profileCategorical profiles a dictionary-encoded column (codes index `dictionary`, -1 is null). */
export function profileCategorical(
  codes: Int32Array,
  dictionary: readonly string[],
  options: ProfileOptions = {},
): CategoricalProfile {
  const perCode = new Float64Array(dictionary.length);
  let nulls = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0 && c < dictionary.length) perCode[c]++;
    else nulls++;
  }
  const counts = new Map<string, number>();
  for (let c = 0; c < dictionary.length; c++) {
    if (perCode[c] > 0) counts.set(dictionary[c], (counts.get(dictionary[c]) ?? 0) + perCode[c]);
  }
  return {
    kind: 'categorical',
    count: codes.length - nulls,
    nulls,
    frequencies: topFrequencies(counts, options.topCategories ?? DEFAULT_TOP_CATEGORIES),
  };
}

/** profileCategories profiles a plain array of category names; null and undefined are nulls. */
export function profileCategories(
  values: readonly (string | null | undefined)[],
  options: ProfileOptions = {},
): CategoricalProfile {
  const counts = new Map<string, number>();
  let nulls = 0;
  for (const v of values) {
    if (v === null || v === undefined) nulls++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return {
    kind: 'categorical',
    count: values.length - nulls,
    nulls,
    frequencies: topFrequencies(counts, options.topCategories ?? DEFAULT_TOP_CATEGORIES),
  };
}

/**
 * profileTable profiles every numeric and categorical column of a Table (the entity
 * column included) and its time range. An empty table (say, every row rejected) gets
 * empty column profiles and no time range rather than an exception.
 */
export function profileTable(table: Table, options: ProfileOptions = {}): TableProfile {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < table.rows; i++) {
    const t = table.time[i];
    if (t < start) start = t;
    if (t > end) end = t;
  }
  const columns: Record<string, ColumnProfile | CategoricalProfile> = {};
  for (const [name, values] of table.numeric) columns[name] = profileColumn(values, options);
  for (const [name, column] of table.categorical) {
    columns[name] = profileCategorical(column.codes, column.dictionary, options);
  }
  const timeRange = table.rows === 0 ? {} : { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  return { rows: table.rows, timeRange, columns };
}

/** quantileSorted is the p-quantile of ascending, non-empty `sorted`, interpolated linearly (numpy's default). */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * binIndex is the histogram bin of `v` for ascending `edges` (at least 2): bin i holds
 * `edges[i] <= v < edges[i+1]`, the last bin also holds its upper edge, and values
 * outside the edges fall into the first or last bin (open-ended outer bins).
 */
export function binIndex(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(Math.max(lo - 1, 0), edges.length - 2);
}

/** binCounts counts the finite `values` per bin of `edges` (see {@link binIndex}); NaN values are skipped. */
export function binCounts(edges: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(Math.max(edges.length - 1, 0));
  if (counts.length === 0) return counts;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) counts[binIndex(edges, v)]++;
  }
  return counts;
}

/**
 * quantileHistogram is the ColumnProfile histogram of ascending, non-empty `sorted`:
 * edges at its distinct 0, 1/20, …, 1 quantiles (a constant column gets [v, v]) and
 * the count per bin.
 */
export function quantileHistogram(sorted: Float64Array): { edges: number[]; counts: number[] } {
  const edges: number[] = [sorted[0]];
  for (let k = 1; k <= HISTOGRAM_BINS; k++) {
    const e = k === HISTOGRAM_BINS ? sorted[sorted.length - 1] : quantileSorted(sorted, k / HISTOGRAM_BINS);
    if (e > edges[edges.length - 1]) edges.push(e);
  }
  if (edges.length === 1) edges.push(edges[0]);
  return { edges, counts: Array.from(binCounts(edges, sorted)) };
}

/** quantileSample picks `size` values at evenly spaced mid-ranks of `sorted`, rounded relative to `std`. */
function quantileSample(sorted: Float64Array, size: number, std: number): number[] {
  const n = sorted.length;
  if (std === 0) return [sorted[0]];
  const decimals = 3 - Math.floor(Math.log10(std));
  const m = Math.min(size, n);
  const sample = new Array<number>(m);
  for (let k = 0; k < m; k++) {
    const v = m === n ? sorted[k] : sorted[Math.floor(((k + 0.5) * n) / m)];
    sample[k] = roundDecimals(v, decimals);
  }
  return sample;
}

/** roundDecimals rounds `v` to `decimals` decimal places (negative: to a power of ten) and keeps it short in JSON. */
function roundDecimals(v: number, decimals: number): number {
  if (decimals >= 0) return Number(v.toFixed(Math.min(decimals, 100)));
  const step = 10 ** -decimals;
  return Math.round(v / step) * step;
}

/** topFrequencies keeps the `top` most frequent categories (ties by name) and sums the rest under `__other__`. */
function topFrequencies(counts: Map<string, number>, top: number): Record<string, number> {
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // A null prototype keeps a category named "__proto__" an ordinary key.
  const frequencies: Record<string, number> = Object.create(null);
  let other = 0;
  for (let i = 0; i < ranked.length; i++) {
    const [name, n] = ranked[i];
    if (i < top && name !== OTHER_CATEGORY) frequencies[name] = n;
    else other += n;
  }
  if (other > 0) frequencies[OTHER_CATEGORY] = other;
  return frequencies;
}
