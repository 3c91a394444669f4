/** Number, time and age formatting for the console. */

export const DASH = '—';

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** num shows 3 significant digits, one decimal from 100 up, thousands separated from 10 000 up. */
export function num(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10_000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (a >= 100) return v.toFixed(1);
  if (a < 1e-4) return v.toExponential(2);
  return v.toPrecision(3);
}

/** int shows a count with thousands separators. */
export function int(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return Math.round(v).toLocaleString('en-US');
}

/** pct shows a fraction (0.9) as a percentage (90.0%). */
export function pct(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return `${(v * 100).toFixed(1)}%`;
}

/** pctOf shows a value that already is a percentage (sMAPE). */
export function pctOf(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)}%`;
}

/** ms shows a latency in milliseconds. */
export function ms(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return `${num(v)} ms`;
}

/** bytes shows a size. */
export function bytes(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} kB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

/** time parses an ISO 8601 timestamp to epoch ms (NaN when missing or malformed). */
export function time(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

/** age is how long ago `iso` was, kubectl style: 45s, 5m, 2h, 3d. */
export function age(iso: string | null | undefined, now: number): string {
  const t = time(iso);
  if (!Number.isFinite(t)) return DASH;
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** dateTime shows a timestamp in local time, `2025-01-31 13:05`. */
export function dateTime(iso: string | null | undefined): string {
  const t = time(iso);
  if (!Number.isFinite(t)) return iso || DASH;
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** duration shows the time between two timestamps, 1m 05s. */
export function duration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  const a = time(fromIso);
  const b = time(toIso);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return DASH;
  const s = Math.max(0, Math.round((b - a) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** value shows an arbitrary JSON value compactly (numbers via num). */
export function value(v: unknown): string {
  if (v === null || v === undefined) return DASH;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : num(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  return JSON.stringify(v);
}

/** entries shows a record as `k=v` pairs. */
export function pairs(record: Record<string, unknown> | null | undefined): string {
  if (!record) return DASH;
  const list = Object.entries(record).filter(([, v]) => v !== undefined);
  if (list.length === 0) return DASH;
  return list.map(([k, v]) => `${k}=${value(v)}`).join(', ');
}

/** metric reads a number out of an untyped metrics record. */
export function metric(record: Record<string, unknown> | null | undefined, key: string): number | null {
  const v = record?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
