import { describe, expect, it } from 'vitest';
import type { Table } from '../data/table.ts';
import { FeatureError } from './errors.ts';
import { computeRowFeatures } from './row-features.ts';
import type { FeatureSpec, RollingStat } from './spec.ts';
import { HOUR, melbourneOffsetMinutes, seededRandom, testTable } from '../../test/support/feature-table.ts';

const START = Date.UTC(2013, 3, 5, 0); // spans the 2013-04-07 AEDT -> AEST change

/** Two sites with interleaved rows (a, b, a, b, ...), b starting later, with a few missing loads. */
function twoSites(n: number, seed: number): Table {
  const random = seededRandom(seed);
  const time: number[] = [];
  const offset: number[] = [];
  const load: number[] = [];
  const temperature: number[] = [];
  const entity: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const site of ['a', 'b']) {
      if (site === 'b' && i < 30) continue;
      const at = START + i * HOUR;
      time.push(at);
      offset.push(melbourneOffsetMinutes(at));
      load.push(random() < 0.01 ? Number.NaN : (site === 'a' ? 4000 : 900) + 500 * Math.sin(i / 4) + 50 * random());
      temperature.push(15 + 10 * random());
      entity.push(site);
    }
  }
  return testTable({ time, offsetMinutes: offset, numeric: { load, temperature }, entity });
}

const SPEC: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'weekend'],
  lags: [{ column: 'load', steps: [1, 24] }],
  rolling: [{ column: 'load', windows: [3, 24], stats: ['mean', 'std', 'min', 'max'] }],
  covariates: [{ column: 'temperature', availability: 'knownInAdvance' }],
};

/** entityRows lists, per row, the rows of its entity in order and the row's index among them. */
function entityRows(table: Table): { rows: number[]; at: number }[] {
  const codes = table.categorical.get('site')!.codes;
  const byCode = new Map<number, number[]>();
  for (let r = 0; r < table.rows; r++) {
    if (!byCode.has(codes[r])) byCode.set(codes[r], []);
    byCode.get(codes[r])!.push(r);
  }
  const seen = new Map<number, number>();
  return Array.from(codes, (code) => {
    const at = seen.get(code) ?? 0;
    seen.set(code, at + 1);
    return { rows: byCode.get(code)!, at };
  });
}

/** naive computes one feature for row i from the rows of its entity, the obvious way. */
function naive(table: Table, i: number, name: string, entity: { rows: number[]; at: number }): number {
  const { rows, at } = entity;
  const load = table.numeric.get('load')!;
  const lag = /^load_lag(\d+)$/.exec(name);
  if (lag) {
    const k = Number(lag[1]);
    return at - k >= 0 ? load[rows[at - k]] : Number.NaN;
  }
  const roll = /^load_roll(\d+)_(\w+)$/.exec(name);
  if (roll) {
    const w = Number(roll[1]);
    if (at < w) return Number.NaN;
    const window = rows.slice(at - w, at).map((r) => load[r]);
    const mean = window.reduce((a, b) => a + b, 0) / w;
    const values: Record<RollingStat, number> = {
      mean,
      std: Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / (w - 1)),
      min: Math.min(...window),
      max: Math.max(...window),
    };
    return values[roll[2] as RollingStat];
  }
  if (name === 'temperature') return table.numeric.get('temperature')![i];
  throw new Error(name);
}

describe('computeRowFeatures', () => {
  it('names features in spec order', () => {
    const { names, columns } = computeRowFeatures(twoSites(40, 1), SPEC);
    expect(names).toEqual([
      'hourOfDay_sin',
      'hourOfDay_cos',
      'weekend',
      'load_lag1',
      'load_lag24',
      'load_roll3_mean',
      'load_roll3_std',
      'load_roll3_min',
      'load_roll3_max',
      'load_roll24_mean',
      'load_roll24_std',
      'load_roll24_min',
      'load_roll24_max',
      'temperature',
    ]);
    expect(columns.every((c) => c.length === 50)).toBe(true);
  });

  it('matches a naive per-entity reference on interleaved random data', () => {
    // Over 1024 rows, so the uninitialised output columns are exercised too.
    const table = twoSites(800, 2);
    const { names, columns } = computeRowFeatures(table, SPEC);
    const entities = entityRows(table);
    let worst = 0;
    let nanMismatches = 0;
    for (let j = 3; j < names.length; j++) {
      for (let i = 0; i < table.rows; i++) {
        const want = naive(table, i, names[j], entities[i]);
        const got = columns[j][i];
        if (Number.isNaN(want) !== Number.isNaN(got)) nanMismatches++;
        else if (!Number.isNaN(want)) worst = Math.max(worst, Math.abs(got - want) / 5000);
      }
    }
    expect(nanMismatches).toBe(0);
    expect(worst).toBeLessThan(1e-12);
  });

  it('computes the calendar of each row in local time across the DST change', () => {
    // Rows of site a at 2013-04-06T15:00Z and 16:00Z are both 02:00 local (AEDT then AEST).
    const table = twoSites(100, 3);
    const { columns } = computeRowFeatures(table, SPEC);
    const at = (iso: string) => table.time.findIndex((t, r) => t === Date.parse(iso) && r % 2 === 0);
    const first = at('2013-04-06T15:00Z');
    const second = at('2013-04-06T16:00Z');
    expect(table.offsetMinutes[first]).toBe(660);
    expect(table.offsetMinutes[second]).toBe(600);
    for (const row of [first, second]) {
      expect(columns[0][row]).toBeCloseTo(Math.sin((2 * Math.PI * 2) / 24), 12);
      expect(columns[1][row]).toBeCloseTo(Math.cos((2 * Math.PI * 2) / 24), 12);
      expect(columns[2][row]).toBe(1); // Sunday
    }
  });

  it('keeps entities apart: one site alone gives the same features as in the shared table', () => {
    const table = twoSites(120, 4);
    const shared = computeRowFeatures(table, SPEC);
    const rowsOfA = [...Array(table.rows).keys()].filter((r) => table.categorical.get('site')!.codes[r] === 0);
    const alone = testTable({
      time: rowsOfA.map((r) => table.time[r]),
      offsetMinutes: rowsOfA.map((r) => table.offsetMinutes[r]),
      numeric: {
        load: rowsOfA.map((r) => table.numeric.get('load')![r]),
        temperature: rowsOfA.map((r) => table.numeric.get('temperature')![r]),
      },
    });
    const single = computeRowFeatures(alone, SPEC);
    for (let j = 0; j < shared.names.length; j++) {
      expect(Array.from(rowsOfA, (r) => shared.columns[j][r])).toEqual(Array.from(single.columns[j]));
    }
  });

  it('does not alias the table: covariates are copies', () => {
    const table = twoSites(40, 5);
    const { columns } = computeRowFeatures(table, { target: 'load', covariates: [{ column: 'temperature', availability: 'knownInAdvance' }] });
    columns[0][0] = -999;
    expect(table.numeric.get('temperature')![0]).not.toBe(-999);
  });

  it.each([
    [{ target: 'nope' }, /target: "nope" is not a numeric column of the dataset \(numeric columns: load, temperature\)/],
    [{ target: 'load', lags: [{ column: 'load', steps: [0] }] }, /lags\[0\].steps\[0\]: 0 must be an integer of at least 1/],
    [{ target: 'load', lags: [{ column: 'load', steps: [1.5] }] }, /lags\[0\].steps\[0\]/],
    [{ target: 'load', rolling: [{ column: 'load', windows: [1], stats: ['std'] }] }, /rolling\[0\].windows\[0\]: 1 must be an integer of at least 2/],
    [{ target: 'load', rolling: [{ column: 'site', windows: [3], stats: ['mean'] }] }, /rolling\[0\].column: "site"/],
    [{ target: 'load', lags: [{ column: 'load', steps: [2, 2] }] }, /feature "load_lag2" is defined twice/],
    [{ target: 'load', calendar: ['hour'] }, /calendar\[0\]: unknown calendar feature "hour"/],
    [{ target: 'load', holidays: { dates: ['2013-02-30'] }, calendar: ['holiday'] }, /holidays.dates/],
  ])('rejects an invalid spec: %j', (spec, message) => {
    const table = twoSites(10, 6);
    expect(() => computeRowFeatures(table, spec as FeatureSpec)).toThrow(FeatureError);
    expect(() => computeRowFeatures(table, spec as FeatureSpec)).toThrow(message);
  });
});
