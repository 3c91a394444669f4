import { mkdir, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { silentLogger } from '../store/logger.ts';
import { acquireStateLock, type StateLock } from '../store/state-lock.ts';

/**
 * The checks `fluxora run` makes before it starts anything, so that a state
 * directory it cannot use, a state directory another run is using, or a port that
 * is taken stop it at once with one line that says what to do, instead of after
 * minutes of training, and without touching another run's files.
 */

/** PreflightError is a condition that stops a run before it starts; its message is one line for the user. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

/** RUN_LOCK is the lock file a run holds in its state directory while it runs. */
export const RUN_LOCK = 'run.lock';

/**
 * claimStateDir creates the state directory (when missing) and takes its run lock;
 * with `fresh` it then empties it (all but the lock). A directory that cannot be
 * created or written, or whose lock a live process holds, is a PreflightError, and
 * nothing in it is changed.
 */
export async function claimStateDir(dir: string, opts: { fresh: boolean }): Promise<StateLock> {
  const path = resolve(dir);
  const advice = 'pass --state-dir DIR to use another, or fix its permissions';
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    throw new PreflightError(`cannot create the state directory ${path} (${errnoText(err)}): ${advice}`);
  }
  let attempt: Awaited<ReturnType<typeof acquireStateLock>>;
  try {
    attempt = await acquireStateLock(join(path, RUN_LOCK), silentLogger);
  } catch (err) {
    throw new PreflightError(`the state directory ${path} is not writable (${errnoText(err)}): ${advice}`);
  }
  if ('heldBy' in attempt) {
    throw new PreflightError(
      `another fluxora run (pid ${attempt.heldBy.pid}) is using the state directory ${path}: stop it, or pass --state-dir DIR to run beside it`,
    );
  }
  if (opts.fresh) {
    for (const name of await readdir(path)) {
      if (name !== RUN_LOCK) await rm(join(path, name), { recursive: true, force: true });
    }
  }
  return attempt.lock;
}

/**
 * checkPorts makes sure `count` consecutive ports from `first` can be bound on
 * `host` (port 0, a free port each, always can). A taken port is a PreflightError.
 */
export async function checkPorts(host: string, first: number, count: number, flag = '--port'): Promise<void> {
  if (first === 0) return;
  for (let port = first; port < first + count; port++) {
    const problem = await new Promise<NodeJS.ErrnoException | undefined>((done) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) => done(err));
      server.listen({ host, port, exclusive: true }, () => server.close(() => done(undefined)));
    });
    if (problem?.code === 'EADDRINUSE') {
      throw new PreflightError(
        `port ${port} on ${host} is already in use (another fluxora run --serve?): stop what uses it, or pass ${flag} N (0 picks free ports)`,
      );
    }
    if (problem) throw new PreflightError(`cannot listen on ${host}:${port} (${errnoText(problem)}): pass --host or ${flag}`);
  }
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = (e.message ?? String(err)).replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '');
  return e.code ? `${e.code}: ${text}` : text;
}
