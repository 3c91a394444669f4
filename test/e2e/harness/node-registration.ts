/**
 * The Node object of the test node agent and its heartbeat, as a kubelet
 * keeps them: the Node is created (or taken over) with capacity,
 * allocatable, addresses, nodeInfo and a Ready=True condition; every
 * heartbeat period the Lease `kube-node-lease/<node>` is renewed and the
 * conditions' lastHeartbeatTime updated (strategic merge patch on
 * nodes/status), so the node lifecycle controller never marks the node
 * NotReady. The `node.kubernetes.io/not-ready` / `unreachable` taints (the
 * NodeTaint admission plugin adds not-ready:NoSchedule to every new Node) are
 * removed as soon as they appear instead of waiting for the controller.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound, type KubeClient } from './kube-client.ts';
import { kubeMicroTime, kubeTime } from './kube-types.ts';

/** NODE_LEASE_NAMESPACE holds the node heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** LIFECYCLE_TAINTS are the taints the agent removes while it heartbeats. */
export const LIFECYCLE_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** NodeRegistrationOptions describe the Node to register. */
export interface NodeRegistrationOptions {
  nodeName: string;
  hostIP: string;
  capacity: Record<string, string>;
  labels: Record<string, string>;
  /** Heartbeat (lease renewal and status) period; the kubelet's default is 10 s. */
  heartbeatMs: number;
  /** Port the API server reaches for logs (daemonEndpoints.kubeletEndpoint); 0 when none. */
  kubeletPort: number;
  log: Logger;
}

/** NodeRegistration is a registered Node kept alive until stop(). */
export interface NodeRegistration {
  /** Stops the heartbeat; with deleteNode also deletes the Node (and with it, by GC, its Lease). */
  stop(opts: { deleteNode: boolean }): Promise<void>;
}

interface NodeObject {
  metadata: { name: string; uid: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { taints?: { key: string; effect: string; value?: string; timeAdded?: string }[]; unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Record<string, unknown>;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Timeout of heartbeat requests: a beat must not outlast the next one by much. */
const T = 5_000;

/** registerNode creates the Node, waits until it is Ready without lifecycle taints, and starts the heartbeat. */
export async function registerNode(client: KubeClient, opts: NodeRegistrationOptions): Promise<NodeRegistration> {
  const { nodeName, log } = opts;
  const nodePath = `/api/v1/nodes/${nodeName}`;
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases/${nodeName}`;
  const readySince = kubeTime();
  let version = 'v0.0.0';
  try {
    version = (await client.request<{ gitVersion: string }>('GET', '/version')).gitVersion;
  } catch {
    // cosmetic only
  }

  const statusBody = () => {
    const now = kubeTime();
    const c = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: readySince });
    return {
      status: {
        capacity: opts.capacity,
        allocatable: opts.capacity,
        conditions: [
          c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          c('Ready', 'True', 'KubeletReady', 'fluxora test node agent is posting ready status'),
        ],
        // No Hostname address: the API server would dial it for logs, and the node name does not resolve.
        addresses: [{ type: 'InternalIP', address: opts.hostIP }],
        daemonEndpoints: { kubeletEndpoint: { Port: opts.kubeletPort } },
        nodeInfo: {
          machineID: 'fluxora-test-node',
          systemUUID: 'fluxora-test-node',
          bootID: String(process.pid),
          kernelVersion: os.release(),
          osImage: 'fluxora test node agent (host processes)',
          containerRuntimeVersion: 'fluxora-node-agent://0.1.0',
          kubeletVersion: version,
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: ARCH[process.arch] ?? process.arch,
        },
      },
    };
  };

  const patchStatus = () =>
    client.request('PATCH', `${nodePath}/status`, { body: statusBody(), contentType: 'application/strategic-merge-patch+json', timeoutMs: T });

  // Create, or take over a Node of the same name (a previous agent).
  let node: NodeObject;
  try {
    node = await client.request<NodeObject>('POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: opts.labels }, spec: {}, ...statusBody() },
    });
    log.info({}, 'Node registered');
  } catch (err) {
    if (!isConflict(err)) throw err;
    node = await client.request<NodeObject>('GET', nodePath);
    log.info({}, 'Node exists: taking it over');
  }
  await patchStatus();

  const renewLease = async () => {
    const spec = { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: kubeMicroTime() };
    for (let i = 0; i < 5; i++) {
      let lease: LeaseObject | undefined;
      try {
        lease = await client.request<LeaseObject>('GET', leasePath, { timeoutMs: T });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      try {
        if (!lease) {
          await client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`, {
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: {
                name: nodeName,
                namespace: NODE_LEASE_NAMESPACE,
                ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }],
              },
              spec,
            },
            timeoutMs: T,
          });
        } else {
          await client.request('PUT', leasePath, { body: { ...lease, spec: { ...lease.spec, ...spec } }, timeoutMs: T });
        }
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  };

  /** Removes lifecycle taints while the node is Ready (optimistic concurrency, retried on 409). */
  const removeLifecycleTaints = async (): Promise<boolean> => {
    for (let i = 0; i < 5; i++) {
      const current = await client.request<NodeObject>('GET', nodePath, { timeoutMs: T });
      const taints = current.spec?.taints ?? [];
      const keep = taints.filter((t) => !LIFECYCLE_TAINTS.includes(t.key));
      if (keep.length === taints.length) return false;
      try {
        await client.request('PUT', nodePath, { body: { apiVersion: 'v1', kind: 'Node', ...current, spec: { ...current.spec, taints: keep } }, timeoutMs: T });
        log.info({ removed: taints.filter((t) => LIFECYCLE_TAINTS.includes(t.key)).map((t) => `${t.key}:${t.effect}`) }, 'Removed node lifecycle taints');
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    return false;
  };

  await renewLease();
  // Ready = status Ready True and no lifecycle taint: the scheduler can use it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await removeLifecycleTaints();
    const current = await client.request<NodeObject>('GET', nodePath);
    const ready = current.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const tainted = (current.spec?.taints ?? []).some((t) => LIFECYCLE_TAINTS.includes(t.key));
    if (ready && !tainted) break;
    if (Date.now() > deadline) throw new Error(`node ${nodeName} did not become Ready and untainted within 60 s`);
    await sleep(200);
  }

  let stopped = false;
  let failures = 0;
  let beat: Promise<void> = Promise.resolve();
  const heartbeat = async () => {
    try {
      await renewLease();
      await patchStatus();
      await removeLifecycleTaints();
      if (failures > 0) log.info({ afterFailures: failures }, 'Node heartbeat recovered');
      failures = 0;
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 6 === 0) log.warn({ error: (err as Error).message, failures }, 'Node heartbeat failed');
    }
  };
  const timer = setInterval(() => {
    if (!stopped) beat = beat.then(heartbeat);
  }, opts.heartbeatMs);

  return {
    async stop({ deleteNode }) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await beat;
      if (!deleteNode) return;
      try {
        await client.request('DELETE', nodePath, { timeoutMs: 5_000 });
        log.info({}, 'Node deleted');
      } catch (err) {
        if (!isNotFound(err)) log.warn({ error: (err as Error).message }, 'Node delete failed');
      }
    },
  };
}
