import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { StoreLogger } from './logger.ts';
import { processStartTicks, processState, sleep } from './process-info.ts';

/**
 * The state-dir lock: a JSON file holding the pid (and, on Linux, the process start
 * time) of the process that runs the embedded PostgreSQL server of a data dir, so a
 * second process does not start a second server on the same files. A lock whose
 * process is gone (or whose pid now belongs to another process) is stale and is
 * taken over.
 */

/** LockInfo is the content of a state-dir lock file. */
export interface LockInfo {
  /** Pid of the holding process. */
  pid: number;
  /** Start time of the holder in clock ticks since boot (Linux), to detect pid reuse. */
  startTicks?: number;
  /** `starting` until the server accepts connections, then `ready`. */
  state: 'starting' | 'ready';
  /** Port of the server once known. */
  port?: number;
  /** Pid of the PostgreSQL postmaster once started. */
  postmasterPid?: number;
  /** When the lock was taken (ISO 8601). */
  acquiredAt: string;
}

/** StateLock is a held lock: update its content, or release it. */
export interface StateLock {
  /** Path of the lock file. */
  readonly path: string;
  /** update rewrites the lock file atomically with `patch` merged in. */
  update(patch: Partial<LockInfo>): Promise<void>;
  /** release removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

/** LockAttempt is either the held lock or the live holder that prevented taking it. */
export type LockAttempt = { lock: StateLock } | { heldBy: LockInfo };

/**
 * acquireStateLock takes the lock file at `path` (created with O_EXCL). When the
 * file exists and its holder is alive it returns `{ heldBy }`; a stale lock (dead
 * holder, or a pid reused by another process) is moved aside and replaced.
 */
export async function acquireStateLock(path: string, logger: StoreLogger): Promise<LockAttempt> {
  const startTicks = processStartTicks(process.pid);
  for (let attempt = 0; attempt < 20; attempt++) {
    const mine: LockInfo = { pid: process.pid, startTicks, state: 'starting', acquiredAt: new Date().toISOString() };
    try {
      const fh = await open(path, 'wx', 0o644);
      try {
        await fh.writeFile(JSON.stringify(mine));
      } finally {
        await fh.close();
      }
      return { lock: heldLock(path, mine) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const raw = await readFile(path, 'utf8').catch(() => undefined);
    if (raw === undefined) continue; // released in between
    const info = parseLock(raw);
    if (info === undefined) {
      // Being written right now, or garbage: wait a little before calling it stale.
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age < 2000) {
        await sleep(50);
        continue;
      }
    } else if (lockHolderAlive(info)) {
      return { heldBy: info };
    }
    logger.warn({ lock: path, holder: info?.pid }, 'removing stale state-dir lock left by a process that is gone');
    // Move it aside and check we moved the stale file, not a lock someone just took.
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readFile(aside, 'utf8').catch(() => undefined);
    if (moved !== raw) await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }
  throw new Error(`could not acquire the state-dir lock ${path}: it keeps changing`);
}

/** readStateLock returns the content of the lock file at `path`, or undefined. */
export async function readStateLock(path: string): Promise<LockInfo | undefined> {
  const raw = await readFile(path, 'utf8').catch(() => undefined);
  return raw === undefined ? undefined : parseLock(raw);
}

/** lockHolderAlive tells whether the process named by a lock is still the one that wrote it. */
export function lockHolderAlive(info: LockInfo): boolean {
  if (processState(info.pid) !== 'alive') return false;
  if (info.startTicks === undefined) return true;
  const now = processStartTicks(info.pid);
  return now === undefined || now === info.startTicks;
}

function heldLock(path: string, initial: LockInfo): StateLock {
  let current = initial;
  let released = false;
  return {
    path,
    async update(patch) {
      if (released) return;
      current = { ...current, ...patch };
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(current), { mode: 0o644 });
      await rename(tmp, path);
    },
    async release() {
      if (released) return;
      released = true;
      const info = await readStateLock(path);
      if (info && info.pid === current.pid && info.startTicks === current.startTicks) {
        await unlink(path).catch(() => undefined);
      }
    },
  };
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof value.pid !== 'number') return undefined;
    return {
      pid: value.pid,
      startTicks: typeof value.startTicks === 'number' ? value.startTicks : undefined,
      state: value.state === 'ready' ? 'ready' : 'starting',
      port: typeof value.port === 'number' ? value.port : undefined,
      postmasterPid: typeof value.postmasterPid === 'number' ? value.postmasterPid : undefined,
      acquiredAt: typeof value.acquiredAt === 'string' ? value.acquiredAt : '',
    };
  } catch {
    return undefined;
  }
}
