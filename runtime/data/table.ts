/**
 * Table is the columnar, typed-array form of a loaded Dataset: the one shape that
 * flows from the data loaders through profiling, features, training, serving and
 * drift. No per-row objects: every column is one typed array of `rows` entries.
 */
export interface Table {
  /** Number of accepted rows. */
  rows: number;
  /** Row timestamps as epoch milliseconds (UTC instant), ascending within each entity. */
  time: Float64Array;
  /**
   * The UTC offset of each row's local time, in minutes (e.g. +660 for +11:00), taken
   * from the timestamp text, so calendar features follow the wall clock across
   * daylight-saving changes. 0 when the timestamps carry `Z` or no offset.
   */
  offsetMinutes: Int16Array;
  /** Numeric columns by name; a null is NaN. */
  numeric: Map<string, Float64Array>;
  /** Categorical (string) columns by name, dictionary encoded: codes index `dictionary`, -1 is null. */
  categorical: Map<string, { codes: Int32Array; dictionary: string[] }>;
  /** The entity (series id) column's name when the Dataset declares one; it is also in `categorical`. */
  entityColumn?: string;
}

/** Rejection records one input row that was not accepted, with why. */
export interface Rejection {
  /** 1-based line number in the source (CSV lines count the header), or row number for queries. */
  line: number;
  reason: string;
}

/** LoadReport says what a loader read, accepted and rejected; nothing is dropped silently. */
export interface LoadReport {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** The first rejections (at most 20) with line numbers and reasons. */
  rejections: Rejection[];
  /** Content hash of the accepted data (sha256 hex, first 16 chars), the dataset version. */
  version: string;
}

/** Local wall-clock milliseconds of row i: the UTC instant shifted by its offset. */
export function localMillis(table: Table, i: number): number {
  return table.time[i] + table.offsetMinutes[i] * 60_000;
}
