import {
  binCounts,
  type CategoricalProfile,
  type ColumnProfile,
  OTHER_CATEGORY,
  profileCategories,
  quantileHistogram,
} from '../data/profile.ts';
import { jensenShannonFromCounts } from './jensen-shannon.ts';
import { ksPValue, ksStatistic } from './ks.ts';
import { PSI_EPSILON, psiFromCounts } from './psi.ts';
import { wasserstein1 } from './wasserstein.ts';

/** NumericReference is a numeric drift baseline: the raw reference values (NaN skipped) or their ColumnProfile. */
export type NumericReference = Float64Array | ColumnProfile;

/** CategoricalReference is a categorical drift baseline: raw category names (null skipped) or their CategoricalProfile. */
export type CategoricalReference = readonly (string | null | undefined)[] | CategoricalProfile;

/**
 * NumericBaseline is a numeric reference made comparable: its ascending values (all of
 * them, or a profile's quantile sample), the number of values they stand for, the
 * population std and the quantile histogram.
 */
export interface NumericBaseline {
  sorted: Float64Array;
  count: number;
  std: number;
  edges: number[];
  counts: ArrayLike<number>;
}

/** KsResult is a two-sample KS statistic and its asymptotic p-value. */
export interface KsResult {
  statistic: number;
  pValue: number;
}

/** WASSERSTEIN_MIN_NORM is the smallest reference std normalised Wasserstein divides by (Evidently's 0.001). */
export const WASSERSTEIN_MIN_NORM = 0.001;

/** numericBaseline prepares a NumericReference; a reference with no finite values has count 0. */
export function numericBaseline(reference: NumericReference): NumericBaseline {
  if (!(reference instanceof Float64Array)) {
    return {
      sorted: Float64Array.from(reference.sample).sort(),
      count: reference.count,
      std: reference.std,
      edges: reference.histogram.edges,
      counts: reference.histogram.counts,
    };
  }
  const finite = new Float64Array(reference.length);
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < reference.length; i++) {
    const v = reference[i];
    if (!Number.isFinite(v)) continue;
    finite[count++] = v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  const sorted = finite.subarray(0, count).sort();
  if (count === 0) return { sorted, count, std: 0, edges: [], counts: [] };
  const { edges, counts } = quantileHistogram(sorted);
  return { sorted, count, std: Math.sqrt(m2 / count), edges, counts };
}

/** finiteSorted is an ascending copy of the finite values of `values`. */
export function finiteSorted(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[n++] = values[i];
  return out.subarray(0, n).sort();
}

/**
 * ksTest runs the two-sample KS test of `current` against the reference. Against a
 * profile the statistic uses its quantile sample (within 1/(2·sample length) of the
 * full reference CDF) and the p-value uses the profile's full `count` as the
 * reference size. Both sides need at least one finite value.
 */
export function ksTest(reference: NumericReference | NumericBaseline, current: Float64Array): KsResult {
  const base = asBaseline(reference);
  const cur = finiteSorted(current);
  if (base.sorted.length === 0 || cur.length === 0) throw new RangeError('ksTest: empty sample');
  const statistic = ksStatistic(base.sorted, cur);
  return { statistic, pValue: ksPValue(statistic, base.count, cur.length) };
}

/**
 * normedWasserstein is Evidently's normalised Wasserstein distance: W1 between the
 * reference (or its quantile sample) and `current`, divided by the reference's
 * population std (at least {@link WASSERSTEIN_MIN_NORM}), so it reads in reference
 * standard deviations.
 */
export function normedWasserstein(reference: NumericReference | NumericBaseline, current: Float64Array): number {
  const base = asBaseline(reference);
  const cur = finiteSorted(current);
  if (base.sorted.length === 0 || cur.length === 0) throw new RangeError('normedWasserstein: empty sample');
  return wasserstein1(base.sorted, cur) / Math.max(base.std, WASSERSTEIN_MIN_NORM);
}

/** psi is the population stability index of `current` on the reference's quantile histogram bins. */
export function psi(
  reference: NumericReference | NumericBaseline,
  current: Float64Array,
  epsilon: number = PSI_EPSILON,
): number {
  const base = asBaseline(reference);
  return psiFromCounts(base.counts, binCounts(base.edges, finiteOnly(current)), epsilon);
}

/** binnedJensenShannon is the base-2 Jensen-Shannon distance of `current` on the reference's quantile histogram bins. */
export function binnedJensenShannon(reference: NumericReference | NumericBaseline, current: Float64Array): number {
  const base = asBaseline(reference);
  return jensenShannonFromCounts(base.counts, binCounts(base.edges, finiteOnly(current)));
}

/**
 * categoryCounts aligns current categories with the reference's: one bucket per
 * reference category plus {@link OTHER_CATEGORY}, where every current category the
 * reference does not name is counted (so it matches a top-k profile's `__other__`;
 * with no `__other__` in the reference the bucket's reference count is 0, and JS and
 * PSI are unchanged by lumping categories the reference never saw). Nulls are skipped.
 */
export function categoryCounts(
  reference: CategoricalReference,
  current: readonly (string | null | undefined)[],
): { reference: Float64Array; current: Float64Array } {
  const frequencies = asCategoricalProfile(reference).frequencies;
  const index = new Map<string, number>();
  for (const name of Object.keys(frequencies)) if (name !== OTHER_CATEGORY) index.set(name, index.size);
  const other = index.size;
  const ref = new Float64Array(other + 1);
  for (const [name, i] of index) ref[i] = frequencies[name];
  ref[other] = Object.hasOwn(frequencies, OTHER_CATEGORY) ? frequencies[OTHER_CATEGORY] : 0;
  const cur = new Float64Array(other + 1);
  for (const v of current) {
    if (v === null || v === undefined) continue;
    cur[index.get(v) ?? other]++;
  }
  return { reference: ref, current: cur };
}

/** categoricalJensenShannon is the base-2 Jensen-Shannon distance between reference and current category frequencies. */
export function categoricalJensenShannon(
  reference: CategoricalReference,
  current: readonly (string | null | undefined)[],
): number {
  const counts = categoryCounts(reference, current);
  return jensenShannonFromCounts(counts.reference, counts.current);
}

/** categoricalPsi is the population stability index between reference and current category frequencies. */
export function categoricalPsi(
  reference: CategoricalReference,
  current: readonly (string | null | undefined)[],
  epsilon: number = PSI_EPSILON,
): number {
  const counts = categoryCounts(reference, current);
  return psiFromCounts(counts.reference, counts.current, epsilon);
}

function asBaseline(reference: NumericReference | NumericBaseline): NumericBaseline {
  return reference instanceof Float64Array || 'kind' in reference ? numericBaseline(reference) : reference;
}

function asCategoricalProfile(reference: CategoricalReference): CategoricalProfile {
  return 'kind' in reference ? reference : profileCategories(reference, { topCategories: Number.POSITIVE_INFINITY });
}

function finiteOnly(values: Float64Array): Float64Array {
  let all = true;
  for (let i = 0; i < values.length && all; i++) all = Number.isFinite(values[i]);
  return all ? values : values.filter(Number.isFinite);
}
