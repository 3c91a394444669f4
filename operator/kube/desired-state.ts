import type { KubernetesObject, V1ManagedFieldsEntry } from '@kubernetes/client-node';
import type { Condition } from '../../crds/common.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys a list element is matched by when both sides are lists of objects carrying it (conditions, containers, env). */
const LIST_MAP_KEYS = ['type', 'name'] as const;

function listMapKey(desired: unknown[]): string | undefined {
  return LIST_MAP_KEYS.find((k) => desired.length > 0 && desired.every((e) => isObject(e) && typeof e[k] === 'string'));
}

/**
 * firstDifference returns the path of the first field `desired` sets that
 * `live` does not have with the same value, or undefined when every desired
 * field is already there (fields only `live` has are ignored: the server's
 * defaults, other managers' fields). Lists of objects keyed by `type` or `name`
 * are compared as maps (extra live elements allowed), other lists element by
 * element with equal length.
 */
export function firstDifference(desired: unknown, live: unknown, path = ''): string | undefined {
  if (isObject(desired)) {
    if (!isObject(live)) return path || '.';
    for (const [k, v] of Object.entries(desired)) {
      if (v === undefined) continue;
      const d = firstDifference(v, live[k], path ? `${path}.${k}` : k);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return path;
    const key = listMapKey(desired);
    if (key) {
      for (const el of desired as Json[]) {
        const match = live.find((l) => isObject(l) && l[key] === el[key]);
        const d = firstDifference(el, match, `${path}[${key}=${String(el[key])}]`);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    if (desired.length !== live.length) return path;
    for (let i = 0; i < desired.length; i++) {
      const d = firstDifference(desired[i], live[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (desired === null) return live === null || live === undefined ? undefined : path;
  return desired === live ? undefined : path;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return firstDifference(a, b) === undefined && firstDifference(b, a) === undefined;
}

/**
 * staleOwnedFields lists the fields a manager owns according to its
 * managedFields entry (`fieldsV1`) that `desired` no longer sets: server-side
 * apply removes them, so an apply is needed although every desired field
 * matches. Handles `f:` fields, `k:` map-list keys and `v:` set-list values.
 */
export function staleOwnedFields(fieldsV1: unknown, desired: unknown, path = ''): string[] {
  const out: string[] = [];
  if (!isObject(fieldsV1)) return out;
  for (const [k, sub] of Object.entries(fieldsV1)) {
    if (k.startsWith('f:')) {
      const name = k.slice(2);
      const here = path ? `${path}.${name}` : name;
      if (!isObject(desired) || desired[name] === undefined) out.push(here);
      else out.push(...staleOwnedFields(sub, desired[name], here));
    } else if (k.startsWith('k:')) {
      const keyFields = JSON.parse(k.slice(2)) as Json;
      const el = Array.isArray(desired)
        ? desired.find((e) => isObject(e) && Object.entries(keyFields).every(([kk, vv]) => e[kk] === vv))
        : undefined;
      const here = `${path}[${k.slice(2)}]`;
      if (el === undefined) out.push(here);
      else out.push(...staleOwnedFields(sub, el, here));
    } else if (k.startsWith('v:')) {
      const value = JSON.parse(k.slice(2)) as unknown;
      if (!Array.isArray(desired) || !desired.some((e) => deepEqual(e, value))) out.push(`${path}[${k.slice(2)}]`);
    }
  }
  return out;
}

/** managedFieldsEntry returns the Apply entry of `manager` for the object or one of its subresources. */
export function managedFieldsEntry(
  live: KubernetesObject,
  manager: string,
  subresource = '',
): V1ManagedFieldsEntry | undefined {
  return live.metadata?.managedFields?.find(
    (m) => m.manager === manager && m.operation === 'Apply' && (m.subresource ?? '') === subresource,
  );
}

/** ApplyCheck names what to compare: the field manager and '' (the object) or 'status'. */
export interface ApplyCheck {
  fieldManager: string;
  subresource?: '' | 'status';
}

const IDENTITY = new Set(['apiVersion', 'kind']);

/**
 * applyReason says why applying `desired` would change `live`, or returns
 * undefined when it would not (compare, then act): the object is absent; the
 * manager has never applied it; a desired field differs (its path); or the
 * manager owns a field `desired` dropped. For the status subresource only
 * `status` is compared; for the object everything but `status`.
 */
export function applyReason(desired: KubernetesObject, live: KubernetesObject | undefined, check: ApplyCheck): string | undefined {
  if (!live) return 'absent';
  const subresource = check.subresource ?? '';
  const entry = managedFieldsEntry(live, check.fieldManager, subresource);
  if (!entry) return `not applied by ${check.fieldManager} yet`;
  const body = Object.fromEntries(
    Object.entries(desired).filter(([k]) => !IDENTITY.has(k) && (subresource === 'status' ? k === 'status' : k !== 'status')),
  );
  const diff = firstDifference(body, live);
  if (diff !== undefined) return `differs at ${diff}`;
  const owned = isObject(entry.fieldsV1) ? entry.fieldsV1 : {};
  const scoped = subresource === 'status' ? { 'f:status': owned['f:status'] ?? {} } : owned;
  const stale = staleOwnedFields(scoped, body).filter((p) => p !== 'metadata' && !p.startsWith('metadata.managedFields'));
  if (stale.length > 0) return `drops ${stale[0]}`;
  return undefined;
}

/**
 * carryTransitionTimes returns `desired` conditions with lastTransitionTime
 * taken from `live` wherever the status is unchanged, and `nowTime` where a
 * condition is new or flipped and has none: the deep-equal of status then
 * ignores the transition times of unchanged conditions, and a write never
 * moves them.
 */
export function carryTransitionTimes(
  desired: readonly Condition[],
  live: readonly Condition[] | undefined,
  nowTime: string,
): Condition[] {
  return desired.map((c) => {
    const prior = live?.find((l) => l.type === c.type);
    if (prior && prior.status === c.status && prior.lastTransitionTime) {
      return { ...c, lastTransitionTime: prior.lastTransitionTime };
    }
    return { ...c, lastTransitionTime: c.lastTransitionTime ?? nowTime };
  });
}
