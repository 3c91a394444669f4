import type { Table } from '../data/table.ts';
import { allocColumn } from './columns.ts';
import { FeatureError } from './errors.ts';

/**
 * SeriesLayout says where each series (entity) of a table lies. Features are
 * computed in "position" space, where every series is one contiguous run of
 * positions in ascending time. When the table already keeps each entity's rows
 * together (the usual case) positions are row indices and `order` is null;
 * otherwise rows of different entities may interleave in any way and `order`
 * maps positions to rows (a stable counting sort by entity, first seen first).
 */
export interface SeriesLayout {
  /** order[p] is the table row at position p; null when positions are rows. */
  order: Int32Array | null;
  /** position[row] is the inverse of order; null when positions are rows. */
  position: Int32Array | null;
  /** Series s spans positions starts[s] .. starts[s + 1] - 1; length is series + 1. */
  starts: Int32Array;
  /** Series index of every position; null when there is one series. */
  seriesOf: Int32Array | null;
  /** Entity label of each series ('' without an entity column, '(null)' for rows without one). */
  labels: string[];
}

/**
 * seriesLayout groups the rows of a table by entity and checks that time strictly
 * increases within each entity (a FeatureError('UNSORTED') names the entity and
 * rows otherwise). Rows with a null entity form one series of their own. Any
 * interleaving of entities is accepted; time order within an entity is required,
 * as the Table type promises, because lags and windows count rows.
 */
export function seriesLayout(table: Table): SeriesLayout {
  const n = table.rows;
  const entity = table.entityColumn ? table.categorical.get(table.entityColumn) : undefined;
  let layout: SeriesLayout;
  if (!entity) {
    layout = { order: null, position: null, starts: Int32Array.of(0, n), seriesOf: null, labels: [''] };
  } else {
    layout = groupByEntity(entity.codes, entity.dictionary, n);
  }
  checkAscending(table, layout);
  return layout;
}

function groupByEntity(codes: Int32Array, dictionary: string[], n: number): SeriesLayout {
  const nullSlot = dictionary.length;
  const slot = (code: number) => (code < 0 ? nullSlot : code);
  // Series are numbered by first appearance; count rows and runs in one pass.
  const seriesOfSlot = new Int32Array(nullSlot + 1).fill(-1);
  const counts: number[] = [];
  const labels: string[] = [];
  let runs = 0;
  let previous = -2;
  for (let i = 0; i < n; i++) {
    const s = slot(codes[i]);
    if (s !== previous) {
      runs++;
      previous = s;
    }
    if (seriesOfSlot[s] < 0) {
      seriesOfSlot[s] = counts.length;
      counts.push(0);
      labels.push(s === nullSlot ? '(null)' : dictionary[s]);
    }
    counts[seriesOfSlot[s]]++;
  }
  const series = counts.length;
  const starts = new Int32Array(series + 1);
  for (let s = 0; s < series; s++) starts[s + 1] = starts[s] + counts[s];
  const seriesOf = new Int32Array(n);
  if (runs === series) {
    for (let i = 0; i < n; i++) seriesOf[i] = seriesOfSlot[slot(codes[i])];
    return { order: null, position: null, starts, seriesOf, labels };
  }
  const order = new Int32Array(n);
  const position = new Int32Array(n);
  const next = starts.slice(0, series);
  for (let i = 0; i < n; i++) {
    const s = seriesOfSlot[slot(codes[i])];
    const p = next[s]++;
    order[p] = i;
    position[i] = p;
    seriesOf[p] = s;
  }
  return { order, position, starts, seriesOf, labels };
}

function checkAscending(table: Table, layout: SeriesLayout): void {
  const { time } = table;
  const { order, starts, labels } = layout;
  for (let s = 0; s + 1 < starts.length; s++) {
    const p = order ? firstUnsorted(time, order, starts[s], starts[s + 1]) : firstUnsortedRow(time, starts[s], starts[s + 1]);
    if (p < 0) continue;
    const row = order ? order[p] : p;
    const before = order ? order[p - 1] : p - 1;
    const who = labels[s] === '' ? 'the series' : `entity "${labels[s]}"`;
    const what = time[row] === time[before] ? 'repeats the timestamp of' : 'is earlier than';
    throw new FeatureError(
      'UNSORTED',
      `rows must be in ascending time within each entity: in ${who}, row ${row} (${new Date(time[row]).toISOString()}) ${what} row ${before}`,
    );
  }
}

/** firstUnsortedRow returns the first row in (start, end) not after its predecessor, or -1. */
function firstUnsortedRow(time: Float64Array, start: number, end: number): number {
  for (let p = start + 1; p < end; p++) if (!(time[p] > time[p - 1])) return p;
  return -1;
}

/** firstUnsorted returns the first position in (start, end) whose row is not after the previous one, or -1. */
function firstUnsorted(time: Float64Array, order: Int32Array, start: number, end: number): number {
  for (let p = start + 1; p < end; p++) if (!(time[order[p]] > time[order[p - 1]])) return p;
  return -1;
}

/** toPositions returns a column in position order: the column itself when positions are rows, else a gathered copy. */
export function toPositions(column: Float64Array, layout: SeriesLayout): Float64Array {
  const { order } = layout;
  if (!order) return column;
  const out = allocColumn(order.length);
  for (let p = 0; p < order.length; p++) out[p] = column[order[p]];
  return out;
}

/** toRows returns a column in row order from one in position order (the inverse of toPositions). */
export function toRows(column: Float64Array, layout: SeriesLayout): Float64Array {
  const { order } = layout;
  if (!order) return column;
  const out = allocColumn(order.length);
  for (let p = 0; p < order.length; p++) out[order[p]] = column[p];
  return out;
}
