import type { Table } from '../data/table.ts';
import { createCalendarEncoder } from './calendar.ts';
import { FeatureError } from './errors.ts';
import { type FramePlan, lagOffset, planInputs, requiredHistory } from './frame-inputs.ts';
import { createHolidayLookup } from './holidays.ts';
import { createRollingKernel, rollingOutputs } from './rolling.ts';
import { type SeriesLayout, seriesLayout, toPositions } from './series-layout.ts';
import { checkFeatureSpec, type FeatureSpec } from './spec.ts';
import { inferStepMs } from './step.ts';

export { type FramePlan, forecastInputNames, planInputs, requiredHistory } from './frame-inputs.ts';

/** ForecastFrameOptions choose the forecast origins and, optionally, the time step. */
export interface ForecastFrameOptions {
  /**
   * 'all' (default, training): every row is an origin; samples whose inputs or
   * targets are not all known are skipped. An Int32Array of row indices: those
   * origins only, same rules (backtests). 'last' (serving): per entity, the last
   * row whose target is known; Y is null and a missing input throws a FeatureError.
   */
  origins?: Int32Array | 'all' | 'last';
  /** The series' interval in ms; inferred as the median row difference when absent (serving can pass the training value). */
  stepMs?: number;
}

/** ForecastFrame is the model's view of a table: one sample per forecast origin. */
export interface ForecastFrame {
  inputNames: string[];
  horizon: number;
  /** samples x inputNames.length, row-major. */
  X: Float32Array;
  /** samples x horizon, targets y[t+1..t+H]; null for origins 'last' (serving). */
  Y: Float32Array | null;
  /** Table row index t of each sample (the last observed row). */
  origins: Int32Array;
  /** samples x horizon epoch ms of y[t+s]: the row's time when the table has it, else time[t] + s * step (NaN when no step is known). */
  targetTimes: Float64Array;
  /** Candidate origins left out because an input (warm-up) or, when training, a target was missing. */
  skipped: number;
  /** The time step used for timestamps beyond the table's rows. */
  stepMs: number;
  /** Where each kind of input sits in X, and each step's view of it. */
  plan: FramePlan;
}

function lastOrigins(table: Table, spec: FeatureSpec, horizon: number, layout: SeriesLayout, y: Float64Array): Int32Array {
  const { starts, labels, order } = layout;
  const needed = requiredHistory(spec, horizon);
  const positions = new Int32Array(starts.length - 1);
  for (let s = 0; s + 1 < starts.length; s++) {
    const who = labels[s] === '' ? 'the series' : `entity "${labels[s]}"`;
    let p = starts[s + 1] - 1;
    while (p >= starts[s] && Number.isNaN(y[p])) p--;
    if (p < starts[s]) {
      throw new FeatureError('NO_ORIGIN', `${who} has no row with a known "${spec.target}" to forecast from`);
    }
    const history = p - starts[s] + 1;
    if (history < needed) {
      const last = new Date(table.time[order ? order[p] : p]).toISOString();
      throw new FeatureError(
        'INSUFFICIENT_HISTORY',
        `${who} has ${history} rows of history up to ${last}; this FeatureSet needs at least ${needed} (its largest lag or rolling window)`,
      );
    }
    positions[s] = p;
  }
  return positions;
}

type InputKind = 'calendar' | 'history' | 'covariate';

function missingInput(layout: SeriesLayout, series: number, name: string, horizon: number, kind: InputKind): never {
  const label = layout.labels[series];
  const who = label === '' ? 'the series' : `entity "${label}"`;
  const hint =
    kind === 'covariate'
      ? `covariates must be given for the ${horizon} rows after the last observed row`
      : kind === 'calendar'
        ? 'the time of the first forecast step is unknown: send the future rows or at least two history rows'
        : 'the history must not contain missing values inside the lags and windows';
  throw new FeatureError('MISSING_INPUT', `${who}: input "${name}" is missing; ${hint}`);
}

/**
 * buildForecastFrame turns a table into model samples; it is the one function
 * behind both training and serving, so the two cannot skew. A sample at origin
 * row t (the last observed row) predicts y[t+1..t+H] from:
 * (a) the calendar of each target step t+s: that row's local time when the
 *     table has it, else time[t] + s steps with row t's UTC offset;
 * (b) per lag k and step s, y[t + s - k*ceil(s/k)]: y[t+s-k] when s <= k, else the
 *     same phase in the latest observed cycle, never a value after t (observed
 *     covariates enter only this way and through (c));
 * (c) rolling stats over the w rows ending at t (inclusive);
 * (d) each known-in-advance covariate at rows t+1..t+H of the same entity;
 * (e) with an anchor, the seasonal-naive value of each step and the level shift
 *     (see planInputs).
 * Serving passes the history rows plus H future rows whose target is NaN and
 * whose known covariates are given, with origins 'last'; the frame at that origin is
 * identical to the training frame at the same origin (same code, same values).
 * Entities are handled as in computeRowFeatures. Samples follow the order of the
 * origins (ascending rows for 'all', entity order for 'last'); with several
 * entities a time-ordered split should use targetTimes, not sample index.
 */
export function buildForecastFrame(
  table: Table,
  spec: FeatureSpec,
  horizon: number,
  opts: ForecastFrameOptions = {},
): ForecastFrame {
  checkFeatureSpec(table, spec);
  const plan = planInputs(spec, horizon);
  const width = plan.names.length;
  const layout = seriesLayout(table);
  const { order, position, seriesOf, starts } = layout;
  const time = toPositions(table.time, layout);
  const offsetMinutes = table.offsetMinutes;
  const stepMs = opts.stepMs ?? inferStepMs(time, layout);
  const y = toPositions(table.numeric.get(spec.target)!, layout);
  const origins = opts.origins ?? 'all';
  const serving = origins === 'last';

  let candidates: Int32Array;
  if (origins === 'last') {
    candidates = lastOrigins(table, spec, horizon, layout, y);
  } else if (origins === 'all') {
    candidates = new Int32Array(table.rows);
    for (let r = 0; r < table.rows; r++) candidates[r] = position ? position[r] : r;
  } else {
    candidates = new Int32Array(origins.length);
    for (let i = 0; i < origins.length; i++) {
      const r = origins[i];
      if (!Number.isInteger(r) || r < 0 || r >= table.rows) {
        throw new FeatureError('INVALID_SPEC', `origins[${i}]: row ${r} is not a row of the table (0..${table.rows - 1})`);
      }
      candidates[i] = position ? position[r] : r;
    }
  }

  const columnCache = new Map<string, Float64Array>();
  const positional = (column: string) => {
    let values = columnCache.get(column);
    if (!values) {
      values = toPositions(table.numeric.get(column)!, layout);
      columnCache.set(column, values);
    }
    return values;
  };
  const lagCount = plan.lagOffsets.length;
  const lagValues = plan.lagColumns.map(positional);
  const lagOffsets = Int32Array.from(plan.lagOffsets);
  const rollingValues: Float64Array[] = [];
  const kernels = new Map<string, Float64Array>();
  for (const { column, window, stat } of plan.rolling) {
    const key = `${column}\u0000${window}\u0000${stat}`;
    let values = kernels.get(key);
    if (!values) {
      // One kernel pass per (column, window) fills all of its stats.
      const stats = plan.rolling.filter((r) => r.column === column && r.window === window).map((r) => r.stat);
      const out = rollingOutputs(table.rows, stats);
      const kernel = createRollingKernel(window);
      const x = positional(column);
      for (let s = 0; s + 1 < starts.length; s++) kernel(x, starts[s], starts[s + 1], 0, out);
      for (const st of stats) kernels.set(`${column}\u0000${window}\u0000${st}`, out[st]!);
      values = out[stat]!;
    }
    rollingValues.push(values);
  }
  const knownValues = plan.known.map(positional);
  const encoder = createCalendarEncoder(spec.calendar ?? [], createHolidayLookup(spec.holidays?.dates ?? []));
  const anchor = plan.anchor;

  const capacity = candidates.length;
  let X = new Float32Array(capacity * width);
  let Y: Float32Array | null = serving ? null : new Float32Array(capacity * horizon);
  let originRows = new Int32Array(capacity);
  let targetTimes = new Float64Array(capacity * horizon);
  const calendarWidth = plan.calendarWidth;
  const calendar = new Float64Array(calendarWidth);
  let samples = 0;
  let skipped = 0;

  for (let c = 0; c < capacity; c++) {
    const p = candidates[c];
    const series = seriesOf ? seriesOf[p] : 0;
    const start = starts[series];
    const end = starts[series + 1];
    // Inputs go straight into X's next row; it only counts once all are known.
    // (v - v) is NaN exactly for NaN or infinite v, so `probe` flags a missing input.
    const base = samples * width;
    let probe = 0;
    let k = base;
    if (calendarWidth > 0) {
      // Each target step's own local time: the row's when the table has it, else
      // the origin's time plus s steps at the origin's UTC offset.
      const originLocal = time[p] + offsetMinutes[order ? order[p] : p] * 60_000;
      for (let s = 1; s <= horizon; s++) {
        const q = p + s;
        const local = q < end ? time[q] + offsetMinutes[order ? order[q] : q] * 60_000 : originLocal + s * stepMs;
        encoder.encode(local, calendar, 0, 1);
        for (let j = 0; j < calendarWidth; j++) {
          const v = calendar[j];
          probe += v - v;
          X[k++] = v;
        }
      }
    }
    for (let j = 0; j < lagCount; j++) {
      const at = p + lagOffsets[j];
      const v = at >= start ? lagValues[j][at] : Number.NaN;
      probe += v - v;
      X[k++] = v;
    }
    for (let j = 0; j < rollingValues.length; j++) {
      const v = rollingValues[j][p];
      probe += v - v;
      X[k++] = v;
    }
    for (let j = 0; j < knownValues.length; j++) {
      const values = knownValues[j];
      for (let s = 1; s <= horizon; s++) {
        const v = p + s < end ? values[p + s] : Number.NaN;
        probe += v - v;
        X[k++] = v;
      }
    }
    if (anchor) {
      const { period, levelWindow } = anchor;
      for (let s = 1; s <= horizon; s++) {
        const at = p + lagOffset(period, s);
        const v = at >= start ? y[at] : Number.NaN;
        probe += v - v;
        X[k++] = v;
      }
      let level = Number.NaN;
      if (p - levelWindow + 1 - period >= start) {
        level = 0;
        for (let i = p - levelWindow + 1; i <= p; i++) level += y[i] - y[i - period];
        level /= levelWindow;
      }
      probe += level - level;
      X[k++] = level;
    }
    let complete = !Number.isNaN(probe);
    if (!complete && serving) {
      for (let j = 0; j < width; j++) {
        if (!Number.isNaN(X[base + j])) continue;
        const kind = j < plan.lagStart ? 'calendar' : j >= plan.knownStart && j < plan.anchorStart ? 'covariate' : 'history';
        missingInput(layout, series, plan.names[j], horizon, kind);
      }
    }
    if (complete && Y) {
      if (p + horizon >= end) complete = false;
      for (let s = 1; complete && s <= horizon; s++) complete = !Number.isNaN(y[p + s]);
    }
    if (!complete) {
      skipped++;
      continue;
    }
    const targetBase = samples * horizon;
    for (let s = 1; s <= horizon; s++) {
      if (Y) Y[targetBase + s - 1] = y[p + s];
      targetTimes[targetBase + s - 1] = p + s < end ? time[p + s] : time[p] + s * stepMs;
    }
    originRows[samples] = order ? order[p] : p;
    samples++;
  }

  if (samples < capacity) {
    // A little warm-up waste is kept as a view; a mostly-skipped frame is compacted.
    const trim = samples < capacity * 0.9;
    const cut = <T extends Float32Array | Float64Array | Int32Array>(a: T, n: number): T =>
      (trim ? a.slice(0, n) : a.subarray(0, n)) as T;
    X = cut(X, samples * width);
    if (Y) Y = cut(Y, samples * horizon);
    originRows = cut(originRows, samples);
    targetTimes = cut(targetTimes, samples * horizon);
  }
  return { inputNames: plan.names, horizon, X, Y, origins: originRows, targetTimes, skipped, stepMs, plan };
}

/** tableStepMs is the series' interval in ms as the frame infers it: the most common row difference within each entity. */
export function tableStepMs(table: Table): number {
  const layout = seriesLayout(table);
  return inferStepMs(toPositions(table.time, layout), layout);
}
