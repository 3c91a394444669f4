/**
 * The kubelet's job for one pod on the test node: set up its IP and volumes,
 * run its init containers then its containers, restart them per
 * restartPolicy with back-off, and report everything through the pods/status
 * subresource; on deletion stop the processes within the grace period and
 * delete the pod for good.
 *
 * All decisions happen in reconcile(), serialised per pod and re-run on any
 * change (pod update, process exit, timer). Status writes are coalesced and
 * serialised separately: a write PUTs the whole status against the
 * resourceVersion last seen and, on 409, re-reads the pod and rebuilds the
 * status from it (conditions set by others, like PodScheduled, are kept).
 *
 * Images: the project's image runs `node bin/fluxora.mjs ARGS` on this host;
 * test images (`extraImages`) run what their factory returns; any other
 * image cannot run here and is reported as a kubelet reports an image it
 * cannot pull: waiting ErrImagePull, then ImagePullBackOff, retried with
 * back-off, pod Pending.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ContainerRunner, type LaunchPlan, type RunnerHost } from './container-runner.ts';
import { isConflict, isNotFound, isTransient, type KubeClient } from './kube-client.ts';
import { type Container, type DataObject, kubeTime, type Pod, type PodCondition, type PodStatus } from './kube-types.ts';
import { inMountNamespace, mountNamespaceSupport } from './mount-namespace.ts';
import { ContainerConfigError, expandVars, type ObjectSource, type PodRuntimeInfo, resolveContainerEnv } from './pod-env.ts';
import { allocatePodIp, releasePodIp } from './pod-ip-pool.ts';
import { type ContainerFs, prepareContainerFs, setUpVolumes, VolumeSetupError } from './pod-volumes.ts';
import type { GroupTracker } from './process-groups.ts';

/** IMAGE_CMD is the project image's CMD (Dockerfile): the args of a container that sets neither command nor args. */
export const IMAGE_CMD = ['--help'];
/** IMAGE_ENV is the project image's ENV. */
export const IMAGE_ENV: Record<string, string> = { NODE_ENV: 'production', HOME: '/tmp', FLUXORA_LOG_LEVEL: 'info' };

/**
 * ExtraImage turns a container of a test-only image into a host command.
 * `container.command`/`args` are already `$(VAR)`-expanded and path-mapped.
 * `env` is the image's environment (the container's env overrides it).
 */
export type ExtraImage = (
  container: { name: string; command?: string[]; args?: string[] },
  pod: Pod,
) => { command: string; args: string[]; env?: Record<string, string> };

/** ContainerCreateError is a container this node cannot create as specified (CreateContainerError, retried). */
export class ContainerCreateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerCreateError';
  }
}

/** PodWorkerTiming holds the agent's delays (milliseconds). */
export interface PodWorkerTiming {
  /** First restart back-off (kubelet: 10 s), doubled per restart up to maxRestartBackoffMs (5 min). */
  restartBackoffMs: number;
  maxRestartBackoffMs: number;
  /** Retry period of CreateContainerConfigError and volume set-up failures. */
  configRetryMs: number;
  /** Cap of the termination grace period (deletion, liveness kills). */
  maxGracePeriodMs: number;
}

/** PodWorkerDeps is what a pod worker shares with its agent. */
export interface PodWorkerDeps {
  client: KubeClient;
  nodeName: string;
  hostIP: string;
  /** The agent's temp dir: pods/<uid>, claims/. */
  agentDir: string;
  logDir: string;
  cwd: string;
  cli: string;
  isOurImage(image: string): boolean;
  extraImages: Record<string, ExtraImage>;
  /** PATH & co. from the host, under everything else. */
  hostEnv: Record<string, string>;
  /** StartNodeAgentOptions.env: above the image's env, below the container's. */
  extraEnv: Record<string, string>;
  /** KUBERNETES_SERVICE_HOST & co.: the API server's address, as the kubelet sets it in every container. */
  apiServerEnv: Record<string, string>;
  allocatable: Record<string, string>;
  tracker: GroupTracker;
  log: Logger;
  timing: PodWorkerTiming;
  stopping(): boolean;
  /** The worker is done and the pod gone from the API: forget it. */
  forget(uid: string): void;
}

type Phase = NonNullable<PodStatus['phase']>;
const TERMINAL: Phase[] = ['Succeeded', 'Failed'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function rvNumber(rv: string | undefined): number | undefined {
  return rv && /^\d+$/.test(rv) ? Number(rv) : undefined;
}

/** PodWorker runs one pod (by uid) on the test node. */
export class PodWorker {
  readonly uid: string;
  pod: Pod;
  private readonly deps: PodWorkerDeps;
  private readonly log: Logger;
  private readonly podDir: string;
  private readonly initRunners: ContainerRunner[];
  private readonly runners: ContainerRunner[];
  private ip: string | undefined;
  private startTime: string | undefined;
  private volumes: Map<string, string> | undefined;
  private readonly fs = new Map<string, ContainerFs>();
  /** The pod was terminal before this agent saw it: never touch its status. */
  private readonly adopted: boolean;
  private terminal = false;
  private terminating = false;
  private deleted = false;
  private sandboxDown = false;
  private finished = false;
  private removed = false;
  private queue: Promise<void> = Promise.resolve();
  private scheduled = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private lastWritten = '';

  constructor(pod: Pod, deps: PodWorkerDeps) {
    this.uid = pod.metadata.uid;
    this.pod = pod;
    this.deps = deps;
    this.log = deps.log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid: pod.metadata.uid });
    this.podDir = path.join(deps.agentDir, 'pods', pod.metadata.uid);
    this.adopted = TERMINAL.includes(pod.status?.phase as Phase);
    const previous = new Map([...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map((s) => [s.name, s.restartCount]));
    const make = (c: Container, init: boolean, waiting: string) => {
      const logFile = path.join(deps.logDir, `${pod.metadata.namespace}_${pod.metadata.name}_${c.name}.log`);
      const r = new ContainerRunner(c, init, logFile, this.runnerHost(), waiting);
      r.restartCount = previous.get(c.name) ?? 0;
      return r;
    };
    const hasInit = (pod.spec.initContainers ?? []).length > 0;
    this.initRunners = (pod.spec.initContainers ?? []).map((c) => make(c, true, 'PodInitializing'));
    this.runners = pod.spec.containers.map((c) => make(c, false, hasInit ? 'PodInitializing' : 'ContainerCreating'));
  }

  private runnerHost(): RunnerHost {
    return {
      changed: () => this.markDirty(),
      exited: () => this.kick(),
      track: (pgid) => this.deps.tracker.add(pgid),
      untrack: (pgid) => this.deps.tracker.remove(pgid),
      podIP: () => this.ip ?? '',
      active: () => !this.finished && !this.deps.stopping(),
      killGraceMs: () => this.graceMs(),
      log: this.log,
    };
  }

  /** processes lists the live processes of this pod. */
  processes(): { container: string; pid: number; logFile: string }[] {
    return [...this.initRunners, ...this.runners].flatMap((r) => (r.pid !== undefined ? [{ container: r.spec.name, pid: r.pid, logFile: r.logFile }] : []));
  }

  /** logSource is a container's log file and runs (first container when name is undefined). */
  logSource(name: string | undefined): { file: string; runs: readonly { start: number; end?: number }[] } | undefined {
    const all = [...this.runners, ...this.initRunners];
    const r = name === undefined ? this.runners[0] : all.find((x) => x.spec.name === name);
    return r ? { file: r.logFile, runs: r.runs } : undefined;
  }

  /** update takes a newer version of the pod (from the watch) and reconciles. */
  update(pod: Pod): void {
    this.accept(pod);
    this.kick();
  }

  /** gone says the pod no longer exists in the API (DELETED, or absent from a re-list). */
  gone(): void {
    this.removed = true;
    if (this.finished) this.deps.forget(this.uid);
    else this.kick();
  }

  private accept(pod: Pod): void {
    if (pod.metadata.uid !== this.uid) return;
    const mine = rvNumber(this.pod.metadata.resourceVersion);
    const theirs = rvNumber(pod.metadata.resourceVersion);
    if (mine !== undefined && theirs !== undefined && theirs < mine) return;
    this.pod = pod;
  }

  private kick(): void {
    if (this.scheduled || this.finished) return;
    this.scheduled = true;
    this.queue = this.queue.then(async () => {
      this.scheduled = false;
      if (this.deps.stopping()) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.log.error({ error: (err as Error).stack ?? String(err) }, 'Pod sync failed: retrying');
        this.wake(2_000);
      }
    });
  }

  private wake(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (at >= this.wakeAt && this.wakeTimer) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.kick();
    }, at - Date.now());
  }

  private graceMs(): number {
    const p = this.pod;
    const seconds = p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds ?? 30;
    return Math.min(Math.max(0, seconds) * 1000, this.deps.timing.maxGracePeriodMs);
  }

  // -------------------------------------------------------------------------
  // reconcile
  // -------------------------------------------------------------------------

  private async reconcile(): Promise<void> {
    if (this.finished) {
      if (this.removed) this.deps.forget(this.uid);
      return;
    }
    if (this.removed) {
      await this.teardown(false);
      return;
    }
    if (this.adopted) {
      if (this.pod.metadata.deletionTimestamp) await this.teardown(true);
      return;
    }
    if (this.pod.metadata.deletionTimestamp) {
      await this.teardown(true);
      return;
    }
    if (this.terminal) return;

    if (!this.ip) {
      // hostNetwork pods share the node's address, as on a real node.
      this.ip = this.pod.spec.hostNetwork ? this.deps.hostIP : allocatePodIp();
      this.startTime = kubeTime();
      await mkdir(this.podDir, { recursive: true, mode: 0o755 });
      this.log.info({ podIP: this.ip }, 'Pod sandbox ready');
      this.markDirty();
    }
    if (!this.volumes) {
      try {
        this.volumes = await setUpVolumes({
          pod: this.pod,
          podDir: this.podDir,
          claimsDir: path.join(this.deps.agentDir, 'claims'),
          source: this.objectSource(),
          info: this.info(),
          requestToken: (ns, sa, audience, expirationSeconds) => this.requestToken(ns, sa, audience, expirationSeconds),
          warn: (fields, msg) => this.log.warn(fields, msg),
        });
      } catch (err) {
        if (!(err instanceof VolumeSetupError) && !isTransient(err)) throw err;
        this.log.warn({ error: (err as Error).message }, 'Volume set-up failed: retrying');
        for (const r of [...this.initRunners, ...this.runners]) if (!r.ranOnce) r.setWaiting(r.state.waiting?.reason ?? 'ContainerCreating', (err as Error).message);
        if (err instanceof VolumeSetupError) this.event('Warning', 'FailedMount', err.message);
        this.wake(this.deps.timing.configRetryMs);
        return;
      }
    }

    for (const r of this.initRunners) {
      if (r.terminated?.exitCode === 0) continue;
      if (r.running) return;
      if (r.lastExit && r.exits > r.exitsHandled && this.restartPolicy() === 'Never') {
        r.exitsHandled = r.exits;
        this.finishIfTerminal();
        return;
      }
      await this.tryStart(r);
      return;
    }
    for (const r of this.runners) {
      if (r.running) continue;
      if (r.lastExit && !this.shouldRestart(r)) continue;
      await this.tryStart(r);
    }
    this.finishIfTerminal();
  }

  private restartPolicy(): 'Always' | 'OnFailure' | 'Never' {
    return this.pod.spec.restartPolicy ?? 'Always';
  }

  private shouldRestart(r: ContainerRunner): boolean {
    const exit = r.lastExit;
    if (!exit) return true;
    const policy = this.restartPolicy();
    return policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
  }

  private finishIfTerminal(): void {
    const phase = this.phase();
    if (!TERMINAL.includes(phase)) return;
    this.terminal = true;
    this.sandboxDown = true;
    this.log.info({ phase }, 'Pod finished');
    this.markDirty();
  }

  private backoffMessage(r: ContainerRunner): string {
    const p = this.pod.metadata;
    return `back-off ${Math.round(r.backoffMs / 1000)}s restarting failed container=${r.spec.name} pod=${p.name}_${p.namespace}(${p.uid})`;
  }

  private pullMessage(image: string): string {
    return `image "${image}" cannot run on the fluxora test node: only the project's image runs here`;
  }

  /** tryStart starts r unless it is backing off (restart, image pull, config), and schedules the next try. */
  private async tryStart(r: ContainerRunner): Promise<void> {
    const { timing } = this.deps;
    if (r.exits > r.exitsHandled) {
      // A new exit (or start failure): back off before the restart.
      r.exitsHandled = r.exits;
      if (r.runDurationMs() >= 2 * timing.maxRestartBackoffMs) r.backoffMs = 0;
      r.backoffMs = r.backoffMs ? Math.min(r.backoffMs * 2, timing.maxRestartBackoffMs) : timing.restartBackoffMs;
      r.nextAttemptAt = Date.now() + r.backoffMs;
      r.retryKind = 'restart';
    }
    const now = Date.now();
    const image = r.spec.image ?? '';
    if (now < r.nextAttemptAt) {
      if (r.retryKind === 'restart') {
        r.setWaiting('CrashLoopBackOff', this.backoffMessage(r));
        this.event('Warning', 'BackOff', `Back-off restarting failed container ${r.spec.name} in pod ${this.pod.metadata.name}`, true);
      }
      if (r.retryKind === 'pull' && r.state.waiting?.reason === 'ErrImagePull') {
        const flipAt = r.lastPullAt + 1_000;
        if (now >= flipAt) {
          r.setWaiting('ImagePullBackOff', `Back-off pulling image "${image}": ${this.pullMessage(image)}`);
          this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
        } else {
          this.wake(flipAt - now);
        }
      }
      this.wake(r.nextAttemptAt - now);
      return;
    }

    const ours = this.deps.isOurImage(image);
    const extra = ours ? undefined : this.deps.extraImages[image];
    if (!ours && !extra) {
      r.pullAttempts++;
      r.lastPullAt = now;
      r.retryKind = 'pull';
      const backoff = Math.min(timing.restartBackoffMs * 2 ** (r.pullAttempts - 1), timing.maxRestartBackoffMs);
      r.nextAttemptAt = now + backoff;
      r.setWaiting('ErrImagePull', this.pullMessage(image));
      this.event('Warning', 'Failed', `Failed to pull image "${image}": ${this.pullMessage(image)}`);
      if (r.pullAttempts === 1) this.log.warn({ container: r.spec.name, image }, 'Image cannot run on this node');
      this.wake(1_000);
      return;
    }
    if (r.spec.restartPolicy === 'Always' && r.isInit) {
      r.setWaiting('CreateContainerConfigError', 'sidecar init containers (restartPolicy: Always) are not supported on the fluxora test node');
      return;
    }

    let plan: LaunchPlan;
    try {
      plan = await this.plan(r, ours ? undefined : extra);
    } catch (err) {
      r.retryKind = 'config';
      r.nextAttemptAt = Date.now() + timing.configRetryMs;
      this.wake(timing.configRetryMs);
      if (err instanceof ContainerConfigError) {
        if (r.state.waiting?.message !== err.message) {
          this.log.warn({ container: r.spec.name, error: err.message }, 'Container config error');
          this.event('Warning', 'Failed', `Error: ${err.message}`);
        }
        r.setWaiting('CreateContainerConfigError', err.message);
        return;
      }
      if (err instanceof ContainerCreateError) {
        if (r.state.waiting?.message !== err.message) {
          this.log.warn({ container: r.spec.name, error: err.message }, 'Cannot create container');
          this.event('Warning', 'Failed', `Error: ${err.message}`);
        }
        r.setWaiting('CreateContainerError', err.message);
        return;
      }
      if (isTransient(err)) {
        this.log.warn({ container: r.spec.name, error: (err as Error).message }, 'Cannot resolve container config yet');
        return;
      }
      r.setWaiting('CreateContainerError', (err as Error).message);
      this.log.warn({ container: r.spec.name, error: (err as Error).message }, 'Cannot create container');
      return;
    }
    r.imageID = `fluxora-node-agent://${image}`;
    r.retryKind = undefined;
    const ok = await r.launch(plan, this.uid);
    if (ok) this.event('Normal', 'Started', `Started container ${r.spec.name}`);
    else {
      this.event('Warning', 'Failed', `Error: ${r.terminated?.message ?? 'failed to start'}`);
      // A start failure counts as an exit: re-run the decision (restart policy, back-off).
      this.kick();
    }
  }

  private objectSource(): ObjectSource {
    const get = async (kind: 'secrets' | 'configmaps', ns: string, name: string) => {
      try {
        return await this.deps.client.request<DataObject>('GET', `/api/v1/namespaces/${ns}/${kind}/${encodeURIComponent(name)}`);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    return { secret: (ns, name) => get('secrets', ns, name), configMap: (ns, name) => get('configmaps', ns, name) };
  }

  private info(): PodRuntimeInfo {
    return { podIP: this.ip ?? '', hostIP: this.deps.hostIP, allocatable: this.deps.allocatable };
  }

  private async requestToken(ns: string, sa: string, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const p = this.pod.metadata;
    const tr = await this.deps.client.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          ...(audience ? { audiences: [audience] } : {}),
          expirationSeconds: Math.max(600, expirationSeconds),
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: p.name, uid: p.uid },
        },
      },
    });
    return tr.status.token;
  }

  /** plan resolves a container into a host command (may throw ContainerConfigError). */
  private async plan(r: ContainerRunner, extra: ExtraImage | undefined): Promise<LaunchPlan> {
    const c = r.spec;
    const { cli, cwd } = this.deps;
    let fs = this.fs.get(c.name);
    if (!fs) {
      const imagePaths: Record<string, string> = extra ? {} : { '/app/bin/fluxora.mjs': cli, '/app': cwd };
      fs = await prepareContainerFs(c, this.podDir, this.volumes ?? new Map(), imagePaths);
      this.fs.set(c.name, fs);
    }
    const cenv = await resolveContainerEnv(this.pod, c, this.objectSource(), this.info());
    const map = fs.mapPath;
    const expand = (s: string) => map(expandVars(s, (n) => cenv[n]));
    const command = c.command?.map(expand);
    const args = c.args?.map(expand);

    const env: Record<string, string> = { ...this.deps.hostEnv, HOME: fs.tmpDir, TMPDIR: fs.tmpDir };
    let argv: string[];
    if (extra) {
      const made = extra({ name: c.name, command, args }, this.pod);
      Object.assign(env, made.env ?? {});
      argv = [made.command, ...made.args];
    } else {
      for (const [k, v] of Object.entries(IMAGE_ENV)) env[k] = map(v);
      argv = this.fluxoraArgv(command, args);
    }
    Object.assign(env, this.deps.extraEnv);
    // As the kubelet: the API server's in-cluster address first, the container's env may override it.
    Object.assign(env, this.deps.apiServerEnv);
    for (const [k, v] of Object.entries(cenv)) env[k] = map(v);
    env.HOSTNAME = this.pod.spec.hostname ?? this.pod.metadata.name;
    env.FLUXORA_LISTEN_HOST = this.ip ?? '';
    env.FLUXORA_TERMINATION_LOG = fs.terminationFile;
    if (fs.configMapDir) env.FLUXORA_CONFIGMAP_DIR = fs.configMapDir;
    const hostArgv = (cmd: string[]) => this.hostArgv(cmd.map(expand));
    let mountNamespace: LaunchPlan['mountNamespace'];
    if (fs.namespaceMounts.length > 0) {
      const support = await mountNamespaceSupport();
      if ('reason' in support) {
        const paths = fs.namespaceMounts.map((m) => m.mountPath).join(', ');
        throw new ContainerCreateError(`cannot mount ${paths} for container ${c.name} on the fluxora test node: ${support.reason}`);
      }
      argv = await inMountNamespace(argv, fs.namespaceMounts, path.join(this.podDir, 'containers', c.name), fs.terminationFile, support.unshareFlags);
      mountNamespace = { userNamespace: support.unshareFlags.includes('-r') };
    }
    return { argv, env, cwd: fs.workingDir ?? cwd, terminationFile: fs.terminationFile, hostArgv, mountNamespace };
  }

  /** hostArgv makes a mapped command runnable here: `node` is this Node binary. */
  private hostArgv(cmd: string[]): string[] {
    if (cmd.length === 0) return cmd;
    const [first, ...rest] = cmd;
    return [first === 'node' || first.endsWith('/node') ? process.execPath : first, ...rest];
  }

  /** fluxoraArgv applies the image's ENTRYPOINT/CMD rules: a command that is the entrypoint runs the CLI with args. */
  private fluxoraArgv(command: string[] | undefined, args: string[] | undefined): string[] {
    const entry = [process.execPath, '--disable-warning=ExperimentalWarning', this.deps.cli];
    if (!command) return [...entry, ...(args ?? IMAGE_CMD)];
    const last = command[command.length - 1];
    const isCli = last === this.deps.cli || last === 'fluxora' || last.endsWith('/bin/fluxora.mjs');
    const launcher = command.slice(0, -1);
    const isEntrypoint = isCli && (launcher.length === 0 || ((launcher[0] === 'node' || launcher[0].endsWith('/node')) && launcher.slice(1).every((a) => a.startsWith('-'))));
    if (isEntrypoint) return [...entry, ...(args ?? [])];
    return this.hostArgv([...command, ...(args ?? [])]);
  }

  // -------------------------------------------------------------------------
  // termination
  // -------------------------------------------------------------------------

  /**
   * teardown stops every process (preStop, SIGTERM, SIGKILL after the grace
   * period) and, when the pod still exists (finalDelete), reports the
   * terminal status and deletes it with grace period 0 and a uid
   * precondition, as the kubelet does.
   */
  private async teardown(finalDelete: boolean): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    clearTimeout(this.wakeTimer);
    const grace = this.removed ? Math.min(this.graceMs(), 2_000) : this.graceMs();
    const all = [...this.initRunners, ...this.runners];
    if (all.some((r) => r.running)) {
      this.log.info({ graceMs: grace }, 'Killing pod');
      this.event('Normal', 'Killing', `Stopping container ${all.filter((r) => r.running).map((r) => r.spec.name).join(', ')}`);
    }
    await Promise.all(all.map((r) => r.kill(grace)));
    if (finalDelete && !this.adopted) {
      if (!this.terminal) {
        for (const r of this.runners) {
          if (r.state.terminated) continue;
          r.setTerminated(
            r.lastExit ?? {
              exitCode: 137,
              reason: 'ContainerStatusUnknown',
              message: 'The container could not be located when the pod was terminated',
            },
          );
        }
        this.deleted = true;
        this.terminal = true;
      }
      this.sandboxDown = true;
      this.markDirty();
      await this.writing;
    }
    if (finalDelete) await this.deleteFinally();
    await this.cleanup();
    this.finished = true;
    this.log.info({}, finalDelete ? 'Pod deleted' : 'Pod removed');
    if (this.removed) this.deps.forget(this.uid);
  }

  private async deleteFinally(): Promise<void> {
    const { namespace, name } = this.pod.metadata;
    const pathname = `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}`;
    for (let attempt = 0; !this.deps.stopping(); attempt++) {
      try {
        await this.deps.client.request('DELETE', pathname, {
          body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
        });
        return;
      } catch (err) {
        if (isNotFound(err) || isConflict(err)) return;
        if (!isTransient(err) || attempt > 60) {
          this.log.error({ error: (err as Error).message }, 'Final pod delete failed');
          return;
        }
        await sleep(Math.min(250 * 2 ** attempt, 5_000));
      }
    }
  }

  private async cleanup(): Promise<void> {
    if (this.ip && this.ip !== this.deps.hostIP) releasePodIp(this.ip);
    await rm(this.podDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 }).catch(() => undefined);
  }

  /** shutdown kills every process at once (agent stop): SIGTERM, SIGKILL after graceMs. No API calls. */
  async shutdown(graceMs: number): Promise<void> {
    this.finished = true;
    clearTimeout(this.wakeTimer);
    const all = [...this.initRunners, ...this.runners].filter((r) => r.running);
    for (const r of all) r.killNow('SIGTERM');
    const done = Promise.all(all.map((r) => r.waitExit()));
    const inTime = await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)]);
    if (!inTime) {
      for (const r of all) r.killNow('SIGKILL');
      await Promise.race([done, sleep(5_000)]);
    }
    await this.cleanup();
  }

  // -------------------------------------------------------------------------
  // status
  // -------------------------------------------------------------------------

  /** phase computes the pod phase from the containers, as the kubelet's getPhase. */
  private phase(): Phase {
    if (this.deleted) return this.runners.every((r) => r.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    const policy = this.restartPolicy();
    for (const r of this.initRunners) {
      if (r.terminated?.exitCode === 0) continue;
      if (policy === 'Never' && r.terminated) return 'Failed';
      return 'Pending';
    }
    let waiting = 0;
    let running = 0;
    let stopped = 0;
    let succeeded = 0;
    for (const r of this.runners) {
      if (r.state.running) running++;
      else if (r.state.terminated) {
        stopped++;
        if (r.state.terminated.exitCode === 0) succeeded++;
      } else if (r.lastState.terminated) stopped++;
      else waiting++;
    }
    if (waiting > 0) return 'Pending';
    if (running > 0) return 'Running';
    if (stopped > 0) {
      if (policy === 'Always') return 'Running';
      if (policy === 'OnFailure') return succeeded === stopped ? 'Succeeded' : 'Running';
      return succeeded === stopped ? 'Succeeded' : 'Failed';
    }
    return 'Pending';
  }

  private buildStatus(): PodStatus {
    const prev = this.pod.status ?? {};
    const phase = this.phase();
    const terminal = TERMINAL.includes(phase);
    const initDone = this.initRunners.every((r) => r.terminated?.exitCode === 0);
    const unready = this.runners.filter((r) => !r.ready).map((r) => r.spec.name);
    const gates = (this.pod.spec.readinessGates ?? []).filter((g) => prev.conditions?.find((c) => c.type === g.conditionType)?.status !== 'True');
    const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => ({
      type,
      status: ok ? 'True' : 'False',
      ...(ok || !reason ? {} : { reason }),
      ...(ok || !message ? {} : { message }),
    });
    const notReady = terminal ? 'PodCompleted' : 'ContainersNotReady';
    const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
    const own: PodCondition[] = [
      cond('PodReadyToStartContainers', Boolean(this.ip) && !this.sandboxDown),
      cond('Initialized', initDone, 'ContainersNotInitialized', `containers with incomplete status: [${this.initRunners.filter((r) => r.terminated?.exitCode !== 0).map((r) => r.spec.name).join(' ')}]`),
      cond(
        'Ready',
        !terminal && unready.length === 0 && gates.length === 0,
        unready.length > 0 || terminal ? notReady : 'ReadinessGatesNotReady',
        unready.length > 0 || terminal ? notReadyMessage : `corresponding condition of pod readiness gate "${gates[0]?.conditionType}" does not exist.`,
      ),
      cond('ContainersReady', !terminal && unready.length === 0, notReady, notReadyMessage),
    ];
    const now = kubeTime();
    const ownTypes = new Set(own.map((c) => c.type));
    const conditions: PodCondition[] = [];
    for (const c of prev.conditions ?? []) {
      if (!ownTypes.has(c.type)) {
        conditions.push(c);
        continue;
      }
      const mine = own.find((o) => o.type === c.type) as PodCondition;
      ownTypes.delete(c.type);
      conditions.push({ ...mine, lastProbeTime: null, lastTransitionTime: c.status === mine.status && c.lastTransitionTime ? c.lastTransitionTime : now });
    }
    for (const o of own) if (ownTypes.has(o.type)) conditions.push({ ...o, lastProbeTime: null, lastTransitionTime: now });
    const generation = (this.pod.metadata as { generation?: number }).generation;
    const status: PodStatus = {
      ...prev,
      phase,
      conditions,
      hostIP: this.deps.hostIP,
      hostIPs: [{ ip: this.deps.hostIP }],
      ...(this.ip ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {}),
      ...(this.startTime ? { startTime: prev.startTime ?? this.startTime } : {}),
      containerStatuses: this.runners.map((r) => r.status()),
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    if (this.initRunners.length > 0) status.initContainerStatuses = this.initRunners.map((r) => r.status());
    return status;
  }

  private markDirty(): void {
    if (this.adopted) return;
    this.dirty = true;
    if (!this.writing) this.writing = this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty && !this.deps.stopping() && !this.removed) {
        this.dirty = false;
        await this.writeStatus();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeStatus(): Promise<void> {
    const { namespace, name } = this.pod.metadata;
    const pathname = `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}/status`;
    let transient = 0;
    for (let conflicts = 0; conflicts < 50 && !this.deps.stopping() && !this.removed; ) {
      const status = this.buildStatus();
      const json = JSON.stringify(status);
      if (json === this.lastWritten) return;
      try {
        const updated = await this.deps.client.request<Pod>('PUT', pathname, {
          body: { apiVersion: 'v1', kind: 'Pod', metadata: this.pod.metadata, spec: this.pod.spec, status },
        });
        this.lastWritten = JSON.stringify(status);
        this.accept(updated);
        this.log.debug({ phase: status.phase }, 'Pod status written');
        return;
      } catch (err) {
        if (isConflict(err)) {
          conflicts++;
          try {
            const fresh = await this.deps.client.request<Pod>('GET', `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}`);
            if (fresh.metadata.uid !== this.uid) {
              this.gone();
              return;
            }
            this.pod = fresh;
          } catch (getErr) {
            if (isNotFound(getErr)) {
              this.gone();
              return;
            }
            await sleep(500);
          }
          continue;
        }
        if (isNotFound(err)) {
          this.gone();
          return;
        }
        if (isTransient(err)) {
          transient++;
          if (transient === 1 || transient % 10 === 0) this.log.warn({ error: (err as Error).message, attempt: transient }, 'Pod status write failed: retrying');
          await sleep(Math.min(250 * 2 ** Math.min(transient, 5), 5_000));
          continue;
        }
        this.log.error({ error: (err as Error).message, status }, 'Pod status rejected');
        this.lastWritten = json;
        return;
      }
    }
  }

  private readonly eventCounts = new Map<string, { name: string; count: number; first: string }>();

  /** event records a core/v1 Event on the pod as the kubelet would (best effort; repeats are counted). */
  private event(type: 'Normal' | 'Warning', reason: string, message: string, quiet = false): void {
    const key = `${type}/${reason}/${message}`;
    const seen = this.eventCounts.get(key);
    if (seen && quiet && seen.count > 0 && Date.now() - Date.parse(seen.first) < 5_000) return;
    const now = kubeTime();
    const entry = seen ?? { name: `${this.pod.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, count: 0, first: now };
    entry.count++;
    this.eventCounts.set(key, entry);
    const ns = this.pod.metadata.namespace ?? 'default';
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: entry.name, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: this.pod.metadata.name, namespace: ns, uid: this.uid, resourceVersion: this.pod.metadata.resourceVersion },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: 'fluxora-node-agent', host: this.deps.nodeName },
      reportingComponent: 'fluxora-node-agent',
      reportingInstance: this.deps.nodeName,
      firstTimestamp: entry.first,
      lastTimestamp: now,
      count: entry.count,
    };
    const request =
      entry.count === 1
        ? this.deps.client.request('POST', `/api/v1/namespaces/${ns}/events`, { body })
        : this.deps.client.request('PATCH', `/api/v1/namespaces/${ns}/events/${entry.name}`, {
            body: { count: entry.count, lastTimestamp: now },
            contentType: 'application/merge-patch+json',
          });
    request.catch(() => undefined);
  }
}
