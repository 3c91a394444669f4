import { readFile, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { StoreLogger } from './logger.ts';
import { processCommandLine, processState, sleep } from './process-info.ts';

/**
 * PostgreSQL's own data-dir lock, `postmaster.pid`, as left behind by a run that was
 * killed: either the postmaster is gone (a stale file) or it survived its parent
 * (an orphaned server still holding the directory and its port).
 */

/** PostmasterPid is the parsed `postmaster.pid` of a data directory. */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  /** Postmaster start time, epoch seconds. */
  startEpoch: number;
  port: number;
  /** `starting`, `ready`, `stopping` or `standby` (PM_STATUS), once written. */
  status: string;
}

/** readPostmasterPid parses `<pgdata>/postmaster.pid`, or returns undefined when absent. */
export async function readPostmasterPid(pgdata: string): Promise<PostmasterPid | undefined> {
  const raw = await readFile(join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  const lines = raw.split('\n');
  return {
    pid: Number.parseInt(lines[0] ?? '', 10),
    dataDir: lines[1] ?? '',
    startEpoch: Number.parseInt(lines[2] ?? '', 10),
    port: Number.parseInt(lines[3] ?? '', 10),
    status: (lines[7] ?? '').trim(),
  };
}

/** StalePostmasterOutcome says what clearStalePostmaster found and did. */
export type StalePostmasterOutcome = 'none' | 'removed-dead' | 'removed-reused-pid' | 'stopped-orphan';

/**
 * clearStalePostmaster makes `<pgdata>` startable after a killed run. The caller
 * must hold the state-dir lock (so no live process of ours owns the server):
 * - no `postmaster.pid`: nothing to do;
 * - its pid is gone (or a zombie): the file is removed;
 * - its pid is alive but is not a postgres on this directory (pid reused): removed;
 * - it is a postgres on this directory: an orphan of a killed run; it is shut down
 *   (fast shutdown, then immediate, then SIGKILL) before the file is removed.
 * Where /proc is unavailable a live pid cannot be identified and this throws.
 */
export async function clearStalePostmaster(pgdata: string, logger: StoreLogger): Promise<StalePostmasterOutcome> {
  const pm = await readPostmasterPid(pgdata);
  if (pm === undefined) return 'none';
  const file = join(pgdata, 'postmaster.pid');
  if (processState(pm.pid) === 'dead') {
    logger.warn({ pgdata, pid: pm.pid }, 'removing stale postmaster.pid: its process is gone');
    await unlink(file).catch(() => undefined);
    return 'removed-dead';
  }
  const cmd = processCommandLine(pm.pid);
  if (cmd === undefined) {
    throw new Error(
      `${file} names the running process ${pm.pid}; stop that PostgreSQL server or remove the file if it is not one`,
    );
  }
  const isPostgres = cmd.length > 0 && basename(cmd[0] ?? '').startsWith('postgres');
  const onThisDir = cmd.includes(pgdata) || (pm.dataDir !== '' && cmd.includes(pm.dataDir));
  if (!isPostgres || !onThisDir) {
    logger.warn({ pgdata, pid: pm.pid }, 'removing stale postmaster.pid: its pid now belongs to another process');
    await unlink(file).catch(() => undefined);
    return 'removed-reused-pid';
  }
  logger.warn({ pgdata, pid: pm.pid, port: pm.port }, 'shutting down an orphaned PostgreSQL server left by a killed run');
  await stopProcess(pm.pid, 15_000);
  await unlink(file).catch(() => undefined);
  return 'stopped-orphan';
}

/**
 * stopProcess shuts a postmaster down by pid: SIGINT (fast shutdown), then SIGQUIT
 * (immediate) after `timeoutMs`, then SIGKILL; resolves once the process is gone.
 */
export async function stopProcess(pid: number, timeoutMs: number): Promise<void> {
  for (const [signal, wait] of [
    ['SIGINT', timeoutMs],
    ['SIGQUIT', 5000],
    ['SIGKILL', 5000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + wait;
    while (Date.now() < deadline) {
      if (processState(pid) === 'dead') return;
      await sleep(25);
    }
  }
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}
