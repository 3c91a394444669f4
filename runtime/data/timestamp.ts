/**
 * Fast ISO-8601 timestamp parsing into an epoch-millisecond instant plus the UTC
 * offset written in the text, without Date.parse: the loaders call it once per row.
 *
 * Accepted forms: `YYYY-MM-DD` (midnight), then optionally `T`, `t` or a space and
 * `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff…` (any number of fraction digits, `.` or `,`;
 * truncated to milliseconds), then optionally `Z`/`z`, `±HH`, `±HHMM` or `±HH:MM`.
 * Without an offset the wall clock is taken as UTC (offset 0). Calendar fields are
 * range checked (February 29th only in leap years, no hour 24, no leap second).
 */

/** ParsedTimestamp receives a parse result; reuse one object across calls. */
export interface ParsedTimestamp {
  /** The UTC instant in epoch milliseconds. */
  epochMs: number;
  /** The UTC offset written in the text, in minutes east of UTC (0 for `Z` or none). */
  offsetMinutes: number;
  /** Why the text was rejected (set when parseTimestamp returns false). */
  error: string;
}

/** newParsedTimestamp returns a fresh, zeroed ParsedTimestamp to reuse. */
export function newParsedTimestamp(): ParsedTimestamp {
  return { epochMs: 0, offsetMinutes: 0, error: '' };
}

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last date parsed and its day number: consecutive rows mostly share their date. */
let cachedYear = -1;
let cachedMonth = -1;
let cachedDay = -1;
let cachedDays = 0;

/**
 * parseTimestamp parses ISO-8601 text into `out`; it returns false and sets
 * `out.error` when the text is not a valid timestamp.
 */
export function parseTimestamp(text: string, out: ParsedTimestamp): boolean {
  const n = text.length;
  if (n < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return fail(out, 'expected YYYY-MM-DD');
  const century = two(text, 0);
  const yy = two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  if ((century | yy | month | day) < 0) return fail(out, 'expected YYYY-MM-DD');
  const year = century * 100 + yy;
  let days: number;
  if (year === cachedYear && month === cachedMonth && day === cachedDay) {
    days = cachedDays;
  } else {
    if (month < 1 || month > 12) return fail(out, `month ${month} out of range`);
    if (day < 1 || day > daysInMonth(year, month)) return fail(out, `day ${day} out of range for ${text.slice(0, 7)}`);
    days = daysFromCivil(year, month, day);
    cachedYear = year;
    cachedMonth = month;
    cachedDay = day;
    cachedDays = days;
  }
  let ms = days * MS_PER_DAY;
  let offset = 0;
  let pos = 10;
  if (pos < n) {
    const sep = text.charCodeAt(pos);
    if (sep !== 84 && sep !== 116 && sep !== 32) return fail(out, `unexpected ${quote(text.slice(pos))} after the date`);
    if (n < pos + 6 || text.charCodeAt(pos + 3) !== 58) return fail(out, 'expected HH:MM after the date');
    const hour = two(text, pos + 1);
    const minute = two(text, pos + 4);
    if ((hour | minute) < 0) return fail(out, 'expected HH:MM after the date');
    if (hour > 23) return fail(out, `hour ${hour} out of range`);
    if (minute > 59) return fail(out, `minute ${minute} out of range`);
    ms += hour * MS_PER_HOUR + minute * MS_PER_MINUTE;
    pos += 6;
    if (pos < n && text.charCodeAt(pos) === 58) {
      const second = pos + 3 <= n ? two(text, pos + 1) : -1;
      if (second < 0) return fail(out, 'expected two digits of seconds');
      if (second > 59) return fail(out, `second ${second} out of range`);
      ms += second * 1000;
      pos += 3;
      const c = pos < n ? text.charCodeAt(pos) : 0;
      if (c === 46 || c === 44) {
        pos++;
        let scale = 100;
        let frac = 0;
        const start = pos;
        for (; pos < n; pos++) {
          const d = text.charCodeAt(pos) - 48;
          if (d < 0 || d > 9) break;
          frac += d * scale;
          scale /= 10;
        }
        if (pos === start) return fail(out, 'expected digits after the decimal point');
        ms += Math.floor(frac);
      }
    }
    if (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 90 || c === 122) {
        pos++;
      } else if (c === 43 || c === 45) {
        const oh = pos + 3 <= n ? two(text, pos + 1) : -1;
        if (oh < 0) return fail(out, `invalid UTC offset ${quote(text.slice(pos))}`);
        let om = 0;
        pos += 3;
        if (pos < n) {
          if (text.charCodeAt(pos) === 58) pos++;
          om = pos + 2 <= n ? two(text, pos) : -1;
          if (om < 0) return fail(out, `invalid UTC offset ${quote(text.slice(pos - 3))}`);
          pos += 2;
        }
        if (oh > 23 || om > 59) return fail(out, `UTC offset ${quote(text.slice(pos - 6, pos))} out of range`);
        offset = c === 45 ? -(oh * 60 + om) : oh * 60 + om;
      }
      if (pos !== n) return fail(out, `unexpected ${quote(text.slice(pos))} after the time`);
    }
  }
  out.epochMs = ms - offset * MS_PER_MINUTE;
  out.offsetMinutes = offset + 0; // -00:00 is 0
  out.error = '';
  return true;
}

/**
 * epochToMillis converts an epoch number to milliseconds: magnitudes below 1e11 are
 * seconds (up to the year 5138), larger ones milliseconds. NaN when not finite.
 */
export function epochToMillis(value: number): number {
  if (!Number.isFinite(value)) return Number.NaN;
  return Math.abs(value) < 1e11 ? Math.round(value * 1000) : Math.round(value);
}

/** formatTimestamp renders an instant with its offset as ISO-8601 text (the inverse of parseTimestamp). */
export function formatTimestamp(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * MS_PER_MINUTE).toISOString().slice(0, 23);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month];
}

/** two reads the two decimal digits at `at` (the caller checks they are within the text), or -1. */
function two(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

function fail(out: ParsedTimestamp, error: string): false {
  out.error = error;
  return false;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}…` : s);
}
