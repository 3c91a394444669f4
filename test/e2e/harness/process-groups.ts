/**
 * Bookkeeping for the process groups a test harness starts (one detached
 * group per process), so nothing outlives the test run: `exit`, SIGINT,
 * SIGTERM and SIGHUP handlers kill every group still tracked, and a small
 * detached watchdog shell kills them and removes the harness's temp dir when
 * the Node process dies without running its handlers (SIGKILL, OOM).
 * Same scheme as control-plane.ts, separate so the two stay independent.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** GroupTracker tracks the process groups of one harness instance. */
export interface GroupTracker {
  /** Records a process group (its leader's pid). */
  add(pgid: number): void;
  /** Forgets a process group (it has exited). */
  remove(pgid: number): void;
  /** The groups currently tracked. */
  pgids(): number[];
  /** Stops the watchdog and forgets the tracker (after the harness killed its groups itself). */
  dispose(): Promise<void>;
}

interface Live {
  pgids: Set<number>;
  dir: string;
}

const live = new Set<Live>();
let handlersInstalled = false;

/** killGroup sends signal to the process group led by pgid; false when no such group exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** groupAlive tells whether any process of the group led by pgid still exists. */
export function groupAlive(pgid: number): boolean {
  return killGroup(pgid, 0);
}

/**
 * waitGroupGone polls (every 10 ms, at most timeoutMs) until no process of
 * the group led by pgid exists; resolves whether it is gone. Members killed
 * with their leader (say a helper the leader had forked) die and are reaped
 * a moment after it.
 */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

function emergencyCleanup(): void {
  for (const t of live) {
    for (const pgid of t.pgids) killGroup(pgid, 'SIGKILL');
    try {
      rmSync(t.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {
      // the watchdog removes it once this process is gone
    }
  }
  live.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      // Nobody else handles it: re-raise with the default disposition.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/**
 * trackProcessGroups starts tracking for a harness whose temp dir is `dir`
 * (removed by the emergency clean-up and the watchdog, not by dispose()).
 */
export function trackProcessGroups(dir: string, label: string): GroupTracker {
  installExitHandlers();
  const entry: Live = { pgids: new Set(), dir };
  live.add(entry);
  const pgidFile = path.join(dir, 'pgids');
  let watchdogPid: number | undefined;
  // The watchdog kills the groups listed in the file: never itself.
  const persist = () => {
    try {
      writeFileSync(
        pgidFile,
        [...entry.pgids]
          .filter((p) => p !== watchdogPid)
          .map((p) => `${p}\n`)
          .join(''),
      );
    } catch {
      // dir already removed: nothing left to protect
    }
  };
  persist();
  const watchdog = spawn(
    'bash',
    [
      '-c',
      `p="$1"; d="$2"
while [ -d "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null; do sleep 1; done
if [ -f "$d/pgids" ]; then while read -r g; do [ -n "$g" ] && kill -KILL -- "-$g" 2>/dev/null; done < "$d/pgids"; fi
rm -rf "$d"`,
      `${label}-watchdog`,
      String(process.pid),
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  const watchdogExited = new Promise<void>((resolve) => {
    watchdog.once('exit', () => resolve());
    watchdog.once('error', () => resolve());
  });
  watchdog.unref();
  watchdogPid = watchdog.pid;
  if (watchdogPid !== undefined) entry.pgids.add(watchdogPid);

  return {
    add(pgid) {
      entry.pgids.add(pgid);
      persist();
    },
    remove(pgid) {
      if (entry.pgids.delete(pgid)) persist();
    },
    pgids: () => [...entry.pgids].filter((p) => p !== watchdogPid),
    async dispose() {
      if (watchdogPid !== undefined) {
        killGroup(watchdogPid, 'SIGKILL');
        await Promise.race([watchdogExited, new Promise((r) => setTimeout(r, 5_000))]);
      }
      entry.pgids.clear();
      live.delete(entry);
    },
  };
}
