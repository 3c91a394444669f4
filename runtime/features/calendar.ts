import { type CivilDate, civilFromDays, emptyCivilDate, isLeapYear, MS_PER_DAY } from './civil-date.ts';
import type { HolidayLookup } from './holidays.ts';
import type { CalendarFeature } from './spec.ts';

const TWO_PI = 2 * Math.PI;
const MINUTES_PER_DAY = 1440;
const MINUTE_SIN = new Float64Array(MINUTES_PER_DAY);
const MINUTE_COS = new Float64Array(MINUTES_PER_DAY);
for (let m = 0; m < MINUTES_PER_DAY; m++) {
  MINUTE_SIN[m] = Math.sin((TWO_PI * m) / MINUTES_PER_DAY);
  MINUTE_COS[m] = Math.cos((TWO_PI * m) / MINUTES_PER_DAY);
}

/** cycle tabulates sin/cos(2*pi*i/period) for i in 0..period-1: the day-level phases repeat. */
function cycle(period: number): { sin: Float64Array; cos: Float64Array } {
  const sin = new Float64Array(period);
  const cos = new Float64Array(period);
  for (let i = 0; i < period; i++) {
    sin[i] = Math.sin(TWO_PI * (i / period));
    cos[i] = Math.cos(TWO_PI * (i / period));
  }
  return { sin, cos };
}
const WEEKDAY = cycle(7);
const MONTH = cycle(12);
const DAY_OF_YEAR = { 365: cycle(365), 366: cycle(366) };

/**
 * calendarNames lists the model inputs of the calendar features, in spec order:
 * `<kind>_sin`, `<kind>_cos` for the cyclic ones and `holiday`, `weekend` as 0/1.
 */
export function calendarNames(kinds: readonly CalendarFeature[]): string[] {
  const names: string[] = [];
  for (const kind of kinds) {
    if (kind === 'holiday' || kind === 'weekend') names.push(kind);
    else names.push(`${kind}_sin`, `${kind}_cos`);
  }
  return names;
}

/**
 * CalendarEncoder writes the calendar features of one local wall-clock instant.
 * `encode` puts value j at `out[index + j * stride]` (stride 1 fills a sample row
 * of the forecast frame); `encodeRows` fills whole columns (row features).
 */
export interface CalendarEncoder {
  readonly names: string[];
  readonly width: number;
  encode(localMs: number, out: Float64Array, index: number, stride: number): void;
  /**
   * encodeRows fills one column per name (each `rows` long) for every row's local
   * time, `time[i] + offsetMinutes[i] minutes`, with the same values `encode`
   * gives, column by column from per-day and per-minute tables.
   */
  encodeRows(time: Float64Array, offsetMinutes: Int16Array, rows: number, columns: Float64Array[]): void;
}

/**
 * createCalendarEncoder builds the encoder for a spec's calendar list. Phases:
 * hourOfDay = local time of day / 24 h (minutes included, so half-hours differ),
 * dayOfWeek = ISO weekday (Monday 0) / 7, month = (month - 1) / 12, dayOfYear =
 * (day of year - 1) / days in that year; each as sin(2*pi*phase), cos(2*pi*phase).
 * weekend is Saturday or Sunday. Day-level values are computed once per local day
 * and time-of-day comes from a per-minute table, so a row costs a few array reads.
 */
export function createCalendarEncoder(kinds: readonly CalendarFeature[], holidays: HolidayLookup): CalendarEncoder {
  const names = calendarNames(kinds);
  const width = names.length;
  let hourSlot = -1;
  const daySlots: number[] = [];
  let slot = 0;
  for (const kind of kinds) {
    if (kind === 'hourOfDay') {
      hourSlot = slot;
      slot += 2;
    } else if (kind === 'holiday' || kind === 'weekend') {
      daySlots.push(slot);
      slot += 1;
    } else {
      daySlots.push(slot, slot + 1);
      slot += 2;
    }
  }
  const dayKinds = kinds.filter((k) => k !== 'hourOfDay');
  const daySlotList = Int32Array.from(daySlots);
  const dayValues = new Float64Array(width);
  const date: CivilDate = emptyCivilDate();
  let cachedDay = Number.NaN;

  function fillDay(day: number): void {
    civilFromDays(day, date);
    let s = 0;
    for (const kind of dayKinds) {
      const at = daySlotList[s];
      if (kind === 'holiday') {
        dayValues[at] = holidays.has(day) ? 1 : 0;
        s += 1;
        continue;
      }
      if (kind === 'weekend') {
        dayValues[at] = date.weekday >= 5 ? 1 : 0;
        s += 1;
        continue;
      }
      let table = WEEKDAY;
      let index = date.weekday;
      if (kind === 'month') {
        table = MONTH;
        index = date.month - 1;
      } else if (kind === 'dayOfYear') {
        table = date.daysInYear === 366 ? DAY_OF_YEAR[366] : DAY_OF_YEAR[365];
        index = date.dayOfYear - 1;
      }
      dayValues[at] = table.sin[index];
      dayValues[at + 1] = table.cos[index];
      s += 2;
    }
    cachedDay = day;
  }

  function encode(localMs: number, out: Float64Array, index: number, stride: number): void {
    if (!Number.isFinite(localMs)) {
      for (let j = 0; j < width; j++) out[index + j * stride] = Number.NaN;
      return;
    }
    const day = Math.floor(localMs / 86_400_000);
    if (day !== cachedDay) fillDay(day);
    for (let s = 0; s < daySlotList.length; s++) {
      const at = daySlotList[s];
      out[index + at * stride] = dayValues[at];
    }
    if (hourSlot >= 0) {
      const msOfDay = localMs - day * 86_400_000;
      const minute = Math.floor(msOfDay / 60_000);
      let sin: number;
      let cos: number;
      if (minute * 60_000 === msOfDay) {
        sin = MINUTE_SIN[minute];
        cos = MINUTE_COS[minute];
      } else {
        sin = Math.sin((TWO_PI * msOfDay) / MS_PER_DAY);
        cos = Math.cos((TWO_PI * msOfDay) / MS_PER_DAY);
      }
      out[index + hourSlot * stride] = sin;
      out[index + (hourSlot + 1) * stride] = cos;
    }
  }

  /**
   * fillDayTables writes the day-level values of days first..first+span-1 into
   * one table per day slot, walking the calendar a day at a time (the same
   * integers, so the same table entries, as fillDay computes from scratch).
   */
  function fillDayTables(first: number, span: number, tables: Float64Array[]): void {
    civilFromDays(first, date);
    let { year, month, day, dayOfYear, daysInYear, weekday } = date;
    for (let d = 0; d < span; d++) {
      let s = 0;
      for (const kind of dayKinds) {
        if (kind === 'holiday') {
          tables[s++][d] = holidays.has(first + d) ? 1 : 0;
        } else if (kind === 'weekend') {
          tables[s++][d] = weekday >= 5 ? 1 : 0;
        } else {
          const table =
            kind === 'dayOfWeek' ? WEEKDAY : kind === 'month' ? MONTH : daysInYear === 366 ? DAY_OF_YEAR[366] : DAY_OF_YEAR[365];
          const index = kind === 'dayOfWeek' ? weekday : kind === 'month' ? month - 1 : dayOfYear - 1;
          tables[s++][d] = table.sin[index];
          tables[s++][d] = table.cos[index];
        }
      }
      weekday = weekday === 6 ? 0 : weekday + 1;
      dayOfYear++;
      day++;
      if (day > daysInMonth(year, month)) {
        day = 1;
        month++;
        if (month > 12) {
          month = 1;
          year++;
          dayOfYear = 1;
          daysInYear = isLeapYear(year) ? 366 : 365;
        }
      }
    }
  }

  const scratch = new Float64Array(width);
  function encodeRow(localMs: number, columns: Float64Array[], i: number): void {
    encode(localMs, scratch, 0, 1);
    for (let j = 0; j < width; j++) columns[j][i] = scratch[j];
  }

  function encodeRows(time: Float64Array, offsetMinutes: Int16Array, rows: number, columns: Float64Array[]): void {
    if (width === 0) return;
    // The last day-level column holds each row's day number until it is filled last, in place.
    const dayColumn = daySlotList.length > 0 ? columns[daySlotList[daySlotList.length - 1]] : null;
    let misfit = 0;
    if (hourSlot >= 0 && dayColumn) {
      misfit = hourAndDayPass(time, offsetMinutes, rows, columns[hourSlot], columns[hourSlot + 1], dayColumn);
    } else if (hourSlot >= 0) {
      misfit = hourPass(time, offsetMinutes, rows, columns[hourSlot], columns[hourSlot + 1]);
    } else if (dayColumn) {
      misfit = dayPass(time, offsetMinutes, rows, dayColumn);
    }
    if (dayColumn) {
      const [firstDay, lastDay] = range(dayColumn, rows);
      const span = lastDay - firstDay + 1;
      if (!(span <= 2 * rows + 366)) {
        // Sparse or no timestamps: per-day tables would be larger than the data.
        for (let i = 0; i < rows; i++) encodeRow(time[i] + offsetMinutes[i] * 60_000, columns, i);
        return;
      }
      const dayTables = Array.from(daySlotList, () => new Float64Array(span));
      fillDayTables(firstDay, span, dayTables);
      for (let s = 0; s < daySlotList.length; s++) {
        gatherByDay(columns[daySlotList[s]], dayTables[s], dayColumn, firstDay, rows);
      }
    }
    if (misfit !== 0) {
      // Some rows are off the minute grid (misfit > 0) or have no time (NaN): the general path.
      for (let i = 0; i < rows; i++) {
        const localMs = time[i] + offsetMinutes[i] * 60_000;
        if (!(Math.floor(localMs / 60_000) * 60_000 === localMs)) encodeRow(localMs, columns, i);
      }
    }
  }

  return { names, width, encode, encodeRows };
}

/*
 * The row passes below are split by which columns they fill so each stays a
 * tight loop V8 optimises whole. Each returns the sum of the rows' distances to
 * the minute grid: 0 when every row is on it, NaN when a row has no time; such
 * rows got placeholder values and are redone by encodeRows' general path.
 */

/** range returns [min, max] of the first `rows` values, ignoring NaN ([Infinity, -Infinity] when there is none). */
function range(values: Float64Array, rows: number): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

function hourAndDayPass(
  time: Float64Array,
  offsetMinutes: Int16Array,
  rows: number,
  sinColumn: Float64Array,
  cosColumn: Float64Array,
  dayColumn: Float64Array,
): number {
  let misfit = 0;
  for (let i = 0; i < rows; i++) {
    const localMs = time[i] + offsetMinutes[i] * 60_000;
    const day = Math.floor(localMs / 86_400_000);
    const msOfDay = localMs - day * 86_400_000;
    const minute = (msOfDay / 60_000) | 0;
    misfit += Math.abs(msOfDay - minute * 60_000);
    dayColumn[i] = day;
    sinColumn[i] = MINUTE_SIN[minute];
    cosColumn[i] = MINUTE_COS[minute];
  }
  return misfit;
}

function hourPass(
  time: Float64Array,
  offsetMinutes: Int16Array,
  rows: number,
  sinColumn: Float64Array,
  cosColumn: Float64Array,
): number {
  let misfit = 0;
  for (let i = 0; i < rows; i++) {
    const localMs = time[i] + offsetMinutes[i] * 60_000;
    const msOfDay = localMs - Math.floor(localMs / 86_400_000) * 86_400_000;
    const minute = (msOfDay / 60_000) | 0;
    misfit += Math.abs(msOfDay - minute * 60_000);
    sinColumn[i] = MINUTE_SIN[minute];
    cosColumn[i] = MINUTE_COS[minute];
  }
  return misfit;
}

function dayPass(time: Float64Array, offsetMinutes: Int16Array, rows: number, dayColumn: Float64Array): number {
  let misfit = 0;
  for (let i = 0; i < rows; i++) {
    const localMs = time[i] + offsetMinutes[i] * 60_000;
    const day = Math.floor(localMs / 86_400_000);
    misfit += localMs * 0; // NaN for a missing time; day columns need no minute grid
    dayColumn[i] = day;
  }
  return misfit;
}

/** gatherByDay fills a day-level column from its per-day table; `days` may be the column itself. */
function gatherByDay(column: Float64Array, table: Float64Array, days: Float64Array, firstDay: number, rows: number): void {
  // `| 0` keeps the index an int; rows without a time (NaN day) read entry 0 and are redone afterwards.
  for (let i = 0; i < rows; i++) column[i] = table[(days[i] - firstDay) | 0];
}
