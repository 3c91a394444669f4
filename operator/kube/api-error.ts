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

/**
 * errorText is why a Kubernetes API call failed, in one line: the HTTP status
 * and the Status message the server sent, or the network error and its cause
 * (fetch's "fetch failed" says nothing without it).
 */
export function errorText(err: unknown): string {
  const status = statusCodeOf(err);
  if (status !== undefined) {
    let body = (err as { body?: unknown }).body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not a Status object: no message to add
      }
    }
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    return `HTTP ${status}${typeof message === 'string' && message ? `: ${message}` : ''}`;
  }
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${(err.cause as Error & { code?: unknown }).code ?? err.cause.message}` : '';
  return `${err.message}${cause}`;
}
