import type { CategoricalProfile, ColumnProfile } from '../data/profile.ts';
import {
  binnedJensenShannon,
  type CategoricalReference,
  categoricalJensenShannon,
  categoricalPsi,
  ksTest,
  type NumericBaseline,
  type NumericReference,
  normedWasserstein,
  numericBaseline,
  psi,
} from './stats.ts';
import { calibratedThreshold, nullScores } from './reference.ts';

/** DriftMethod names a per-feature drift statistic. */
export type DriftMethod = 'ks' | 'wasserstein' | 'psi' | 'jensenshannon';

/**
 * DriftMethodOverride picks the method (and optionally threshold) for one `feature`, or
 * without `feature` for every feature the method applies to ('ks' and 'wasserstein'
 * are numeric-only; 'psi' and 'jensenshannon' bin numeric features on the reference
 * histogram and compare categorical ones by frequency). A per-feature override wins
 * over a global one; a numeric-only method named for a categorical feature throws.
 */
export interface DriftMethodOverride {
  feature?: string;
  method: DriftMethod;
  threshold?: number;
}

/** ReferenceColumn is one feature's baseline: a profile, or raw values. */
export type ReferenceColumn = NumericReference | CategoricalReference;

/** CurrentColumn is one feature's current window: numbers (NaN is null) or category names (null is null). */
export type CurrentColumn = Float64Array | readonly (string | null | undefined)[];

/** DetectDriftOptions are the inputs of {@link detectDrift}; only `reference` and `current` are required. */
export interface DetectDriftOptions {
  /** Per-feature baselines; a TableProfile fits. */
  reference: { columns: Record<string, ReferenceColumn> };
  /** The current window by feature name. */
  current: Record<string, CurrentColumn>;
  /** Features to test; default every reference column that `current` also has. */
  features?: readonly string[];
  methods?: readonly DriftMethodOverride[];
  /** Default threshold per method, over {@link DEFAULT_THRESHOLDS}. */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** Fewer non-null current values than this means no verdict, default {@link DEFAULT_MIN_SAMPLES}. */
  minSamples?: number;
  /** Share of tested features that must drift for dataset drift, default 0.5. */
  driftShare?: number;
  /** Numeric features with more current values than this default to Wasserstein instead of KS, default 1000. */
  largeSample?: number;
  /**
   * Per-feature reference rows in time order (runtime/drift/reference.ts). A
   * feature that has them is compared with them, defaults to Wasserstein, and
   * its threshold is calibrated on windows of the same size drawn from them.
   */
  calibration?: Record<string, Float64Array>;
}

/**
 * FeatureDrift is one feature's verdict. `score` is the KS p-value for 'ks' (drift when
 * below `threshold`) and the distance for the others (drift when above); it is null
 * when the feature had fewer than `minSamples` current values or an empty reference,
 * and such a feature is left out of the drifted share.
 */
export interface FeatureDrift {
  name: string;
  method: DriftMethod;
  score: number | null;
  threshold: number;
  drifted: boolean;
  samples: number;
}

/**
 * DriftResult is the JSON verdict of {@link detectDrift}. `samples` is the largest
 * non-null current count over the tested features; below `minSamples` the status is
 * 'InsufficientData' (never drift) with no features.
 */
export interface DriftResult {
  status: 'Drift' | 'NoDrift' | 'InsufficientData';
  driftedShare: number;
  samples: number;
  minSamples: number;
  features: FeatureDrift[];
}

/** DEFAULT_THRESHOLDS are the Evidently-like per-method thresholds. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  wasserstein: 0.1,
  psi: 0.2,
  jensenshannon: 0.1,
};

/** DEFAULT_MIN_SAMPLES is the fewest non-null current values a feature needs for a verdict. */
export const DEFAULT_MIN_SAMPLES = 30;

/**
 * detectDrift compares each feature's current window with its reference. Defaults:
 * numeric features use KS (drift when p < 0.05) up to `largeSample` current values
 * and normalised Wasserstein (drift when > 0.1) above; categorical features use
 * Jensen-Shannon (drift when > 0.1). A feature with `calibration` rows uses
 * Wasserstein and a threshold beyond what same-sized windows of its own
 * reference score (the reported threshold is the calibrated one). The dataset drifts when the share of drifted
 * features is at least `driftShare`.
 */
export function detectDrift(options: DetectDriftOptions): DriftResult {
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const driftShare = options.driftShare ?? 0.5;
  const largeSample = options.largeSample ?? 1000;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const names = options.features ?? Object.keys(options.reference.columns).filter((n) => Object.hasOwn(options.current, n));

  const columns = names.map((name) => {
    const reference = Object.hasOwn(options.reference.columns, name) ? options.reference.columns[name] : undefined;
    const current = Object.hasOwn(options.current, name) ? options.current[name] : undefined;
    if (reference === undefined || current === undefined) {
      throw new RangeError(`detectDrift: feature "${name}" is missing from the ${reference ? 'current' : 'reference'} data`);
    }
    const numeric = isNumericReference(reference);
    if (numeric !== current instanceof Float64Array) {
      throw new TypeError(`detectDrift: feature "${name}" is ${numeric ? 'numeric' : 'categorical'} in the reference but not in the current data`);
    }
    return { name, reference, current, numeric, samples: nonNullCount(current) };
  });

  const samples = columns.reduce((max, c) => Math.max(max, c.samples), 0);
  if (samples < minSamples || columns.length === 0) {
    return { status: 'InsufficientData', driftedShare: 0, samples, minSamples, features: [] };
  }

  let tested = 0;
  let drifted = 0;
  const features = columns.map(({ name, reference: profile, current, numeric, samples: n }): FeatureDrift => {
    const series = numeric && options.calibration && Object.hasOwn(options.calibration, name) ? options.calibration[name] : undefined;
    const reference = series && series.length > 0 ? series : profile;
    const chosen = chooseMethod(name, numeric, series ? Number.POSITIVE_INFINITY : n, largeSample, options.methods);
    let threshold = chosen.threshold ?? thresholds[chosen.method];
    const score = n < minSamples ? null : scoreFeature(chosen.method, reference, current);
    if (score !== null && reference === series) {
      const base = numericBaseline(series);
      const nulls = nullScores(series, n, (window) => scoreNumeric(chosen.method, base, window));
      threshold = round6(calibratedThreshold(threshold, nulls, chosen.method !== 'ks'));
    }
    if (score === null) return { name, method: chosen.method, score, threshold, drifted: false, samples: n };
    const isDrift = chosen.method === 'ks' ? score < threshold : score > threshold;
    tested++;
    if (isDrift) drifted++;
    return { name, method: chosen.method, score: round6(score), threshold, drifted: isDrift, samples: n };
  });

  if (tested === 0) return { status: 'InsufficientData', driftedShare: 0, samples, minSamples, features };
  const share = drifted / tested;
  return { status: share >= driftShare ? 'Drift' : 'NoDrift', driftedShare: round6(share), samples, minSamples, features };
}

/** chooseMethod resolves a feature's method: its own override, else an applicable global one, else the default. */
function chooseMethod(
  name: string,
  numeric: boolean,
  samples: number,
  largeSample: number,
  overrides: readonly DriftMethodOverride[] = [],
): { method: DriftMethod; threshold?: number } {
  const own = overrides.find((o) => o.feature === name);
  if (own) {
    if (!numeric && (own.method === 'ks' || own.method === 'wasserstein')) {
      throw new TypeError(`detectDrift: method "${own.method}" needs a numeric feature, "${name}" is categorical`);
    }
    return own;
  }
  const global = overrides.find((o) => o.feature === undefined && (numeric || o.method === 'psi' || o.method === 'jensenshannon'));
  if (global) return global;
  if (!numeric) return { method: 'jensenshannon' };
  return { method: samples <= largeSample ? 'ks' : 'wasserstein' };
}

function scoreNumeric(method: DriftMethod, base: NumericBaseline, values: Float64Array): number {
  if (method === 'ks') return ksTest(base, values).pValue;
  if (method === 'wasserstein') return normedWasserstein(base, values);
  if (method === 'psi') return psi(base, values);
  return binnedJensenShannon(base, values);
}

/** scoreFeature computes one method's score, or null when the reference has no values. */
function scoreFeature(method: DriftMethod, reference: ReferenceColumn, current: CurrentColumn): number | null {
  if (isNumericReference(reference)) {
    const base = numericBaseline(reference);
    if (base.count === 0) return null;
    return scoreNumeric(method, base, current as Float64Array);
  }
  const names = current as readonly (string | null | undefined)[];
  if (isCategoricalProfile(reference) ? reference.count === 0 : nonNullCount(reference) === 0) return null;
  return method === 'psi' ? categoricalPsi(reference, names) : categoricalJensenShannon(reference, names);
}

function isNumericReference(reference: ReferenceColumn): reference is NumericReference {
  return reference instanceof Float64Array || (reference as ColumnProfile | CategoricalProfile).kind === 'numeric';
}

function isCategoricalProfile(reference: CategoricalReference): reference is CategoricalProfile {
  return !Array.isArray(reference);
}

function nonNullCount(values: CurrentColumn): number {
  let n = 0;
  if (values instanceof Float64Array) {
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  } else {
    for (const v of values) if (v !== null && v !== undefined) n++;
  }
  return n;
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}
