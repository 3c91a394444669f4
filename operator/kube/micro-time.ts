import { V1MicroTime } from '@kubernetes/client-node';

/**
 * formatMicroTime renders milliseconds since the epoch (possibly fractional)
 * as a metav1.MicroTime: RFC 3339 with exactly six fractional digits,
 * `2026-11-26T11:22:33.123456Z`.
 */
export function formatMicroTime(ms: number): string {
  const micros = Math.floor(ms * 1000);
  const wholeMs = Math.floor(micros / 1000);
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${new Date(wholeMs).toISOString().slice(0, 19)}.${fraction}Z`;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;

/**
 * parseMicroTime reads a metav1.Time or MicroTime (any number of fractional
 * digits, any offset) back into milliseconds since the epoch, keeping
 * microseconds as the fraction. client-node hands MicroTime fields over as the
 * raw string although they are typed as Date, so a Date is accepted too.
 */
export function parseMicroTime(value: string | Date | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.getTime();
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3].toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = m[2] ? Number(`0.${m[2].slice(0, 9)}`) * 1000 : 0;
  return seconds + Math.floor(fraction * 1000) / 1000;
}

/**
 * PreciseMicroTime is a V1MicroTime (what client-node's typed APIs expect in
 * MicroTime fields) that serializes with real microseconds: client-node's own
 * V1MicroTime always writes `.mmm000Z`.
 */
export class PreciseMicroTime extends V1MicroTime {
  readonly epochMs: number;

  constructor(ms: number) {
    super(Math.floor(ms));
    this.epochMs = ms;
  }

  override toISOString(): string {
    return formatMicroTime(this.epochMs);
  }
}

/** microTimeString normalises a MicroTime field as client-node returns it (raw string or Date) to its string form. */
export function microTimeString(value: string | Date | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (value instanceof PreciseMicroTime) return value.toISOString();
  if (value instanceof Date) return formatMicroTime(value.getTime());
  return value;
}
