import type { Table } from '../../runtime/data/table.ts';

/** TestTableInput describes a small table by plain arrays, for the feature tests. */
export interface TestTableInput {
  /** Epoch ms (UTC instants). */
  time: ArrayLike<number>;
  /** UTC offsets in minutes; all 0 when absent. */
  offsetMinutes?: ArrayLike<number>;
  numeric: Record<string, ArrayLike<number>>;
  /** Entity label of each row; the table has no entity column when absent. */
  entity?: string[];
}

/** testTable builds a Table from plain arrays (tests only; loaders build real ones). */
export function testTable(input: TestTableInput): Table {
  const rows = input.time.length;
  const table: Table = {
    rows,
    time: Float64Array.from(input.time),
    offsetMinutes: input.offsetMinutes ? Int16Array.from(input.offsetMinutes) : new Int16Array(rows),
    numeric: new Map(Object.entries(input.numeric).map(([name, values]) => [name, Float64Array.from(values)])),
    categorical: new Map(),
  };
  if (input.entity) {
    const dictionary: string[] = [];
    const codes = Int32Array.from(input.entity, (label) => {
      let code = dictionary.indexOf(label);
      if (code < 0) code = dictionary.push(label) - 1;
      return code;
    });
    table.categorical.set('site', { codes, dictionary });
    table.entityColumn = 'site';
  }
  return table;
}

/** HOUR is one hour in milliseconds. */
export const HOUR = 3_600_000;

/**
 * melbourneOffsetMinutes returns the UTC offset of Melbourne (AEST +600, AEDT +660)
 * at a UTC instant: daylight time from the first Sunday of October 02:00 standard
 * time to the first Sunday of April 03:00 daylight time (the rules since 2008).
 */
export function melbourneOffsetMinutes(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const firstSunday = (month: number) => {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7);
  };
  const dstEnds = Date.UTC(year, 3, firstSunday(3), 3) - 660 * 60_000;
  const dstStarts = Date.UTC(year, 9, firstSunday(9), 2) - 600 * 60_000;
  return utcMs < dstEnds || utcMs >= dstStarts ? 660 : 600;
}

/** seededRandom is the runtime's deterministic PRNG (mulberry32), re-exported so test data is reproducible. */
export { seededRandom } from '../../runtime/models/random.ts';
