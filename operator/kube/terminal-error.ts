/**
 * TerminalError tells the controller that retrying cannot help (an invalid
 * spec, a missing reference that only a spec change can fix): the key is not
 * requeued, as with controller-runtime's reconcile.TerminalError. The
 * reconciler should also have recorded a Stalled / Ready=False condition with
 * a reason, so the user sees why; the next change of the object enqueues it again.
 */
export class TerminalError extends Error {
  readonly reason: string;

  constructor(message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TerminalError';
    this.reason = options.reason ?? 'TerminalError';
  }
}

/** isTerminalError is true for a TerminalError, also when it is the cause of the thrown error. */
export function isTerminalError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}
