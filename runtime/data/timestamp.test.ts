import { describe, expect, it } from 'vitest';
import { epochToMillis, formatTimestamp, newParsedTimestamp, parseTimestamp } from './timestamp.ts';

function parse(text: string): { epochMs: number; offsetMinutes: number } {
  const out = newParsedTimestamp();
  if (!parseTimestamp(text, out)) throw new Error(`rejected ${text}: ${out.error}`);
  return { epochMs: out.epochMs, offsetMinutes: out.offsetMinutes };
}

function reason(text: string): string {
  const out = newParsedTimestamp();
  expect(parseTimestamp(text, out), text).toBe(false);
  return out.error;
}

describe('parseTimestamp', () => {
  it('parses explicit offsets into the UTC instant and the offset', () => {
    expect(parse('2012-01-01T00:00:00+11:00')).toEqual({ epochMs: Date.UTC(2011, 11, 31, 13), offsetMinutes: 660 });
    expect(parse('2012-01-01T00:00:00-05:30')).toEqual({ epochMs: Date.UTC(2012, 0, 1, 5, 30), offsetMinutes: -330 });
    expect(parse('2012-01-01T00:00:00+1100').offsetMinutes).toBe(660);
    expect(parse('2012-01-01 00:00:00+11').offsetMinutes).toBe(660);
    expect(parse('2012-01-01T00:00:00Z')).toEqual({ epochMs: Date.UTC(2012, 0, 1), offsetMinutes: 0 });
    expect(parse('2012-01-01t00:00:00z').epochMs).toBe(Date.UTC(2012, 0, 1));
  });

  it('accepts fractional seconds, a space separator, no seconds and date-only text', () => {
    expect(parse('2012-01-01T00:00:00.123Z').epochMs).toBe(Date.UTC(2012, 0, 1) + 123);
    expect(parse('2012-01-01T00:00:00.5+01:00').epochMs).toBe(Date.UTC(2011, 11, 31, 23) + 500);
    expect(parse('2012-01-01T00:00:00.123456789Z').epochMs).toBe(Date.UTC(2012, 0, 1) + 123);
    expect(parse('2012-01-01 13:45:10').epochMs).toBe(Date.UTC(2012, 0, 1, 13, 45, 10));
    expect(parse('2012-01-01T13:45+02:00').epochMs).toBe(Date.UTC(2012, 0, 1, 11, 45));
    expect(parse('2012-03-04')).toEqual({ epochMs: Date.UTC(2012, 2, 4), offsetMinutes: 0 });
    expect(parse('1969-12-31T23:59:59.999Z').epochMs).toBe(-1);
  });

  it('agrees with Date.parse on random instants and offsets', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    for (let i = 0; i < 5000; i++) {
      const ms = Date.UTC(1900 + rand(250), 0, 1) + rand(366 * 86400) * 1000 + rand(1000);
      const offset = (rand(2) ? 1 : -1) * rand(15 * 60) + 0;
      const text = formatTimestamp(ms, offset);
      expect(parse(text)).toEqual({ epochMs: ms, offsetMinutes: offset });
      expect(parse(text).epochMs).toBe(Date.parse(text));
    }
  });

  it('keeps both sides of a daylight-saving change distinct (Melbourne)', () => {
    // 2012-04-01 03:00 AEDT (+11) clocks go back to 02:00 AEST (+10): 02:30 happens twice.
    const first = parse('2012-04-01T02:30:00+11:00');
    const second = parse('2012-04-01T02:30:00+10:00');
    expect(second.epochMs - first.epochMs).toBe(3_600_000);
    expect([first.offsetMinutes, second.offsetMinutes]).toEqual([660, 600]);
    // 2012-10-07 02:00 AEST (+10) jumps to 03:00 AEDT (+11): one hour apart on the wall, zero in UTC.
    expect(parse('2012-10-07T03:00:00+11:00').epochMs).toBe(parse('2012-10-07T02:00:00+10:00').epochMs);
  });

  it('rejects invalid timestamps with a reason', () => {
    expect(reason('2012-13-01')).toBe('month 13 out of range');
    expect(reason('2013-02-29T00:00:00Z')).toBe('day 29 out of range for 2013-02');
    expect(parse('2012-02-29').epochMs).toBe(Date.UTC(2012, 1, 29));
    expect(reason('2012-01-01T24:00:00Z')).toBe('hour 24 out of range');
    expect(reason('2012-01-01T10:60:00Z')).toBe('minute 60 out of range');
    expect(reason('2012-01-01T10:00:60Z')).toBe('second 60 out of range');
    expect(reason('2012-01-01T10:00:00+25:00')).toContain('out of range');
    expect(reason('2012-01-01T10:00:00 UTC')).toBe('unexpected " UTC" after the time');
    expect(reason('2012-01-01T10:00:00.Z')).toBe('expected digits after the decimal point');
    expect(reason('01/02/2012')).toBe('expected YYYY-MM-DD');
    expect(reason('abc')).toBe('expected YYYY-MM-DD');
    expect(reason('2012-01-01X10:00')).toContain('after the date');
    expect(reason('2012-01-01T1:00')).toBe('expected HH:MM after the date');
  });
});

describe('epochToMillis', () => {
  it('reads seconds below 1e11 and milliseconds above', () => {
    expect(epochToMillis(1325336400)).toBe(1325336400000);
    expect(epochToMillis(1325336400.5)).toBe(1325336400500);
    expect(epochToMillis(1325336400000)).toBe(1325336400000);
    expect(epochToMillis(Number.POSITIVE_INFINITY)).toBeNaN();
  });
});
