/**
 * statusCodeOf returns the HTTP status of a failed Kubernetes API call,
 * whichever shape the error has: client-node's ApiException (`code`), a watch
 * error (`statusCode`), or a metav1.Status object (`code`). Undefined for
 * network errors and anything else.
 */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** isNotFound: the object does not exist (404). */
export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** isConflict: an optimistic-concurrency (resourceVersion) or create conflict (409). */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/** isGone: the resourceVersion is too old to watch from (410); the client must list again. */
export function isGone(err: unknown): boolean {
  return statusCodeOf(err) === 410;
}
