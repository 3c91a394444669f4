import type { KubernetesObject } from '@kubernetes/client-node';

/** LAST_APPLIED is the annotation `kubectl apply` (client-side) stores the whole applied object in. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** TrimOptions say what trimObject drops besides foreign managedFields and the last-applied annotation. */
export interface TrimOptions {
  /**
   * managedFields entries of this field manager are kept (applyReason reads
   * them to see which fields the operator owns); every other entry is
   * dropped. Undefined drops them all.
   */
  keepManager?: string;
  /** Top-level fields dropped (e.g. `spec` of a Job whose template no controller reads). */
  drop?: readonly string[];
  /** Keys of `status` kept; undefined keeps the whole status. */
  keepStatus?: readonly string[];
}

const FIELDS_CACHE_LIMIT = 1000;
const fieldsCache = new Map<string, object>();

/**
 * internFields returns one shared, frozen copy of equal managedFields trees:
 * the operator's own entry is the same tree on every object of a kind in the
 * same state (measured: a cached FeatureSet shrinks from 1.4 KB to 0.3 KB).
 * Readers only walk it (applyReason). Bounded: the table starts over when full.
 */
export function internFields(fields: object | undefined): object | undefined {
  if (fields === undefined || fields === null || typeof fields !== 'object') return fields;
  const key = JSON.stringify(fields);
  const known = fieldsCache.get(key);
  if (known) return known;
  if (fieldsCache.size >= FIELDS_CACHE_LIMIT) fieldsCache.clear();
  const frozen = deepFreeze(fields);
  fieldsCache.set(key, frozen);
  return frozen;
}

function deepFreeze<T extends object>(obj: T): T {
  for (const value of Object.values(obj)) if (value && typeof value === 'object' && !Object.isFrozen(value)) deepFreeze(value);
  return Object.freeze(obj);
}

/**
 * trimObject removes, in place, what the operator's controllers never read
 * from a cached object: managedFields of other managers (usually the largest
 * part of a small object), the last-applied-configuration annotation (a second
 * copy of the object), and the given top-level fields and status keys; the
 * kept managedFields trees are shared between objects (internFields).
 * Idempotent. Returns the same object.
 */
export function trimObject<T extends KubernetesObject>(obj: T, options: TrimOptions = {}): T {
  const metadata = obj.metadata;
  if (metadata) {
    if (metadata.managedFields) {
      const kept = options.keepManager === undefined ? [] : metadata.managedFields.filter((m) => m.manager === options.keepManager);
      for (const entry of kept) entry.fieldsV1 = internFields(entry.fieldsV1);
      if (kept.length > 0) metadata.managedFields = kept;
      else delete metadata.managedFields;
    }
    if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
      delete metadata.annotations[LAST_APPLIED];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
  }
  const record = obj as unknown as Record<string, unknown>;
  for (const field of options.drop ?? []) delete record[field];
  const status = record.status as Record<string, unknown> | undefined;
  if (options.keepStatus && status && typeof status === 'object') {
    for (const key of Object.keys(status)) if (!options.keepStatus.includes(key)) delete status[key];
  }
  return obj;
}

/** Trimmer is an informer transform for any kind of object. */
export type Trimmer = <T extends KubernetesObject>(obj: T) => T;

/** trimmer returns trimObject with fixed options, as an informer transform. */
export function trimmer(options: TrimOptions): Trimmer {
  return (obj) => trimObject(obj, options);
}
