/**
 * One container of a pod on the test node: a host process (its own process
 * group, output appended to a log file), its probes, its preStop hook and its
 * state as the kubelet reports it (waiting / running / terminated, lastState,
 * restartCount, ready, started). The pod worker decides when to start and
 * restart it; the runner only runs it and reports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { appendFile, open, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Logger } from 'pino';
import { type Container, type ContainerState, type ContainerStateTerminated, type ContainerStatus, kubeTime, type Probe } from './kube-types.ts';
import { inContainerMounts, START_FAILURE } from './mount-namespace.ts';
import { httpGetOnce, type ProbeTarget, runProbe } from './probe.ts';
import { killGroup, waitGroupGone } from './process-groups.ts';

/** TERMINATION_MESSAGE_LIMIT is the most bytes the kubelet keeps of a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;
/** FALLBACK_LOG_BYTES bounds the log tail used by FallbackToLogsOnError (bytes). */
export const FALLBACK_LOG_BYTES = 2048;
/** FALLBACK_LOG_LINES bounds the log tail used by FallbackToLogsOnError (lines). */
export const FALLBACK_LOG_LINES = 80;

/** LaunchPlan is a resolved container: what to exec, where, with which environment. */
export interface LaunchPlan {
  /** [executable, ...arguments] */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The file standing for terminationMessagePath (truncated at each start). */
  terminationFile: string;
  /** Turns an exec probe/hook command into a host argv (same substitutions as argv). */
  hostArgv(command: string[]): string[];
  /** The process runs in its own mount namespace (mount-namespace.ts), in a user namespace too with `unshare -r`: exec probes and hooks enter them. */
  mountNamespace?: { userNamespace: boolean };
}

/** RunnerHost is what a runner needs from its pod worker. */
export interface RunnerHost {
  /** Something status-relevant changed (state, ready, started). */
  changed(): void;
  /** The process exited and the state is terminated now. */
  exited(runner: ContainerRunner): void;
  track(pgid: number): void;
  untrack(pgid: number): void;
  podIP(): string;
  /** False once the agent or the pod is shutting down: a process spawned then is killed at once. */
  active(): boolean;
  /** Grace period for a probe-triggered kill (the pod's terminationGracePeriodSeconds, capped). */
  killGraceMs(): number;
  log: Logger;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function signalNumber(signal: NodeJS.Signals | null): number {
  if (!signal) return 0;
  return (os.constants.signals as Record<string, number>)[signal] ?? 0;
}

/** runHostCommand runs argv to completion (exec probes and hooks) and resolves to its exit code. */
export function runHostCommand(argv: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
}

async function readTail(file: string, offset: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(offset, size - FALLBACK_LOG_BYTES);
    const buf = Buffer.alloc(Math.max(0, size - start));
    await fh.read(buf, 0, buf.length, start);
    return buf.toString('utf8').split('\n').slice(-FALLBACK_LOG_LINES - 1).join('\n');
  } finally {
    await fh.close();
  }
}

/** ContainerRunner runs and reports one container. */
export class ContainerRunner {
  readonly spec: Container;
  readonly isInit: boolean;
  readonly logFile: string;
  state: ContainerState;
  lastState: ContainerState = {};
  restartCount = 0;
  ready = false;
  started = false;
  /** Set when the image is ours (or a test image): the status then carries an imageID. */
  imageID = '';
  containerID: string | undefined;
  pid: number | undefined;
  /** Has a process of this container ever been started (or tried to)? */
  ranOnce = false;
  /** Retry bookkeeping of the pod worker (restart, image pull and config backoff). */
  nextAttemptAt = 0;
  backoffMs = 0;
  /** Why nextAttemptAt is in the future. */
  retryKind: 'restart' | 'pull' | 'config' | undefined;
  pullAttempts = 0;
  lastPullAt = 0;
  /** Exits so far (process exits and start failures); the worker compares it with exitsHandled. */
  exits = 0;
  exitsHandled = 0;
  /** Byte ranges of logFile written by each process run (end unset while it runs); for `kubectl logs [--previous]`. */
  readonly runs: { start: number; end?: number }[] = [];
  private readonly host: RunnerHost;
  private exitPromise: Promise<void> = Promise.resolve();
  private probeAbort: AbortController | undefined;
  private startedAtMs = 0;
  private startedAtIso = '';
  private killing = false;
  private currentPlan: LaunchPlan | undefined;

  constructor(spec: Container, isInit: boolean, logFile: string, host: RunnerHost, waitingReason: string) {
    this.spec = spec;
    this.isInit = isInit;
    this.logFile = logFile;
    this.host = host;
    this.state = { waiting: { reason: waitingReason } };
  }

  /** running tells whether a process of this container is alive. */
  get running(): boolean {
    return this.state.running !== undefined;
  }

  /** terminated is the last exit, while the container is in that state. */
  get terminated(): ContainerStateTerminated | undefined {
    return this.state.terminated;
  }

  /** lastExit is the most recent exit (current state or, while waiting to restart, lastState). */
  get lastExit(): ContainerStateTerminated | undefined {
    return this.state.terminated ?? this.lastState.terminated;
  }

  /** runDurationMs is how long the last process ran (0 when unknown). */
  runDurationMs(): number {
    const t = this.lastExit;
    if (!t?.startedAt || !t.finishedAt) return 0;
    return Date.parse(t.finishedAt) - Date.parse(t.startedAt);
  }

  /** setWaiting puts the container in state waiting (reason, message), keeping an exit as lastState. */
  setWaiting(reason: string, message?: string): void {
    const w = this.state.waiting;
    if (w && w.reason === reason && w.message === message) return;
    if (this.state.terminated) this.lastState = { terminated: this.state.terminated };
    this.state = { waiting: message ? { reason, message } : { reason } };
    this.ready = false;
    this.started = false;
    this.host.changed();
  }

  /** setTerminated records a final state without a process (start failure, or deleted before it ran). */
  setTerminated(t: ContainerStateTerminated): void {
    this.state = { terminated: t };
    this.exits++;
    this.ready = false;
    this.started = false;
    this.host.changed();
  }

  /**
   * launch starts the process. Resolves true once it runs, false when it
   * could not be started (the state is then terminated with reason
   * StartError and exit code 128, as containerd reports it).
   */
  async launch(plan: LaunchPlan, podUid: string): Promise<boolean> {
    if (this.ranOnce) this.restartCount++;
    if (this.state.terminated) this.lastState = { terminated: this.state.terminated };
    this.ranOnce = true;
    this.killing = false;
    this.currentPlan = plan;
    await writeFile(plan.terminationFile, '');
    await appendFile(this.logFile, `===== ${new Date().toISOString()} starting container ${this.spec.name} (restart ${this.restartCount}): ${plan.argv.join(' ')}\n`);
    const offset = (await stat(this.logFile)).size;
    const run: { start: number; end?: number } = { start: offset };
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(plan.argv[0], plan.argv.slice(1), { cwd: plan.cwd, env: plan.env, detached: true, stdio: ['ignore', fd, fd] });
    } catch (err) {
      closeSync(fd);
      this.startFailed(err as Error, plan);
      return false;
    }
    closeSync(fd);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    if (spawned || child.pid === undefined) {
      this.startFailed(spawned ?? new Error('no pid'), plan);
      return false;
    }
    const pid = child.pid;
    child.unref();
    this.runs.push(run);
    if (!this.host.active()) {
      // The agent began stopping while this was spawning: nobody else would kill it.
      killGroup(pid, 'SIGKILL');
    }
    this.pid = pid;
    this.host.track(pid);
    this.startedAtMs = Date.now();
    this.startedAtIso = kubeTime();
    this.containerID = `fluxora://${podUid}/${this.spec.name}/${this.restartCount}/${pid}`;
    this.state = { running: { startedAt: this.startedAtIso } };
    this.ready = false;
    this.started = !this.spec.startupProbe;
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        void this.onExit(code, signal, plan, run).finally(resolve);
      });
    });
    this.host.log.info({ container: this.spec.name, pid, argv: plan.argv, restartCount: this.restartCount }, 'Started container');
    this.host.changed();
    if (!this.isInit) this.startProbes(plan);
    return true;
  }

  private startFailed(err: Error, plan: LaunchPlan): void {
    const now = kubeTime();
    this.host.log.warn({ container: this.spec.name, argv: plan.argv, cwd: plan.cwd, error: err.message }, 'Container failed to start');
    this.setTerminated({
      exitCode: 128,
      reason: 'StartError',
      message: `failed to start ${JSON.stringify(plan.argv[0])} in ${plan.cwd}: ${err.message}`.slice(0, TERMINATION_MESSAGE_LIMIT),
      startedAt: now,
      finishedAt: now,
    });
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null, plan: LaunchPlan, run: { start: number; end?: number }): Promise<void> {
    const pid = this.pid;
    const finishedAt = kubeTime();
    run.end = await stat(this.logFile).then(
      (s) => s.size,
      () => run.start,
    );
    // The container is gone once its main process is: kill what it left behind,
    // and wait for it (a mount helper killed mid-way exits a moment later).
    if (pid !== undefined) {
      killGroup(pid, 'SIGKILL');
      if (!(await waitGroupGone(pid, 2_000))) this.host.log.warn({ container: this.spec.name, pid }, 'Process group still alive after SIGKILL');
      this.host.untrack(pid);
    }
    this.stopProbes();
    const exitCode = code ?? 128 + signalNumber(signal);
    let message = '';
    try {
      message = (await readFile(plan.terminationFile)).subarray(0, TERMINATION_MESSAGE_LIMIT).toString('utf8');
    } catch {
      // no file: no message
    }
    if (!message && exitCode !== 0 && this.spec.terminationMessagePolicy === 'FallbackToLogsOnError') {
      message = await readTail(this.logFile, run.start).catch(() => '');
    }
    const terminated: ContainerStateTerminated = {
      exitCode,
      // A mount set-up or exec that failed in the namespace wrapper is the runtime's failure, as containerd reports it.
      reason: exitCode === 0 ? 'Completed' : exitCode === 128 && message.startsWith(START_FAILURE) ? 'StartError' : 'Error',
      startedAt: this.startedAtIso,
      finishedAt,
      containerID: this.containerID,
    };
    if (signal) terminated.signal = signalNumber(signal);
    if (message) terminated.message = message;
    this.state = { terminated };
    this.exits++;
    this.pid = undefined;
    this.ready = false;
    this.started = false;
    this.host.log.info({ container: this.spec.name, pid, exitCode, signal, ranMs: Date.now() - this.startedAtMs }, 'Container exited');
    this.host.changed();
    this.host.exited(this);
  }

  /** waitExit resolves when the current process (if any) has exited and the state is terminated. */
  waitExit(): Promise<void> {
    return this.exitPromise;
  }

  /**
   * kill stops the container as the kubelet does: preStop hook (when
   * runPreStop), SIGTERM to the process group, SIGKILL once graceMs is over.
   */
  async kill(graceMs: number, runPreStop = true): Promise<void> {
    const pid = this.pid;
    if (!this.running || pid === undefined) return this.exitPromise;
    const alreadyKilling = this.killing;
    this.killing = true;
    this.stopProbes();
    if (this.ready) {
      this.ready = false;
      this.host.changed();
    }
    if (alreadyKilling) return this.exitPromise;
    const deadline = Date.now() + graceMs;
    const preStop = this.spec.lifecycle?.preStop;
    if (runPreStop && preStop && graceMs > 0) {
      await Promise.race([this.runPreStop(deadline), this.exitPromise]);
    }
    this.host.log.info({ container: this.spec.name, pid, graceMs }, 'Stopping container');
    killGroup(pid, 'SIGTERM');
    // Like the kubelet: at least 2 s after a preStop hook used up the grace period.
    const remaining = Math.max(deadline - Date.now(), preStop && runPreStop && graceMs > 0 ? 2_000 : 0);
    const exited = await Promise.race([this.exitPromise.then(() => true), sleep(remaining).then(() => false)]);
    if (!exited) {
      this.host.log.warn({ container: this.spec.name, pid }, 'Grace period over: killing container');
      killGroup(pid, 'SIGKILL');
      await this.exitPromise;
    }
  }

  /** killNow SIGKILLs the process group at once (agent shutdown). */
  killNow(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.stopProbes();
    if (this.pid !== undefined) killGroup(this.pid, signal);
  }

  private async runPreStop(deadline: number): Promise<void> {
    const hook = this.spec.lifecycle?.preStop;
    const plan = this.currentPlan;
    if (!hook || !plan) return;
    const left = () => Math.max(0, deadline - Date.now());
    try {
      if (hook.sleep) await sleep(Math.min(hook.sleep.seconds * 1000, left()));
      else if (hook.httpGet) await httpGetOnce(hook.httpGet, this.probeTarget(plan), left());
      else if (hook.exec?.command?.length) await runHostCommand(this.execArgv(plan, hook.exec.command), plan.env, plan.cwd, left());
    } catch (err) {
      this.host.log.warn({ container: this.spec.name, error: (err as Error).message }, 'PreStop hook failed');
    }
  }

  private probeTarget(plan: LaunchPlan): ProbeTarget {
    return {
      container: this.spec,
      podIP: this.host.podIP(),
      exec: (command, timeoutMs) => runHostCommand(this.execArgv(plan, command), plan.env, plan.cwd, timeoutMs),
    };
  }

  /** execArgv is an exec probe's or hook's command as a host argv, inside the container's mount namespace when it has one. */
  private execArgv(plan: LaunchPlan, command: string[]): string[] {
    const argv = plan.hostArgv(command);
    return plan.mountNamespace && this.pid !== undefined ? inContainerMounts(this.pid, argv, plan.mountNamespace.userNamespace) : argv;
  }

  private stopProbes(): void {
    this.probeAbort?.abort();
    this.probeAbort = undefined;
  }

  private startProbes(plan: LaunchPlan): void {
    const abort = new AbortController();
    this.probeAbort = abort;
    const target = this.probeTarget(plan);
    const { readinessProbe, livenessProbe, startupProbe } = this.spec;
    const since = this.startedAtMs;

    const loop = async (probe: Probe, kind: string, onResult: (ok: boolean, message: string | undefined) => boolean) => {
      const successThreshold = probe.successThreshold ?? 1;
      const failureThreshold = probe.failureThreshold ?? 3;
      const period = (probe.periodSeconds ?? 10) * 1000;
      await sleep(Math.max(0, since + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now()), abort.signal);
      let successes = 0;
      let failures = 0;
      while (!abort.signal.aborted) {
        const r = await runProbe(probe, target);
        if (abort.signal.aborted) return;
        if (r.ok) {
          successes++;
          failures = 0;
        } else {
          failures++;
          successes = 0;
          this.host.log.debug({ container: this.spec.name, probe: kind, message: r.message }, 'Probe failed');
        }
        const passed = successes >= successThreshold ? true : failures >= failureThreshold ? false : undefined;
        if (passed !== undefined && onResult(passed, r.message)) return;
        await sleep(period, abort.signal);
      }
    };

    const afterStart = () => {
      if (!readinessProbe) {
        this.ready = true;
        this.host.changed();
      } else {
        void loop(readinessProbe, 'readiness', (ok) => {
          if (ok !== this.ready) {
            this.ready = ok;
            this.host.log.info({ container: this.spec.name, ready: ok }, 'Readiness changed');
            this.host.changed();
          }
          return false;
        });
      }
      if (livenessProbe) {
        void loop(livenessProbe, 'liveness', (ok, message) => {
          if (ok) return false;
          this.host.log.warn({ container: this.spec.name, message }, 'Liveness probe failed: restarting container');
          void this.kill(this.host.killGraceMs());
          return true;
        });
      }
    };

    if (!startupProbe) {
      afterStart();
      return;
    }
    void loop(startupProbe, 'startup', (ok, message) => {
      if (ok) {
        this.started = true;
        this.host.changed();
        afterStart();
      } else {
        this.host.log.warn({ container: this.spec.name, message }, 'Startup probe failed: restarting container');
        void this.kill(this.host.killGraceMs());
      }
      return true;
    });
  }

  /** status is the container's entry in containerStatuses / initContainerStatuses. */
  status(): ContainerStatus {
    const s: ContainerStatus = {
      name: this.spec.name,
      image: this.spec.image ?? '',
      imageID: this.imageID,
      ready: this.ready,
      started: this.started,
      restartCount: this.restartCount,
      state: this.state,
      lastState: this.lastState,
    };
    if (this.containerID && !this.state.waiting) s.containerID = this.containerID;
    return s;
  }
}
