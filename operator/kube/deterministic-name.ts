import { createHash } from 'node:crypto';

/** MAX_NAME_LENGTH is the limit of a label value and DNS-1123 label (Job names end up in the `job-name` label). */
export const MAX_NAME_LENGTH = 63;

/** canonicalJson is JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** shortHash is the first `length` hex digits of the SHA-256 of `value` (a string as is, anything else as canonical JSON). */
export function shortHash(value: unknown, length = 8): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function trimSeparators(s: string): string {
  return s.replace(/[-.]+$/, '');
}

/**
 * deterministicName names a child object from its parent: `parent-suffix`, or
 * `parent-suffix-<hash of hashInput>` when the child must change with (part
 * of) the spec. The same inputs always give the same name, so a reconcile on a
 * stale cache finds the existing child instead of creating a twin. Names
 * longer than 63 characters keep the suffix and hash and shorten the parent,
 * adding a hash of the full name so that two long parents sharing a prefix
 * still get different names.
 */
export function deterministicName(parent: string, suffix: string, hashInput?: unknown): string {
  const parts = [suffix, hashInput === undefined ? '' : shortHash(hashInput)].filter((p) => p !== '');
  const tail = parts.length > 0 ? `-${parts.join('-')}` : '';
  const full = `${parent}${tail}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const fullHash = shortHash(full);
  const room = MAX_NAME_LENGTH - tail.length - fullHash.length - 1;
  if (room >= 1) {
    const head = trimSeparators(parent.slice(0, room));
    if (head) return `${head}-${fullHash}${tail}`;
  }
  return `${trimSeparators(full.slice(0, MAX_NAME_LENGTH - fullHash.length - 1))}-${fullHash}`;
}
