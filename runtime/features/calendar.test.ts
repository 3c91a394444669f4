import { describe, expect, it } from 'vitest';
import { localMillis } from '../data/table.ts';
import { calendarNames, createCalendarEncoder } from './calendar.ts';
import { createHolidayLookup } from './holidays.ts';
import type { CalendarFeature } from './spec.ts';
import { seededRandom, testTable } from '../../test/support/feature-table.ts';

const ALL: CalendarFeature[] = ['hourOfDay', 'dayOfWeek', 'month', 'dayOfYear', 'holiday', 'weekend'];
const cyc = (phase: number) => [Math.sin(2 * Math.PI * phase), Math.cos(2 * Math.PI * phase)];

/** Parses an ISO timestamp with offset into the UTC instant and the offset in minutes. */
function stamp(iso: string): { time: number; offset: number } {
  const match = /([+-])(\d\d):(\d\d)$/.exec(iso);
  const offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return { time: Date.parse(iso), offset };
}

describe('calendar features', () => {
  it('names cyclic features as sin/cos pairs in spec order', () => {
    expect(calendarNames(['weekend', 'month', 'holiday'])).toEqual(['weekend', 'month_sin', 'month_cos', 'holiday']);
  });

  // Expected values: [hour of day, ISO weekday, month - 1, day of year - 1, days in year, holiday, weekend].
  it.each([
    // The AEDT -> AEST change: two consecutive UTC hours are both 02:00 local on Sunday 7 April 2013.
    ['2013-04-07T02:00+11:00', [2, 6, 3, 96, 365, 0, 1]],
    ['2013-04-07T02:00+10:00', [2, 6, 3, 96, 365, 0, 1]],
    ['2013-04-07T03:00+10:00', [3, 6, 3, 96, 365, 0, 1]],
    // The AEST -> AEDT change: 01:00+10:00 is followed one hour later by 03:00+11:00.
    ['2013-10-06T01:00+10:00', [1, 6, 9, 278, 365, 0, 1]],
    ['2013-10-06T03:00+11:00', [3, 6, 9, 278, 365, 0, 1]],
    // Local date differs from the UTC date (2013-12-24T13:30Z): a holiday, a Wednesday.
    ['2013-12-25T00:30+11:00', [0.5, 2, 11, 358, 365, 1, 0]],
    ['2012-02-29T23:30+11:00', [23.5, 2, 1, 59, 366, 0, 0]],
    ['2013-12-31T23:00Z', [23, 1, 11, 364, 365, 0, 0]],
    ['2014-01-04T12:00Z', [12, 5, 0, 3, 365, 0, 1]],
  ])('%s', (iso, expected) => {
    const [hour, weekday, month, dayOfYear, daysInYear, holiday, weekend] = expected;
    const { time, offset } = stamp(iso);
    const table = testTable({ time: [time], offsetMinutes: [offset], numeric: {} });
    const encoder = createCalendarEncoder(ALL, createHolidayLookup(['2013-12-25']));
    const out = new Float64Array(encoder.width);
    encoder.encode(localMillis(table, 0), out, 0, 1);
    const want = [...cyc(hour / 24), ...cyc(weekday / 7), ...cyc(month / 12), ...cyc(dayOfYear / daysInYear), holiday, weekend];
    expect(out.length).toBe(want.length);
    for (let j = 0; j < want.length; j++) expect(out[j]).toBeCloseTo(want[j], 12);
  });

  it('writes strided columns and NaN for an unknown time', () => {
    const encoder = createCalendarEncoder(['hourOfDay', 'weekend'], createHolidayLookup([]));
    const out = new Float64Array(6);
    encoder.encode(Date.UTC(2014, 0, 4, 6), out, 0, 2);
    encoder.encode(Number.NaN, out, 1, 2);
    expect(Array.from(out)).toEqual([
      expect.closeTo(1, 12),
      Number.NaN,
      expect.closeTo(0, 12),
      Number.NaN,
      1,
      Number.NaN,
    ]);
  });

  it.each([
    ['dense hourly rows with odd seconds and a missing time', 3 * 3_600_000, 1],
    ['sparse rows spread over centuries', 900 * 86_400_000, 2],
    ['rows every 17 hours over leap years and year ends', 17 * 3_600_000, 3],
  ])('encodeRows gives the same values as encode: %s', (_name, spacing, seed) => {
    const random = seededRandom(seed);
    const rows = 3000;
    const time = Float64Array.from({ length: rows }, (_, i) => Date.UTC(1990, 0, 1) + i * spacing + (random() < 0.1 ? 1234 : 0));
    time[7] = Number.NaN;
    const offsetMinutes = Int16Array.from({ length: rows }, () => (random() < 0.5 ? 600 : -330));
    const encoder = createCalendarEncoder(ALL, createHolidayLookup(['1990-01-02', '1990-03-05']));
    const columns = encoder.names.map(() => new Float64Array(rows));
    encoder.encodeRows(time, offsetMinutes, rows, columns);
    const one = createCalendarEncoder(ALL, createHolidayLookup(['1990-01-02', '1990-03-05']));
    const expected = new Float64Array(encoder.width * rows);
    for (let i = 0; i < rows; i++) one.encode(time[i] + offsetMinutes[i] * 60_000, expected, i, rows);
    for (let j = 0; j < encoder.width; j++) expect(columns[j]).toEqual(expected.subarray(j * rows, (j + 1) * rows));
    expect(columns.every((c) => Number.isNaN(c[7]))).toBe(true);
  });
});
