import { describe, expect, it } from 'vitest';
import { formatMicroTime, microTimeString, PreciseMicroTime, parseMicroTime } from './micro-time.ts';

describe('MicroTime', () => {
  it('formats with exactly six fractional digits', () => {
    const ms = Date.UTC(2026, 10, 26, 11, 22, 33) + 123.456;
    expect(formatMicroTime(ms)).toBe('2026-11-26T11:22:33.123456Z');
    expect(formatMicroTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000000Z');
  });

  it('parses MicroTime, Time and offsets back to milliseconds', () => {
    const ms = Date.UTC(2026, 10, 26, 11, 22, 33) + 123.456;
    expect(parseMicroTime('2026-11-26T11:22:33.123456Z')).toBeCloseTo(ms, 6);
    expect(parseMicroTime('2026-11-26T11:22:33Z')).toBe(Date.UTC(2026, 10, 26, 11, 22, 33));
    expect(parseMicroTime('2026-11-26T12:22:33.5+01:00')).toBe(Date.UTC(2026, 10, 26, 11, 22, 33, 500));
    expect(parseMicroTime(new Date(5))).toBe(5);
    expect(parseMicroTime('yesterday')).toBeUndefined();
    expect(parseMicroTime(undefined)).toBeUndefined();
  });

  it('serializes a PreciseMicroTime in JSON with its microseconds', () => {
    const t = new PreciseMicroTime(Date.UTC(2026, 10, 26, 11, 22, 33) + 123.456);
    expect(JSON.stringify({ t })).toBe('{"t":"2026-11-26T11:22:33.123456Z"}');
    expect(microTimeString(t)).toBe('2026-11-26T11:22:33.123456Z');
    expect(microTimeString('2026-11-26T11:22:33.000001Z')).toBe('2026-11-26T11:22:33.000001Z');
    expect(microTimeString(new Date(0))).toBe('1970-01-01T00:00:00.000000Z');
  });
});
