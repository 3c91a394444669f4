import { describe, expect, it } from 'vitest';
import { daysFromCivil } from './civil-date.ts';
import { FeatureError } from './errors.ts';
import { createHolidayLookup, parseLocalDate } from './holidays.ts';

describe('holidays', () => {
  it('parses local dates into day numbers', () => {
    expect(parseLocalDate('2013-04-07')).toBe(daysFromCivil(2013, 4, 7));
    expect(parseLocalDate('1969-12-31')).toBe(-1);
  });

  it.each(['2013-02-30', '2013-1-01', '20130101', '2013-13-01', ''])('rejects "%s"', (text) => {
    expect(() => parseLocalDate(text)).toThrow(FeatureError);
    expect(() => parseLocalDate(text)).toThrow(/holidays.dates/);
  });

  it('looks up days and counts distinct dates', () => {
    const lookup = createHolidayLookup(['2013-12-25', '2013-01-01', '2013-12-25', '2014-01-27']);
    expect(lookup.size).toBe(3);
    expect(lookup.has(daysFromCivil(2013, 12, 25))).toBe(true);
    expect(lookup.has(daysFromCivil(2014, 1, 27))).toBe(true);
    expect(lookup.has(daysFromCivil(2013, 12, 26))).toBe(false);
    expect(lookup.has(daysFromCivil(2012, 12, 25))).toBe(false);
    expect(lookup.has(daysFromCivil(2015, 1, 1))).toBe(false);
  });

  it('an empty list has no holidays', () => {
    const lookup = createHolidayLookup([]);
    expect(lookup.size).toBe(0);
    expect(lookup.has(0)).toBe(false);
  });
});
