import { createHash } from 'node:crypto';

/** stableJson serialises with sorted keys, so equal objects hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** shortHash is the first `length` hex characters of the sha256 of the stable JSON of the inputs. */
export function shortHash(length: number, ...inputs: unknown[]): string {
  const h = createHash('sha256');
  for (const input of inputs) h.update(typeof input === 'string' ? input : stableJson(input)).update('\u0000');
  return h.digest('hex').slice(0, length);
}

/**
 * featureSetVersion is a FeatureSet's version: a hash of its Dataset's version and
 * the spec fields that define features (not `materialize`, which only says
 * whether they are also stored).
 */
export function featureSetVersion(datasetVersion: string, spec: unknown): string {
  if (spec && typeof spec === 'object' && 'materialize' in spec) {
    const { materialize: _, ...features } = spec as Record<string, unknown>;
    return shortHash(16, datasetVersion, features);
  }
  return shortHash(16, datasetVersion, spec);
}
