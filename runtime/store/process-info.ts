import { readFileSync } from 'node:fs';

/**
 * Process inspection used by the state-dir lock and the stale `postmaster.pid`
 * check. On Linux it reads /proc to tell a live process from a zombie and to tell
 * a reused pid from the process that wrote a lock; elsewhere it falls back to
 * `kill(pid, 0)` only.
 */

/** ProcessState is what is known about a pid: gone (or a zombie), or running. */
export type ProcessState = 'dead' | 'alive';

/** processState reports whether `pid` names a running process (a zombie counts as dead). */
export function processState(pid: number): ProcessState {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead';
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const stat = readStat(pid);
  if (stat?.state === 'Z' || stat?.state === 'X') return 'dead';
  return 'alive';
}

/**
 * processStartTicks returns the start time of `pid` in clock ticks since boot (Linux
 * /proc/<pid>/stat field 22), or undefined when it cannot be read. Together with
 * the pid it identifies a process: a pid reused after a restart has another value.
 */
export function processStartTicks(pid: number): number | undefined {
  return readStat(pid)?.startTicks;
}

/** processCommandLine returns the argv of `pid` (Linux /proc/<pid>/cmdline), or undefined. */
export function processCommandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

function readStat(pid: number): { state: string; startTicks: number } | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is parenthesised and may contain spaces: split after it.
  const close = raw.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = raw.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  const startTicks = Number(fields[19]);
  return { state: fields[0] ?? '', startTicks: Number.isFinite(startTicks) ? startTicks : Number.NaN };
}

/** sleep resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
