import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, emptyCivilDate, isLeapYear } from './civil-date.ts';
import { seededRandom } from '../../test/support/feature-table.ts';

describe('civil dates', () => {
  it.each([
    [1970, 1, 1, 0],
    [1969, 12, 31, -1],
    [2000, 2, 29, 11_016],
    [2013, 4, 7, 15_802],
    [2100, 3, 1, 47_541],
  ])('daysFromCivil(%i, %i, %i) is %i', (y, m, d, days) => {
    expect(daysFromCivil(y, m, d)).toBe(days);
    expect(days).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
  });

  it('civilFromDays inverts daysFromCivil and agrees with Date on random days', () => {
    const random = seededRandom(7);
    const into = emptyCivilDate();
    for (let i = 0; i < 2000; i++) {
      const days = Math.floor(random() * 200_000) - 100_000;
      const date = new Date(days * 86_400_000);
      civilFromDays(days, into);
      expect([into.year, into.month, into.day]).toEqual([
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
      ]);
      expect(into.weekday).toBe((date.getUTCDay() + 6) % 7);
      expect(into.dayOfYear).toBe(days - Date.UTC(into.year, 0, 1) / 86_400_000 + 1);
      expect(daysFromCivil(into.year, into.month, into.day)).toBe(days);
    }
  });

  it.each([
    [2012, true],
    [2013, false],
    [1900, false],
    [2000, true],
  ])('isLeapYear(%i) is %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });
});
