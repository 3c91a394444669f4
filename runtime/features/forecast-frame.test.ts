import { describe, expect, it } from 'vitest';
import { localMillis, type Table } from '../data/table.ts';
import { createCalendarEncoder } from './calendar.ts';
import { FeatureError } from './errors.ts';
import { buildForecastFrame, requiredHistory } from './forecast-frame.ts';
import { createHolidayLookup } from './holidays.ts';
import type { FeatureSpec } from './spec.ts';
import { HOUR, melbourneOffsetMinutes, seededRandom, testTable } from '../../test/support/feature-table.ts';

const START = Date.UTC(2013, 3, 4, 0); // the AEDT -> AEST change is at 2013-04-06T16:00Z
const H = 5;
const SPEC: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'dayOfWeek', 'holiday'],
  holidays: { dates: ['2013-04-08'] },
  lags: [{ column: 'load', steps: [1, 3, 6] }],
  rolling: [{ column: 'load', windows: [4], stats: ['mean', 'std', 'max'] }],
  covariates: [{ column: 'temperature', availability: 'knownInAdvance' }],
};

/** sites builds hourly Melbourne-time rows for the given sites, interleaved row by row. */
function sites(n: number, names: string[], seed: number): Table {
  const random = seededRandom(seed);
  const time: number[] = [];
  const offset: number[] = [];
  const load: number[] = [];
  const temperature: number[] = [];
  const entity: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const [s, site] of names.entries()) {
      const at = START + i * HOUR;
      time.push(at);
      offset.push(melbourneOffsetMinutes(at));
      load.push(1000 * (s + 1) + 300 * Math.sin((2 * Math.PI * i) / 24) + 40 * random());
      temperature.push(12 + 8 * random());
      entity.push(site);
    }
  }
  return testTable({ time, offsetMinutes: offset, numeric: { load, temperature }, entity });
}

/** subTable keeps the given rows (in that order) of a table, without its entity column. */
function subTable(table: Table, rows: number[]): Table {
  const numeric: Record<string, number[]> = {};
  for (const [name, values] of table.numeric) numeric[name] = rows.map((r) => values[r]);
  return testTable({
    time: rows.map((r) => table.time[r]),
    offsetMinutes: rows.map((r) => table.offsetMinutes[r]),
    numeric,
  });
}

function sampleOf(frame: ReturnType<typeof buildForecastFrame>, origin: number): Float32Array {
  const i = frame.origins.indexOf(origin);
  expect(i, `origin ${origin} has a sample`).toBeGreaterThanOrEqual(0);
  const width = frame.inputNames.length;
  return frame.X.slice(i * width, (i + 1) * width);
}

describe('buildForecastFrame', () => {
  it('computes every input and target from the formulas', () => {
    const table = sites(80, ['a'], 1);
    const y = table.numeric.get('load')!;
    const temperature = table.numeric.get('temperature')!;
    const anchored: FeatureSpec = { ...SPEC, anchor: { period: 6, levelWindow: 2 } };
    const frame = buildForecastFrame(table, anchored, H);
    const width = frame.inputNames.length;
    const encoder = createCalendarEncoder(SPEC.calendar!, createHolidayLookup(SPEC.holidays!.dates));
    const calendar = new Float64Array(encoder.width);
    // Origins need 8 rows of history (period 6 + level window 2: t >= 7) and 5 rows of future (t <= 74).
    expect(Array.from(frame.origins)).toEqual(Array.from({ length: 68 }, (_, i) => i + 7));
    expect(frame.skipped).toBe(12);
    expect(frame.stepMs).toBe(HOUR);
    for (const [i, t] of frame.origins.entries()) {
      const want: number[] = [];
      // The calendar of every target step in its own local time (the DST change falls inside some horizons).
      for (let s = 1; s <= H; s++) {
        encoder.encode(localMillis(table, t + s), calendar, 0, 1);
        want.push(...calendar);
      }
      for (const name of frame.inputNames.slice(encoder.width * H)) {
        const lag = /^load_lag(\d+)_s(\d+)$/.exec(name);
        const cov = /^temperature_s(\d+)$/.exec(name);
        const naive = /^load_naive_s(\d+)$/.exec(name);
        if (naive) {
          const s = Number(naive[1]);
          want.push(y[t + s - 6 * Math.ceil(s / 6)]);
        } else if (name === 'load_level') {
          want.push((y[t] - y[t - 6] + y[t - 1] - y[t - 7]) / 2);
        } else if (lag) {
          const [k, s] = [Number(lag[1]), Number(lag[2])];
          want.push(y[t + s - k * Math.ceil(s / k)]);
        } else if (cov) {
          want.push(temperature[t + Number(cov[1])]);
        } else {
          const window = Array.from(y.subarray(t - 3, t + 1));
          const mean = window.reduce((a, b) => a + b, 0) / 4;
          if (name.endsWith('mean')) want.push(mean);
          if (name.endsWith('std')) want.push(Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / 3));
          if (name.endsWith('max')) want.push(Math.max(...window));
        }
      }
      const got = frame.X.subarray(i * width, (i + 1) * width);
      for (let j = 0; j < width; j++) expect(got[j], frame.inputNames[j]).toBeCloseTo(Math.fround(want[j]), 3);
      expect(Array.from(frame.Y!.subarray(i * H, (i + 1) * H))).toEqual(Array.from(y.subarray(t + 1, t + 1 + H), Math.fround));
      expect(Array.from(frame.targetTimes.subarray(i * H, (i + 1) * H))).toEqual(Array.from(table.time.subarray(t + 1, t + 1 + H)));
    }
  });

  it('never reads the target after the origin', () => {
    const table = sites(60, ['a'], 2);
    const origins = Int32Array.of(10, 20, 33, 40);
    const before = buildForecastFrame(table, SPEC, H, { origins });
    const random = seededRandom(3);
    const y = table.numeric.get('load')!;
    for (const t of origins) {
      const changed = structuredClone(table);
      const load = changed.numeric.get('load')!;
      for (let r = t + 1; r < load.length; r++) load[r] = y[r] * 10 * random();
      const after = buildForecastFrame(changed, SPEC, H, { origins: Int32Array.of(t) });
      expect(after.Y![0]).not.toBe(before.Y![before.origins.indexOf(t) * H]);
      expect(sampleOf(after, t)).toEqual(sampleOf(before, t));
    }
  });

  it.each([
    ['one site', ['a']],
    ['interleaved sites', ['a', 'b', 'c']],
  ])('serves history plus future rows exactly as it trained (%s)', (_name, names) => {
    const table = sites(96, names, 4);
    const training = buildForecastFrame(table, SPEC, H);
    const codes = table.categorical.get('site')!.codes;
    const needed = requiredHistory(SPEC, H);
    // Origins before, at and after the DST change (2013-04-06T15:00Z and 16:00Z are both 02:00 local).
    for (const originTime of ['2013-04-06T13:00Z', '2013-04-06T15:00Z', '2013-04-06T16:00Z', '2013-04-06T20:00Z']) {
      for (const [code] of names.entries()) {
        const rowsOfSite = [...Array(table.rows).keys()].filter((r) => codes[r] === code);
        const at = rowsOfSite.findIndex((r) => table.time[r] === Date.parse(originTime));
        const t = rowsOfSite[at];
        const request = subTable(table, rowsOfSite.slice(at - needed + 1, at + 1 + H));
        request.numeric.get('load')!.fill(Number.NaN, needed);
        const serving = buildForecastFrame(request, SPEC, H, { origins: 'last' });
        expect(serving.Y).toBeNull();
        expect(serving.skipped).toBe(0);
        expect(Array.from(serving.origins)).toEqual([needed - 1]);
        expect(serving.inputNames).toEqual(training.inputNames);
        expect(serving.X).toEqual(sampleOf(training, t));
        const i = training.origins.indexOf(t);
        expect(serving.targetTimes).toEqual(training.targetTimes.slice(i * H, (i + 1) * H));
      }
    }
  });

  it('extrapolates future times from the step with the last row offset when the table ends', () => {
    const spec: FeatureSpec = { target: 'load', calendar: ['hourOfDay'], lags: [{ column: 'load', steps: [1] }] };
    const table = sites(30, ['a'], 5);
    const frame = buildForecastFrame(table, spec, 3, { origins: 'last' });
    const last = table.rows - 1;
    expect(Array.from(frame.origins)).toEqual([last]);
    expect(Array.from(frame.targetTimes)).toEqual([1, 2, 3].map((s) => table.time[last] + s * HOUR));
    // Each step s gets the hour of the origin's local time plus s hours.
    for (let s = 1; s <= 3; s++) {
      const local = localMillis(table, last) + s * HOUR;
      const hour = (local % 86_400_000) / HOUR;
      expect(frame.X[(s - 1) * 2], `step ${s}`).toBeCloseTo(Math.sin((2 * Math.PI * hour) / 24), 6);
      expect(frame.X[(s - 1) * 2 + 1], `step ${s}`).toBeCloseTo(Math.cos((2 * Math.PI * hour) / 24), 6);
    }
    expect(frame.X[6]).toBe(Math.fround(table.numeric.get('load')![last]));
  });

  it('keeps entities apart: a site alone gives the same samples as in the shared table', () => {
    const table = sites(50, ['a', 'b'], 6);
    const shared = buildForecastFrame(table, SPEC, H);
    const codes = table.categorical.get('site')!.codes;
    const rowsOfB = [...Array(table.rows).keys()].filter((r) => codes[r] === 1);
    const alone = buildForecastFrame(subTable(table, rowsOfB), SPEC, H);
    expect(shared.skipped).toBe(2 * alone.skipped);
    for (const [i, t] of alone.origins.entries()) {
      const width = alone.inputNames.length;
      expect(sampleOf(shared, rowsOfB[t])).toEqual(alone.X.slice(i * width, (i + 1) * width));
    }
  });

  it('serves the last known row of every entity, in first-seen order', () => {
    const table = sites(30, ['a', 'b'], 7);
    const load = table.numeric.get('load')!;
    load[table.rows - 1] = Number.NaN; // site b's last row is a future row
    const frame = buildForecastFrame(table, { target: 'load', lags: [{ column: 'load', steps: [2] }] }, 1, { origins: 'last' });
    expect(Array.from(frame.origins)).toEqual([table.rows - 2, table.rows - 3]);
  });

  it.each([
    ['short history', 4, 0, /entity "a" has 4 rows of history up to .*; this FeatureSet needs at least 6/, 'INSUFFICIENT_HISTORY'],
    ['missing future covariates', 12, 2, /entity "a": input "temperature_s3" is missing; covariates must be given for the 5 rows/, 'MISSING_INPUT'],
    ['a gap in the history', 12, 5, /input "load_lag3_s1" is missing; the history must not contain missing values/, 'MISSING_INPUT'],
    ['no known target', 0, 5, /entity "a" has no row with a known "load"/, 'NO_ORIGIN'],
  ])('answers a bad serving request with a FeatureError: %s', (_name, history, future, message, code) => {
    const table = sites(history + future, ['a'], 8);
    const load = table.numeric.get('load')!;
    load.fill(Number.NaN, history);
    if (_name === 'a gap in the history') load[history - 3] = Number.NaN;
    let error: unknown;
    try {
      buildForecastFrame(table, SPEC, H, { origins: 'last' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FeatureError);
    expect((error as FeatureError).code).toBe(code);
    expect((error as FeatureError).message).toMatch(message);
  });

  it('says when the time of the first forecast step cannot be known', () => {
    const table = sites(1, ['a'], 10);
    const spec: FeatureSpec = { target: 'load', calendar: ['month'] };
    expect(() => buildForecastFrame(table, spec, 2, { origins: 'last' })).toThrow(
      /input "month_sin_s1" is missing; the time of the first forecast step is unknown/,
    );
    const withStep = buildForecastFrame(table, spec, 2, { origins: 'last', stepMs: HOUR });
    expect(Array.from(withStep.targetTimes)).toEqual([table.time[0] + HOUR, table.time[0] + 2 * HOUR]);
  });

  it('rejects origins outside the table', () => {
    const table = sites(10, ['a'], 9);
    expect(() => buildForecastFrame(table, SPEC, H, { origins: Int32Array.of(10) })).toThrow(/origins\[0\]: row 10 is not a row/);
  });
});
