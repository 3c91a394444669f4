/** UtcOffset is the UTC offset written in a timestamp: minutes east of UTC and how to write it back. */
export interface UtcOffset {
  minutes: number;
  /** `Z`, `±HH:MM`, or '' when the text had no offset (then read as UTC). */
  suffix: string;
}

const NO_OFFSET: UtcOffset = Object.freeze({ minutes: 0, suffix: '' });

/**
 * offsetOf reads the UTC offset at the end of an ISO-8601 timestamp (`Z`, `±HH`,
 * `±HHMM` or `±HH:MM` after the time), or undefined when what follows the date is
 * not a well-formed offset. Text without an offset reads as UTC with an empty suffix.
 */
export function offsetOf(text: string): UtcOffset | undefined {
  for (let i = 10; i < text.length; i++) {
    const c = text[i];
    if (c === 'Z' || c === 'z') return i === text.length - 1 ? { minutes: 0, suffix: 'Z' } : undefined;
    if (c === '+' || c === '-') {
      const match = /^(\d{2})(?::?(\d{2}))?$/.exec(text.slice(i + 1));
      if (match === null) return undefined;
      const hours = Number(match[1]);
      const minutes = Number(match[2] ?? '0');
      if (hours > 23 || minutes > 59) return undefined;
      const sign = c === '-' ? -1 : 1;
      return { minutes: sign * (hours * 60 + minutes), suffix: `${c}${match[1]}:${match[2] ?? '00'}` };
    }
  }
  return NO_OFFSET;
}

/**
 * formatWithOffset writes an epoch-millisecond instant as ISO-8601 local time at
 * `offset`: `YYYY-MM-DDTHH:MM:SS`, `.mmm` only when the milliseconds are not zero,
 * then the offset as written in the history.
 */
export function formatWithOffset(epochMs: number, offset: UtcOffset): string {
  const iso = new Date(epochMs + offset.minutes * 60_000).toISOString();
  const dot = iso.indexOf('.');
  const millis = iso.slice(dot, dot + 4);
  return iso.slice(0, dot) + (millis === '.000' ? '' : millis) + offset.suffix;
}
