/**
 * A test node agent: the stand-in for kubelet + container runtime on a
 * machine that has neither. It registers a Node with the control plane of
 * control-plane.ts, keeps it Ready (Lease + status heartbeat), and runs the
 * pods the scheduler binds to it as host processes:
 *
 * - a container of the project's image (`image` option) runs
 *   `node bin/fluxora.mjs ARGS` (the image's ENTRYPOINT with the container's
 *   args, or its CMD `--help`; a `command` other than the entrypoint runs as
 *   a host command, `node` being this Node binary);
 * - a container of a test-only image (`extraImages`) runs whatever its
 *   factory returns;
 * - a container of any other image does not run: it waits with reason
 *   ErrImagePull, then ImagePullBackOff, message `image "X" cannot run on the
 *   fluxora test node: only the project's image runs here`, retried with
 *   back-off, and the pod stays Pending (as for an image that cannot be
 *   pulled; a Failed pod would trigger controllers' replacement logic instead).
 *
 * Each pod gets its own loopback IP (127.0.X.Y, in FLUXORA_LISTEN_HOST and
 * status.podIP), volumes as local directories with container paths rewritten
 * in env and args (see pod-volumes.ts), in-cluster API access as the kubelet
 * gives it (KUBERNETES_SERVICE_HOST/PORT naming the API server, the
 * service-account token bound at /var/run/secrets/kubernetes.io/serviceaccount
 * in a private mount namespace: mount-namespace.ts), FLUXORA_TERMINATION_LOG pointing at a
 * per-container termination-message file, readiness/liveness/startup
 * probes, restarts with back-off, and a kubelet-like status through the
 * pods/status subresource. Deleted pods get preStop, SIGTERM, SIGKILL after
 * the grace period (capped at 30 s), then the final delete (grace 0, uid
 * precondition), so nothing stays Terminating. See pod-worker.ts. The
 * agent also serves container logs the kubelet way, so `kubectl logs` works
 * (kubelet-server.ts).
 *
 * The pod watch (field selector spec.nodeName) re-lists and re-watches with
 * back-off when the API server restarts; pods are tracked by uid, so a
 * re-list never starts a second process. Processes run in their own process
 * groups; stop(), process exit/signal handlers and a watchdog (for SIGKILL)
 * kill them all.
 *
 * What it does not do: isolation beyond that mount namespace (processes run as the test's user, with
 * the host's filesystem and network; securityContext, resources and
 * readOnly mounts are ignored), images other than the project's, postStart
 * hooks, native sidecars, Services' endpoints (EndpointSlices reject
 * loopback addresses), `kubectl exec/attach/port-forward`.
 */
import { access, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Logger, pino } from 'pino';
import { isNotFound, KubeApiError, type KubeClient, kubeClientFromKubeconfig } from './kube-client.ts';
import type { KubeList, Pod } from './kube-types.ts';
import { apiServerEnv } from './pod-env.ts';
import { type KubeletServer, startKubeletServer } from './kubelet-server.ts';
import { type NodeRegistration, registerNode } from './node-registration.ts';
import { type ExtraImage, PodWorker, type PodWorkerDeps } from './pod-worker.ts';
import { type GroupTracker, killGroup, trackProcessGroups } from './process-groups.ts';

/** ExtraImage (re-exported from pod-worker.ts) runs a container of a test-only image. */
export type { ExtraImage } from './pod-worker.ts';

/** StartNodeAgentOptions configure startNodeAgent. */
export interface StartNodeAgentOptions {
  kubeconfigPath: string;
  /** Default `fluxora-node`. */
  nodeName?: string;
  /** Which images are the project's: an exact image reference or a predicate. */
  image: string | ((image: string) => boolean);
  /** Test-only images, by exact reference: how to run a container of each on this host. */
  extraImages?: Record<string, ExtraImage>;
  /** Path of bin/fluxora.mjs. */
  cli: string;
  /** Working directory of the processes (the image's /app: the checkout). */
  cwd: string;
  /** Extra environment of every process: above the image's env, below the container's own env. */
  env?: Record<string, string>;
  /** Agent log and per-container logs. Default $FLUXORA_E2E_LOG_DIR, else <tmpDir>/logs (removed by stop()). */
  logDir?: string;
  /** Extra Node labels. */
  labels?: Record<string, string>;
  /** Node capacity (= allocatable). Default cpu 8, memory 32Gi, pods 110, ephemeral-storage 100Gi. */
  capacity?: Record<string, string>;
  /** First restart back-off; default 10 000 (doubles up to maxRestartBackoffMs, default 300 000). */
  restartBackoffMs?: number;
  maxRestartBackoffMs?: number;
  /** Retry period of CreateContainerConfigError / missing volume sources; default 2 000. */
  configRetryMs?: number;
  /** Cap of termination grace periods; default 30. */
  maxGracePeriodSeconds?: number;
  /** Lease renewal and node status period; default 10 000. */
  heartbeatMs?: number;
}

/** NodeAgentProcess is one live container process. */
export interface NodeAgentProcess {
  /** namespace/name */
  pod: string;
  uid: string;
  container: string;
  pid: number;
  logFile: string;
}

/** StopNodeAgentOptions say what stop() cleans up in the API besides the processes. */
export interface StopNodeAgentOptions {
  /** Force-delete (grace 0, uid precondition) every pod bound to the node. Default false. */
  deletePods?: boolean;
  /**
   * Delete the Node. Default true: its pods then are orphans the pod GC
   * force-deletes (about a minute later), so nothing deleted meanwhile
   * hangs in Terminating.
   */
  deleteNode?: boolean;
}

/** NodeAgent is a running test node agent. */
export interface NodeAgent {
  nodeName: string;
  logDir: string;
  tmpDir: string;
  /** The live container processes. */
  processes(): NodeAgentProcess[];
  /** Path of the output log of a pod's container (first container when omitted; the file may not exist yet). */
  logFile(namespace: string, pod: string, container?: string): string;
  /** Kills every process (SIGTERM, SIGKILL after 3 s), then optionally deletes pods and the Node. Idempotent. */
  stop(opts?: StopNodeAgentOptions): Promise<void>;
}

class WatchExpired extends Error {}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

const STOP_GRACE_MS = 3_000;

/** startNodeAgent registers the Node and starts running its pods; resolves once the Node is Ready and pods are listed. */
export async function startNodeAgent(opts: StartNodeAgentOptions): Promise<NodeAgent> {
  const nodeName = opts.nodeName ?? 'fluxora-node';
  await access(opts.cli).catch(() => {
    throw new Error(`node agent: cli ${opts.cli} not found`);
  });
  await access(opts.cwd).catch(() => {
    throw new Error(`node agent: cwd ${opts.cwd} not found`);
  });
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'fluxora-node-agent-'));
  // Pod directories must be reachable by other users (embedded PostgreSQL drops root).
  await chmod(tmpDir, 0o755);
  const tracker: GroupTracker = trackProcessGroups(tmpDir, 'fluxora-node-agent');
  const logDir = opts.logDir ?? process.env.FLUXORA_E2E_LOG_DIR ?? path.join(tmpDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const agentLog = path.join(logDir, `node-agent-${nodeName}.log`);
  const destination = pino.destination({ dest: agentLog, sync: true, mkdir: true });
  const log: Logger = pino({ name: 'fluxora.node-agent', level: process.env.FLUXORA_LOG_LEVEL ?? 'info', base: { node: nodeName } }, destination);

  let client: KubeClient | undefined;
  let registration: NodeRegistration | undefined;
  let kubelet: KubeletServer | undefined;
  let stopping = false;
  const abort = new AbortController();
  const workers = new Map<string, PodWorker>();
  let loopDone: Promise<void> = Promise.resolve();

  const hostEnv: Record<string, string> = {};
  for (const k of ['PATH', 'LANG', 'LC_ALL', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) hostEnv[k] = v;
  }
  hostEnv.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  const capacity = opts.capacity ?? { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  const matcher = typeof opts.image === 'string' ? (i: string) => i === opts.image : opts.image;

  const stopAll = async (stopOpts: StopNodeAgentOptions = {}) => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    log.info({ deletePods: Boolean(stopOpts.deletePods), deleteNode: stopOpts.deleteNode !== false }, 'Node agent stopping');
    await loopDone.catch(() => undefined);
    await Promise.all([...workers.values()].map((w) => w.shutdown(STOP_GRACE_MS).catch(() => undefined)));
    if (client && stopOpts.deletePods) {
      try {
        const list = await client.request<KubeList<Pod>>('GET', '/api/v1/pods', { query: { fieldSelector: `spec.nodeName=${nodeName}` }, timeoutMs: 5_000 });
        await Promise.all(
          list.items.map((p) =>
            client
              ?.request('DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${encodeURIComponent(p.metadata.name)}`, {
                body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } },
                timeoutMs: 5_000,
              })
              .catch((err) => {
                if (!isNotFound(err)) log.warn({ pod: `${p.metadata.namespace}/${p.metadata.name}`, error: (err as Error).message }, 'Pod delete failed');
              }),
          ),
        );
      } catch (err) {
        log.warn({ error: (err as Error).message }, 'Cannot list pods to delete');
      }
    }
    await registration?.stop({ deleteNode: stopOpts.deleteNode !== false }).catch(() => undefined);
    await kubelet?.close();
    workers.clear();
    client?.close();
    // Leftovers (grandchildren of killed processes have their own groups only if they made them).
    for (const pgid of tracker.pgids()) killGroup(pgid, 'SIGKILL');
    await tracker.dispose();
    log.info({}, 'Node agent stopped');
    destination.flushSync();
    await rm(tmpDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };

  try {
    client = await kubeClientFromKubeconfig(opts.kubeconfigPath);
    const kube = client;
    kubelet = await startKubeletServer({
      dir: tmpDir,
      nodeName,
      log,
      logs: (namespace, pod, container) => {
        // The newest pod of that name (a StatefulSet may have recreated it).
        const w = [...workers.values()].filter((x) => x.pod.metadata.namespace === namespace && x.pod.metadata.name === pod).pop();
        return w?.logSource(container);
      },
    });
    registration = await registerNode(kube, {
      nodeName,
      hostIP: '127.0.0.1',
      capacity,
      labels: {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'fluxora.io/test-node': 'true',
        ...opts.labels,
      },
      heartbeatMs: opts.heartbeatMs ?? 10_000,
      kubeletPort: kubelet.port,
      log,
    });

    const deps: PodWorkerDeps = {
      client: kube,
      nodeName,
      hostIP: '127.0.0.1',
      agentDir: tmpDir,
      logDir,
      cwd: path.resolve(opts.cwd),
      cli: path.resolve(opts.cli),
      isOurImage: matcher,
      extraImages: opts.extraImages ?? {},
      hostEnv,
      extraEnv: opts.env ?? {},
      apiServerEnv: apiServerEnv(kube.server),
      allocatable: capacity,
      tracker,
      log,
      timing: {
        restartBackoffMs: opts.restartBackoffMs ?? 10_000,
        maxRestartBackoffMs: opts.maxRestartBackoffMs ?? 300_000,
        configRetryMs: opts.configRetryMs ?? 2_000,
        maxGracePeriodMs: (opts.maxGracePeriodSeconds ?? 30) * 1000,
      },
      stopping: () => stopping,
      forget: (uid) => workers.delete(uid),
    };

    const onPod = (pod: Pod) => {
      if (stopping) return;
      let w = workers.get(pod.metadata.uid);
      if (!w) {
        if (pod.spec.nodeName !== nodeName) return;
        w = new PodWorker(pod, deps);
        workers.set(pod.metadata.uid, w);
        log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, uid: pod.metadata.uid, phase: pod.status?.phase }, 'Pod bound to node');
      }
      w.update(pod);
    };
    const syncAll = (pods: Pod[]) => {
      const seen = new Set(pods.map((p) => p.metadata.uid));
      for (const p of pods) onPod(p);
      for (const [uid, w] of workers) if (!seen.has(uid)) w.gone();
    };

    const fieldSelector = `spec.nodeName=${nodeName}`;
    let listed: () => void = () => undefined;
    const firstList = new Promise<void>((resolve) => {
      listed = resolve;
    });
    const podLoop = async () => {
      let backoff = 200;
      const fail = async (what: string, err: unknown) => {
        log.warn({ error: (err as Error).message, retryMs: backoff }, what);
        await sleep(backoff, abort.signal);
        backoff = Math.min(backoff * 2, 5_000);
      };
      while (!stopping) {
        let rv: string | undefined;
        try {
          const list = await kube.request<KubeList<Pod>>('GET', '/api/v1/pods', { query: { fieldSelector }, timeoutMs: 30_000 });
          rv = list.metadata.resourceVersion;
          syncAll(list.items);
          listed();
          backoff = 200;
        } catch (err) {
          await fail('Pod list failed', err);
          continue;
        }
        while (!stopping) {
          try {
            await kube.watch<Pod>(
              '/api/v1/pods',
              { fieldSelector, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300 },
              (ev) => {
                if (ev.type === 'ERROR') {
                  const status = ev.object as unknown as { code?: number; message?: string };
                  if (status.code === 410) throw new WatchExpired(status.message);
                  throw new Error(`watch error ${status.code}: ${status.message}`);
                }
                rv = ev.object.metadata.resourceVersion ?? rv;
                if (ev.type === 'BOOKMARK') return;
                if (ev.type === 'DELETED') workers.get(ev.object.metadata.uid)?.gone();
                else onPod(ev.object);
                backoff = 200;
              },
              abort.signal,
            );
          } catch (err) {
            if (err instanceof WatchExpired || (err instanceof KubeApiError && err.status === 410)) {
              log.info({ resourceVersion: rv }, 'Pod watch expired: re-listing');
              break;
            }
            await fail('Pod watch failed', err);
          }
        }
      }
    };
    loopDone = podLoop().catch((err) => log.error({ error: (err as Error).stack }, 'Pod loop crashed'));
    await Promise.race([firstList, loopDone]);
    log.info({ cli: deps.cli, cwd: deps.cwd, logDir, tmpDir }, 'Node agent running');
  } catch (err) {
    await stopAll({ deleteNode: false }).catch(() => undefined);
    throw err;
  }

  return {
    nodeName,
    logDir,
    tmpDir,
    processes: () =>
      [...workers.values()].flatMap((w) =>
        w.processes().map((p) => ({ pod: `${w.pod.metadata.namespace}/${w.pod.metadata.name}`, uid: w.uid, container: p.container, pid: p.pid, logFile: p.logFile })),
      ),
    logFile: (namespace, pod, container) => {
      const w = [...workers.values()].find((x) => x.pod.metadata.namespace === namespace && x.pod.metadata.name === pod);
      const name = container ?? w?.pod.spec.containers[0]?.name ?? 'main';
      return path.join(logDir, `${namespace}_${pod}_${name}.log`);
    },
    stop: stopAll,
  };
}
