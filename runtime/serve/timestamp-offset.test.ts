import { describe, expect, it } from 'vitest';
import { formatWithOffset, offsetOf } from './timestamp-offset.ts';

describe('offsetOf', () => {
  it('reads Z, ±HH:MM, ±HHMM and ±HH, and no offset as UTC', () => {
    expect(offsetOf('2024-03-01T10:00:00Z')).toEqual({ minutes: 0, suffix: 'Z' });
    expect(offsetOf('2024-03-01T10:00:00+01:00')).toEqual({ minutes: 60, suffix: '+01:00' });
    expect(offsetOf('2024-03-01T10:00:00.250-0530')).toEqual({ minutes: -330, suffix: '-05:30' });
    expect(offsetOf('2024-03-01T10:00+09')).toEqual({ minutes: 540, suffix: '+09:00' });
    expect(offsetOf('2024-03-01T10:00:00')).toEqual({ minutes: 0, suffix: '' });
    expect(offsetOf('2024-03-01')).toEqual({ minutes: 0, suffix: '' });
  });

  it('refuses malformed offsets', () => {
    expect(offsetOf('2024-03-01T10:00:00+1')).toBeUndefined();
    expect(offsetOf('2024-03-01T10:00:00+25:00')).toBeUndefined();
    expect(offsetOf('2024-03-01T10:00:00Zjunk')).toBeUndefined();
  });
});

describe('formatWithOffset', () => {
  it('writes local time at the offset, milliseconds only when present', () => {
    const t = Date.parse('2024-03-01T10:00:00Z');
    expect(formatWithOffset(t, { minutes: 60, suffix: '+01:00' })).toBe('2024-03-01T11:00:00+01:00');
    expect(formatWithOffset(t + 250, { minutes: -330, suffix: '-05:30' })).toBe('2024-03-01T04:30:00.250-05:30');
    expect(formatWithOffset(t, { minutes: 0, suffix: 'Z' })).toBe('2024-03-01T10:00:00Z');
  });
});
