import type { Table } from '../data/table.ts';
import { createCalendarEncoder } from './calendar.ts';
import { allocColumn } from './columns.ts';
import { createHolidayLookup } from './holidays.ts';
import { createRollingKernel, rollingOutputs } from './rolling.ts';
import { seriesLayout, toPositions, toRows } from './series-layout.ts';
import { checkFeatureSpec, type FeatureSpec, rejectDuplicateNames } from './spec.ts';

/** RowFeatures are named feature columns with one value per table row (row order). */
export interface RowFeatures {
  names: string[];
  columns: Float64Array[];
}

/**
 * computeRowFeatures computes the features of every table row, as a pandas user
 * would with `shift(k)` and `shift(1).rolling(w)` per entity:
 * - calendar of the row's local wall-clock time (`localMillis`), names from calendarNames;
 * - `<column>_lag<k>`: the value k rows earlier in the same entity, NaN before the series start;
 * - `<column>_roll<w>_<stat>`: the stat over the previous w rows of the entity, the
 *   row itself excluded; NaN until w rows exist or while the window holds a NaN;
 * - `<covariate>`: a copy of the covariate at the row.
 * Rows may interleave entities in any order but must ascend in time within each
 * (FeatureError 'UNSORTED' otherwise). Every feature is O(rows) whatever the
 * window: a copy per lag, running double-double sums for mean/std and monotonic
 * deques for min/max per (column, window), per-day and per-minute tables for the
 * calendar.
 */
export function computeRowFeatures(table: Table, spec: FeatureSpec): RowFeatures {
  checkFeatureSpec(table, spec);
  const n = table.rows;
  const layout = seriesLayout(table);
  const { starts } = layout;
  const names: string[] = [];
  const columns: Float64Array[] = [];

  const calendar = spec.calendar ?? [];
  if (calendar.length > 0) {
    const encoder = createCalendarEncoder(calendar, createHolidayLookup(spec.holidays?.dates ?? []));
    const calendarColumns = encoder.names.map(() => allocColumn(n));
    encoder.encodeRows(table.time, table.offsetMinutes, n, calendarColumns);
    names.push(...encoder.names);
    columns.push(...calendarColumns);
  }

  for (const lag of spec.lags ?? []) {
    const x = toPositions(table.numeric.get(lag.column)!, layout);
    for (const k of lag.steps) {
      const out = allocColumn(n);
      for (let s = 0; s + 1 < starts.length; s++) {
        const start = starts[s];
        const end = starts[s + 1];
        const warm = Math.min(end, start + k);
        out.fill(Number.NaN, start, warm);
        if (warm < end) out.set(x.subarray(start, end - k), warm);
      }
      names.push(`${lag.column}_lag${k}`);
      columns.push(toRows(out, layout));
    }
  }

  for (const roll of spec.rolling ?? []) {
    const x = toPositions(table.numeric.get(roll.column)!, layout);
    for (const w of roll.windows) {
      const kernel = createRollingKernel(w);
      const out = rollingOutputs(n, roll.stats);
      for (let s = 0; s + 1 < starts.length; s++) kernel(x, starts[s], starts[s + 1], 1, out);
      for (const stat of roll.stats) {
        names.push(`${roll.column}_roll${w}_${stat}`);
        columns.push(toRows(out[stat]!, layout));
      }
    }
  }

  for (const { column } of spec.covariates ?? []) {
    names.push(column);
    columns.push(table.numeric.get(column)!.slice());
  }

  rejectDuplicateNames(names);
  return { names, columns };
}
