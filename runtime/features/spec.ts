import type { Table } from '../data/table.ts';
import { FeatureError } from './errors.ts';

/** CalendarFeature names one calendar feature of the local wall-clock time. */
export type CalendarFeature = 'hourOfDay' | 'dayOfWeek' | 'month' | 'dayOfYear' | 'holiday' | 'weekend';

/** RollingStat names one statistic over a rolling window. */
export type RollingStat = 'mean' | 'std' | 'min' | 'max';

/**
 * FeatureSpec is what the feature pipeline needs from a FeatureSet's spec. It is a
 * structural subset of the CRD type (crds/feature-set.ts), so that type is
 * assignable to it and this folder does not depend on zod.
 */
export interface FeatureSpec {
  /** Numeric column to forecast. */
  target: string;
  /** hourOfDay/dayOfWeek/month/dayOfYear as cyclic sin+cos pairs; holiday and weekend as 0/1. */
  calendar?: CalendarFeature[];
  /** Local dates 'YYYY-MM-DD' for the holiday flag. */
  holidays?: { dates: string[] };
  /** Lagged values, in rows of the series. */
  lags?: { column: string; steps: number[] }[];
  /** Statistics over past-only windows, in rows of the series. */
  rolling?: { column: string; windows: number[]; stats: RollingStat[] }[];
  /**
   * Exogenous numeric columns. `knownInAdvance` ones (calendar-like plans, a
   * weather *forecast*) are inputs at every target step t+1..t+H and must be sent
   * for the horizon at serving time; `observed` ones (measured temperature) are
   * only known up to the origin and enter only through their lags and rolling
   * windows.
   */
  covariates?: CovariateSpec[];
  /**
   * The seasonal-naive anchor the models learn the residual to: set by training
   * (not by users) from the series' step, stored with the model's pipeline.
   */
  anchor?: AnchorSpec;
}

/** CovariateSpec declares one exogenous column and when its values are known. */
export interface CovariateSpec {
  column: string;
  availability: 'knownInAdvance' | 'observed';
}

/** AnchorSpec is the seasonal-naive anchor: its period and the level-shift window, in rows. */
export interface AnchorSpec {
  period: number;
  levelWindow: number;
}

/** knownCovariates lists the spec's known-in-advance covariate columns, in spec order. */
export function knownCovariates(spec: Pick<FeatureSpec, 'covariates'>): string[] {
  return (spec.covariates ?? []).filter((c) => c.availability === 'knownInAdvance').map((c) => c.column);
}

/**
 * historyColumns lists the columns besides the target whose history a forecast
 * reads (lag and rolling columns, known covariates), sorted; a forecast request
 * must send each for its history rows.
 */
export function historyColumns(spec: FeatureSpec): string[] {
  const columns = new Set<string>();
  for (const lag of spec.lags ?? []) columns.add(lag.column);
  for (const roll of spec.rolling ?? []) columns.add(roll.column);
  for (const c of knownCovariates(spec)) columns.add(c);
  columns.delete(spec.target);
  return [...columns].sort();
}

const CALENDAR_FEATURES: ReadonlySet<string> = new Set([
  'hourOfDay',
  'dayOfWeek',
  'month',
  'dayOfYear',
  'holiday',
  'weekend',
]);
const ROLLING_STATS: ReadonlySet<string> = new Set(['mean', 'std', 'min', 'max']);

function invalid(message: string): never {
  throw new FeatureError('INVALID_SPEC', message);
}

function checkNumericColumn(table: Table, column: string, where: string): void {
  if (!table.numeric.has(column)) {
    const known = [...table.numeric.keys()].join(', ') || 'none';
    invalid(`${where}: "${column}" is not a numeric column of the dataset (numeric columns: ${known})`);
  }
}

function checkCount(value: number, min: number, where: string): void {
  if (!Number.isInteger(value) || value < min) invalid(`${where}: ${value} must be an integer of at least ${min}`);
}

/**
 * checkFeatureSpec throws a FeatureError('INVALID_SPEC') naming the field when the
 * spec does not fit the table: unknown or non-numeric columns, non-integer lags or
 * windows, a std over fewer than 2 rows, unknown calendar features or stats, the
 * target as a covariate (which would feed the future target to the model). It
 * repeats the few CRD checks that matter so the pipeline is safe on its own.
 */
export function checkFeatureSpec(table: Table, spec: FeatureSpec): void {
  checkNumericColumn(table, spec.target, 'target');
  for (const [i, kind] of (spec.calendar ?? []).entries()) {
    if (!CALENDAR_FEATURES.has(kind)) invalid(`calendar[${i}]: unknown calendar feature "${kind}"`);
  }
  for (const [i, lag] of (spec.lags ?? []).entries()) {
    checkNumericColumn(table, lag.column, `lags[${i}].column`);
    if (lag.steps.length === 0) invalid(`lags[${i}].steps: at least one lag is needed`);
    for (const [j, k] of lag.steps.entries()) checkCount(k, 1, `lags[${i}].steps[${j}]`);
  }
  for (const [i, roll] of (spec.rolling ?? []).entries()) {
    checkNumericColumn(table, roll.column, `rolling[${i}].column`);
    if (roll.windows.length === 0) invalid(`rolling[${i}].windows: at least one window is needed`);
    if (roll.stats.length === 0) invalid(`rolling[${i}].stats: at least one statistic is needed`);
    for (const [j, stat] of roll.stats.entries()) {
      if (!ROLLING_STATS.has(stat)) invalid(`rolling[${i}].stats[${j}]: unknown statistic "${stat}"`);
    }
    const minWindow = roll.stats.includes('std') ? 2 : 1;
    for (const [j, w] of roll.windows.entries()) checkCount(w, minWindow, `rolling[${i}].windows[${j}]`);
  }
  for (const [i, { column, availability }] of (spec.covariates ?? []).entries()) {
    checkNumericColumn(table, `${column}`, `covariates[${i}].column`);
    if (column === spec.target) invalid(`covariates[${i}].column: the target "${column}" cannot be a covariate (its future is unknown)`);
    if (availability !== 'knownInAdvance' && availability !== 'observed') {
      invalid(`covariates[${i}].availability: "${availability}" must be knownInAdvance or observed`);
    }
  }
}

/** rejectDuplicateNames throws FeatureError('INVALID_SPEC') when a spec asks for the same feature twice. */
export function rejectDuplicateNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new FeatureError('INVALID_SPEC', `feature "${name}" is defined twice`);
    seen.add(name);
  }
}
