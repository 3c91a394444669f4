import { calendarNames } from './calendar.ts';
import { FeatureError } from './errors.ts';
import { type FeatureSpec, type RollingStat, rejectDuplicateNames } from './spec.ts';

/** FramePlan is the resolved list of a spec's model inputs for a horizon. */
export interface FramePlan {
  names: string[];
  calendarWidth: number;
  /** Lag inputs: column and row offset from the origin (<= 0), duplicates removed. */
  lagColumns: string[];
  lagOffsets: number[];
  rolling: { column: string; window: number; stat: RollingStat }[];
  covariates: string[];
}

/** checkHorizon throws FeatureError('INVALID_SPEC') unless the horizon is a positive integer. */
export function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new FeatureError('INVALID_SPEC', `horizon: ${horizon} must be an integer of at least 1`);
  }
}

/**
 * planInputs resolves a spec and horizon into the frame's inputs. Lag k at step s
 * reads the row at offset s - k*ceil(s/k) from the origin; an input that would
 * read the same (column, offset) as an earlier one is left out, since duplicate
 * columns add nothing and make linear models singular.
 */
export function planInputs(spec: FeatureSpec, horizon: number): FramePlan {
  checkHorizon(horizon);
  const names = calendarNames(spec.calendar ?? []);
  const calendarWidth = names.length;
  const lagColumns: string[] = [];
  const lagOffsets: number[] = [];
  const seen = new Set<string>();
  for (const lag of spec.lags ?? []) {
    for (const k of lag.steps) {
      for (let s = 1; s <= horizon; s++) {
        // Step s reads lag k from the latest cycle that is observed at the origin.
        const offset = s - k * Math.ceil(s / k);
        const key = `${lag.column}\u0000${offset}`;
        if (seen.has(key)) continue;
        seen.add(key);
        lagColumns.push(lag.column);
        lagOffsets.push(offset);
        names.push(`${lag.column}_lag${k}_s${s}`);
      }
    }
  }
  const rolling: FramePlan['rolling'] = [];
  for (const roll of spec.rolling ?? []) {
    for (const window of roll.windows) {
      for (const stat of roll.stats) {
        rolling.push({ column: roll.column, window, stat });
        names.push(`${roll.column}_roll${window}_${stat}`);
      }
    }
  }
  const covariates = spec.covariates ?? [];
  for (const covariate of covariates) {
    for (let s = 1; s <= horizon; s++) names.push(`${covariate}_s${s}`);
  }
  rejectDuplicateNames(names);
  return { names, calendarWidth, lagColumns, lagOffsets, rolling, covariates };
}

/**
 * forecastInputNames lists the model inputs of a spec and horizon, in X's column
 * order: calendar of the first target step, `<column>_lag<k>_s<s>` (lags that
 * would repeat an earlier input's row are left out), `<column>_roll<w>_<stat>`
 * over the window ending at the origin, then `<covariate>_s<s>` for s = 1..H.
 */
export function forecastInputNames(spec: FeatureSpec, horizon: number): string[] {
  return planInputs(spec, horizon).names;
}

/**
 * requiredHistory is the number of rows up to and including the origin that a
 * forecast needs: the largest lag and the largest rolling window (at least 1).
 * A serving request with fewer rows is answered with a 400 that says so.
 */
export function requiredHistory(spec: FeatureSpec, horizon: number): number {
  checkHorizon(horizon);
  let rows = 1;
  for (const lag of spec.lags ?? []) for (const k of lag.steps) rows = Math.max(rows, k);
  for (const roll of spec.rolling ?? []) for (const w of roll.windows) rows = Math.max(rows, w);
  return rows;
}
