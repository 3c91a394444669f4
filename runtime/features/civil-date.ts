import { daysFromCivil } from '../data/timestamp.ts';

/** MS_PER_DAY is the length of a calendar day in local wall-clock milliseconds. */
export const MS_PER_DAY = 86_400_000;

/** daysFromCivil (days since 1970-01-01 of a proleptic Gregorian date, integer arithmetic only) is the loader's, so dates are counted one way. */
export { daysFromCivil };

/** CivilDate is a local calendar date; `dayOfYear` is 1-based and `weekday` is ISO (Monday 0 .. Sunday 6). */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  daysInYear: number;
  weekday: number;
}

/** isLeapYear tells whether a Gregorian year has 366 days. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * civilFromDays fills `into` with the date of a day number (the inverse of
 * daysFromCivil). It writes into a caller-owned object so the per-day cache of
 * the calendar encoder allocates nothing.
 */
export function civilFromDays(days: number, into: CivilDate): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doyFromMarch = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doyFromMarch + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  into.year = year;
  into.month = month;
  into.day = doyFromMarch - Math.floor((153 * mp + 2) / 5) + 1;
  into.dayOfYear = days - daysFromCivil(year, 1, 1) + 1;
  into.daysInYear = isLeapYear(year) ? 366 : 365;
  into.weekday = (((days + 3) % 7) + 7) % 7;
  return into;
}

/** emptyCivilDate returns a CivilDate to reuse with civilFromDays. */
export function emptyCivilDate(): CivilDate {
  return { year: 0, month: 0, day: 0, dayOfYear: 0, daysInYear: 0, weekday: 0 };
}
