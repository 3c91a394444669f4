import { daysFromCivil } from './civil-date.ts';
import { FeatureError } from './errors.ts';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * parseLocalDate turns 'YYYY-MM-DD' into its day number (days since 1970-01-01)
 * and throws a FeatureError for text that is not a real calendar date.
 */
export function parseLocalDate(text: string): number {
  const match = LOCAL_DATE.exec(text);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    const days = daysFromCivil(year, month, day);
    const check = new Date(days * 86_400_000);
    if (check.getUTCFullYear() === year && check.getUTCMonth() + 1 === month && check.getUTCDate() === day) return days;
  }
  throw new FeatureError('INVALID_SPEC', `holidays.dates: "${text}" is not a date YYYY-MM-DD`);
}

/** HolidayLookup answers "is this local day a holiday" in O(1) for a day number. */
export interface HolidayLookup {
  /** Number of distinct holiday days. */
  readonly size: number;
  has(day: number): boolean;
}

/**
 * createHolidayLookup builds a HolidayLookup from local dates: a bitmap over the
 * span of the dates, so each row's check is a bounds test and one byte read.
 */
export function createHolidayLookup(dates: readonly string[]): HolidayLookup {
  if (dates.length === 0) return { size: 0, has: () => false };
  const days = dates.map(parseLocalDate);
  let first = days[0];
  let last = days[0];
  for (const day of days) {
    if (day < first) first = day;
    if (day > last) last = day;
  }
  const bitmap = new Uint8Array(last - first + 1);
  let size = 0;
  for (const day of days) {
    if (bitmap[day - first] === 0) size++;
    bitmap[day - first] = 1;
  }
  return {
    size,
    has: (day: number) => day >= first && day <= last && bitmap[day - first] === 1,
  };
}
