import { calendarNames } from './calendar.ts';
import { FeatureError } from './errors.ts';
import { type AnchorSpec, type FeatureSpec, knownCovariates, type RollingStat, rejectDuplicateNames } from './spec.ts';

/** FramePlan is the resolved list of a spec's model inputs for a horizon, in X's column order. */
export interface FramePlan {
  names: string[];
  horizon: number;
  /** Calendar inputs per forecast step; X holds horizon x calendarWidth of them, step 1 first. */
  calendarWidth: number;
  /** Lag inputs: column and row offset from the origin (<= 0), duplicates removed. */
  lagColumns: string[];
  lagOffsets: number[];
  lagStart: number;
  rolling: { column: string; window: number; stat: RollingStat }[];
  rollingStart: number;
  /** Known-in-advance covariates; X holds horizon values of each, at t+1..t+H. */
  known: string[];
  knownStart: number;
  /** Seasonal-naive anchor: horizon values y[t+s-P*ceil(s/P)], then the level shift. */
  anchor: AnchorSpec | undefined;
  anchorStart: number;
  /** Names of one step's view of X (see stepView). */
  stepNames: string[];
  /** horizon x stepNames.length column indices of X: what step s of a sample sees, for per-step models. */
  stepView: Int32Array;
}

/** checkHorizon throws FeatureError('INVALID_SPEC') unless the horizon is a positive integer. */
export function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new FeatureError('INVALID_SPEC', `horizon: ${horizon} must be an integer of at least 1`);
  }
}

/** lagOffset is the row offset from the origin that lag k reads for forecast step s: the latest observed cycle. */
export function lagOffset(k: number, s: number): number {
  return s - k * Math.ceil(s / k);
}

/**
 * planInputs resolves a spec and horizon into the frame's inputs:
 * - the calendar of every target step t+1..t+H (`<name>_s<s>`);
 * - lag k at step s reads the row at offset s - k*ceil(s/k) from the origin
 *   (`<column>_lag<k>_s<s>`); an input that would read the same (column, offset)
 *   as an earlier one is left out, since duplicates add nothing;
 * - rolling stats over the window ending at the origin;
 * - known-in-advance covariates at t+1..t+H (`<column>_s<s>`); observed
 *   covariates enter only through their lags and rolling windows;
 * - with an anchor: the seasonal-naive forecast of each step
 *   (`<target>_naive_s<s>`) and the level shift (`<target>_level`): the mean of
 *   the last `levelWindow` rows minus the mean of the same rows one period before.
 * stepView maps each step to its own inputs (calendar of that step, each lag at
 * that step, rolling stats, covariates at that step, its naive value, the level),
 * so per-step models (trees) see one row per (origin, step).
 */
export function planInputs(spec: FeatureSpec, horizon: number): FramePlan {
  checkHorizon(horizon);
  const calendar = calendarNames(spec.calendar ?? []);
  const calendarWidth = calendar.length;
  const names: string[] = [];
  const stepColumns: number[][] = Array.from({ length: horizon }, () => []);
  const stepNames: string[] = [];
  for (let s = 1; s <= horizon; s++) {
    for (let j = 0; j < calendarWidth; j++) {
      stepColumns[s - 1].push(names.length);
      names.push(`${calendar[j]}_s${s}`);
    }
  }
  stepNames.push(...calendar);

  const lagStart = names.length;
  const lagColumns: string[] = [];
  const lagOffsets: number[] = [];
  const columnOf = new Map<string, number>();
  for (const lag of spec.lags ?? []) {
    for (const k of lag.steps) {
      stepNames.push(`${lag.column}_lag${k}`);
      for (let s = 1; s <= horizon; s++) {
        const offset = lagOffset(k, s);
        const key = `${lag.column}\u0000${offset}`;
        let column = columnOf.get(key);
        if (column === undefined) {
          column = names.length;
          columnOf.set(key, column);
          lagColumns.push(lag.column);
          lagOffsets.push(offset);
          names.push(`${lag.column}_lag${k}_s${s}`);
        }
        stepColumns[s - 1].push(column);
      }
    }
  }

  const rollingStart = names.length;
  const rolling: FramePlan['rolling'] = [];
  for (const roll of spec.rolling ?? []) {
    for (const window of roll.windows) {
      for (const stat of roll.stats) {
        const name = `${roll.column}_roll${window}_${stat}`;
        rolling.push({ column: roll.column, window, stat });
        for (const view of stepColumns) view.push(names.length);
        stepNames.push(name);
        names.push(name);
      }
    }
  }

  const knownStart = names.length;
  const known = knownCovariates(spec);
  for (const covariate of known) {
    stepNames.push(covariate);
    for (let s = 1; s <= horizon; s++) {
      stepColumns[s - 1].push(names.length);
      names.push(`${covariate}_s${s}`);
    }
  }

  const anchorStart = names.length;
  const anchor = spec.anchor;
  if (anchor) {
    checkAnchor(anchor);
    stepNames.push(`${spec.target}_naive`, `${spec.target}_level`);
    const level = anchorStart + horizon;
    for (let s = 1; s <= horizon; s++) {
      stepColumns[s - 1].push(names.length, level);
      names.push(`${spec.target}_naive_s${s}`);
    }
    names.push(`${spec.target}_level`);
  }
  rejectDuplicateNames(names);
  const stepView = new Int32Array(horizon * stepNames.length);
  for (let s = 0; s < horizon; s++) stepView.set(stepColumns[s], s * stepNames.length);
  return {
    names,
    horizon,
    calendarWidth,
    lagColumns,
    lagOffsets,
    lagStart,
    rolling,
    rollingStart,
    known,
    knownStart,
    anchor,
    anchorStart,
    stepNames,
    stepView,
  };
}

function checkAnchor(anchor: AnchorSpec): void {
  for (const key of ['period', 'levelWindow'] as const) {
    const v = anchor[key];
    if (!Number.isInteger(v) || v < 1) throw new FeatureError('INVALID_SPEC', `anchor.${key}: ${v} must be an integer of at least 1`);
  }
}

/**
 * forecastInputNames lists the model inputs of a spec and horizon, in X's column
 * order (see planInputs).
 */
export function forecastInputNames(spec: FeatureSpec, horizon: number): string[] {
  return planInputs(spec, horizon).names;
}

/**
 * requiredHistory is the number of rows up to and including the origin that a
 * forecast needs: the largest lag, the largest rolling window and, with an
 * anchor, one period plus the level window (at least 1). A serving request with
 * fewer rows is answered with a 400 that says so.
 */
export function requiredHistory(spec: FeatureSpec, horizon: number): number {
  checkHorizon(horizon);
  let rows = 1;
  for (const lag of spec.lags ?? []) for (const k of lag.steps) rows = Math.max(rows, k);
  for (const roll of spec.rolling ?? []) for (const w of roll.windows) rows = Math.max(rows, w);
  if (spec.anchor) rows = Math.max(rows, spec.anchor.period + spec.anchor.levelWindow);
  return rows;
}
