/**
 * The test node agent (harness/node-agent.ts) against a real control plane:
 * pods of the project's image run the real CLI as host processes, Jobs and
 * Deployments go through their controllers, readiness probes gate rollouts,
 * deletions kill processes and leave nothing Terminating, other images show
 * ErrImagePull, missing Secrets CreateContainerConfigError, and the agent
 * survives an API server restart. Measured timings are printed as one JSON
 * line at the end.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';
import { type KubeClient, kubeClientFromKubeconfig } from './harness/kube-client.ts';
import type { ContainerStatus, KubeList, Pod } from './harness/kube-types.ts';
import { type NodeAgent, startNodeAgent } from './harness/node-agent.ts';
import { groupAlive } from './harness/process-groups.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const NS = 'node-agent-e2e';
const IMAGE = 'fluxora:e2e';
const HTTP_IMAGE = 'test-http:e2e';
const ENV_IMAGE = 'test-env:e2e';
const EXIT_IMAGE = 'test-exit:e2e';
const MISSING_IMAGE = 'test-missing-binary:e2e';
const STUBBORN_IMAGE = 'test-ignores-sigterm:e2e';
const IN_CLUSTER_IMAGE = 'test-in-cluster:e2e';

/** A tiny HTTP server on the pod IP: the long-running, probe-able workload. */
const HTTP_SERVER = `require('http').createServer((q, s) => s.end('ok ' + process.env.HOSTNAME)).listen(Number(process.env.PORT || 8080), process.env.FLUXORA_LISTEN_HOST)`;
/** Reports what the container sees (env, mapped files) as its termination message. */
const ENV_REPORT = `
const fs = require('fs'), path = require('path');
const e = process.env;
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch (err) { return 'ERR ' + err.code; } };
const report = {
  argv: process.argv.slice(1),
  podName: e.POD_NAME, podIP: e.POD_IP, listenHost: e.FLUXORA_LISTEN_HOST, ns: e.POD_NS, label: e.APP_LABEL,
  greeting: e.GREETING, expanded: e.EXPANDED, literal: e.LITERAL, home: e.HOME, tmpdir: e.TMPDIR, cfgFile: e.CFG_FILE,
  configMapDir: e.FLUXORA_CONFIGMAP_DIR,
  viaConfigMapDir: read(path.join(e.FLUXORA_CONFIGMAP_DIR || '/nonexistent', 'settings', 'greeting')),
  viaCfgFile: read(e.CFG_FILE),
  secretFile: read(path.join(e.SECRET_DIR || '/nonexistent', 'renamed.txt')),
  tmpWritable: (() => { try { fs.writeFileSync(path.join(e.TMPDIR, 'x'), 'y'); return true; } catch { return false; } })(),
};
fs.writeFileSync(e.FLUXORA_TERMINATION_LOG, JSON.stringify(report));
`;

/**
 * Calls the API server as client libraries do in a pod: address from
 * KUBERNETES_SERVICE_HOST/PORT, token, CA and namespace from the fixed
 * service-account path; asks who it is (SelfSubjectReview) and reports it.
 */
const IN_CLUSTER_REPORT = `
const fs = require('fs'), https = require('https');
const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const out = (r) => { fs.writeFileSync(process.env.FLUXORA_TERMINATION_LOG, JSON.stringify(r)); process.exit(r.error ? 1 : 0); };
let writable = true;
try { fs.writeFileSync(dir + '/x', 'y'); } catch { writable = false; }
const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
const req = https.request({
  host: process.env.KUBERNETES_SERVICE_HOST, port: Number(process.env.KUBERNETES_SERVICE_PORT), method: 'POST',
  path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', ca: fs.readFileSync(dir + '/ca.crt'),
  headers: { authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8'), 'content-type': 'application/json' },
}, (res) => {
  let data = '';
  res.on('data', (d) => { data += d; });
  res.on('end', () => out({ status: res.statusCode, namespace: fs.readFileSync(dir + '/namespace', 'utf8'), writable, user: JSON.parse(data).status?.userInfo }));
});
req.on('error', (err) => out({ error: err.message }));
req.end(body);
`;

const measured: Record<string, number | string> = {};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const TERMINAL_PHASES = ['Succeeded', 'Failed'];

function container(pod: Pod): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.[0];
}

describe('test node agent', () => {
  let cp: ControlPlane;
  let agent: NodeAgent;
  let kube: KubeClient;

  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await cp.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    return r.stdout;
  }

  async function apply(obj: Record<string, unknown>): Promise<void> {
    await kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  }

  async function getPod(name: string): Promise<Pod | undefined> {
    try {
      return await kube.request<Pod>('GET', `/api/v1/namespaces/${NS}/pods/${name}`);
    } catch {
      return undefined;
    }
  }

  async function listPods(selector: string): Promise<Pod[]> {
    return (await kube.request<KubeList<Pod>>('GET', `/api/v1/namespaces/${NS}/pods`, { query: { labelSelector: selector } })).items;
  }

  /** waitFor polls every 50 ms until cond returns a value; returns it and the elapsed milliseconds. */
  async function waitFor<T>(what: string, cond: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    let last: unknown;
    for (;;) {
      try {
        const v = await cond();
        if (v !== undefined && v !== false) return { value: v as T, ms: performance.now() - start };
      } catch (err) {
        last = err;
      }
      if (performance.now() - start > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      }
      await sleep(50);
    }
  }

  async function waitPod(name: string, what: string, pred: (p: Pod) => boolean, timeoutMs = 60_000) {
    let seen: Pod | undefined;
    try {
      return await waitFor(
        `pod ${name} ${what}`,
        async () => {
          seen = await getPod(name);
          return seen && pred(seen) ? seen : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nlast seen status: ${JSON.stringify(seen?.status, null, 1)}`);
    }
  }

  function pod(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): Record<string, unknown> {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels }, spec: { restartPolicy: 'Never', ...spec } };
  }

  beforeAll(async () => {
    cp = await startControlPlane();
    agent = await startNodeAgent({
      kubeconfigPath: cp.kubeconfigPath,
      image: IMAGE,
      cli: path.join(REPO, 'bin/fluxora.mjs'),
      cwd: REPO,
      logDir: cp.logDir,
      // Faster than the kubelet's 10 s, to see restarts within the test.
      restartBackoffMs: 1_000,
      extraImages: {
        [HTTP_IMAGE]: () => ({ command: process.execPath, args: ['-e', HTTP_SERVER] }),
        [ENV_IMAGE]: (c) => ({ command: process.execPath, args: ['-e', ENV_REPORT, '--', ...(c.args ?? [])] }),
        [EXIT_IMAGE]: (c) => ({ command: process.execPath, args: ['-e', `process.exit(Number(process.argv[1] ?? 0))`, ...(c.args ?? [])] }),
        [MISSING_IMAGE]: () => ({ command: '/nonexistent/fluxora-e2e-binary', args: [] }),
        [IN_CLUSTER_IMAGE]: () => ({ command: process.execPath, args: ['-e', IN_CLUSTER_REPORT] }),
        [STUBBORN_IMAGE]: () => ({ command: process.execPath, args: ['-e', `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('handler installed'); setInterval(() => {}, 1000)`] }),
      },
    });
    kube = await kubeClientFromKubeconfig(cp.kubeconfigPath);
    await kubectl(['create', 'namespace', NS]);
    // Pod admission needs the namespace's default ServiceAccount.
    await waitFor('default service account', async () => (await cp.kubectl(['get', 'serviceaccount', 'default', '-n', NS])).code === 0);
  });

  afterAll(async () => {
    await agent?.stop({ deletePods: true });
    kube?.close();
    await cp?.stop();
    console.log(JSON.stringify({ e2e: 'node-agent', ...measured }));
  });

  it('registers a Ready Node with capacity, address and a Lease, without the not-ready taint', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', agent.nodeName, '-o', 'json']));
    expect(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(node.status.capacity).toMatchObject({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(node.status.allocatable).toMatchObject({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect((node.spec.taints ?? []).map((t: { key: string }) => t.key)).not.toContain('node.kubernetes.io/not-ready');
    const lease = JSON.parse(await kubectl(['get', 'lease', agent.nodeName, '-n', 'kube-node-lease', '-o', 'json']));
    expect(lease.spec.holderIdentity).toBe(agent.nodeName);
  });

  it('runs a bare Pod of the project image to Succeeded (fluxora --version)', async () => {
    const t0 = performance.now();
    await apply(pod('version', { containers: [{ name: 'fluxora', image: IMAGE, args: ['--version'] }] }));
    const { value: done } = await waitPod('version', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    measured.bareSucceededMs = Math.round(performance.now() - t0);
    const t = container(done)?.state.terminated;
    expect(t).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(t?.startedAt).toBeTruthy();
    expect(t?.finishedAt).toBeTruthy();
    expect(done.status?.podIP).toMatch(/^127\.0\.\d+\.\d+$/);
    expect(done.status?.podIP).not.toBe('127.0.0.1');
    expect(done.status?.hostIP).toBe('127.0.0.1');
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(await readFile(agent.logFile(NS, 'version'), 'utf8')).toMatch(/^0\.1\.0$/m);
    // The agent serves container logs the kubelet way.
    expect(await kubectl(['logs', 'version', '-n', NS])).toBe('0.1.0\n');
  });

  it('reports a failing Pod as Failed with exit code 1 and the log tail as termination message (FallbackToLogsOnError)', async () => {
    await apply(
      pod('validate-missing', {
        containers: [{ name: 'fluxora', image: IMAGE, args: ['validate', '-f', 'no/such/path'], terminationMessagePolicy: 'FallbackToLogsOnError' }],
      }),
    );
    const { value: done } = await waitPod('validate-missing', 'Failed', (p) => p.status?.phase === 'Failed');
    const t = container(done)?.state.terminated;
    expect(t).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(t?.message).toContain('no such file');
  });

  it("passes the CLI's own termination summary (FLUXORA_TERMINATION_LOG)", async () => {
    // `fluxora profile` without a config fails and writes {"error": ...} to the termination log.
    await apply(pod('profile-no-config', { containers: [{ name: 'fluxora', image: IMAGE, args: ['profile'] }] }));
    const { value: done } = await waitPod('profile-no-config', 'Failed', (p) => p.status?.phase === 'Failed');
    const t = container(done)?.state.terminated;
    expect(t?.exitCode).toBe(1);
    expect(JSON.parse(t?.message ?? '{}')).toHaveProperty('error');
  });

  it('completes an Indexed Job of 2 completions (JOB_COMPLETION_INDEX through the downward API)', async () => {
    const t0 = performance.now();
    await apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'indexed', namespace: NS },
      spec: {
        completions: 2,
        parallelism: 2,
        completionMode: 'Indexed',
        backoffLimit: 0,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'fluxora', image: IMAGE, args: ['--version', 'index-$(JOB_COMPLETION_INDEX)'] }] } },
      },
    });
    await kubectl(['wait', '--for=condition=complete', 'job/indexed', '-n', NS, '--timeout=120s']);
    measured.indexedJobCompleteMs = Math.round(performance.now() - t0);
    const pods = await listPods('batch.kubernetes.io/job-name=indexed');
    expect(pods).toHaveLength(2);
    const argvs = await Promise.all(pods.map((p) => readFile(agent.logFile(NS, p.metadata.name), 'utf8')));
    expect(argvs.join('\n')).toMatch(/--version index-0$/m);
    expect(argvs.join('\n')).toMatch(/--version index-1$/m);
  });

  it('builds env and volumes: secret/configMap refs, fieldRefs, $(VAR), mapped mount paths, FLUXORA_CONFIGMAP_DIR', async () => {
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { greeting: 'hello from a configmap' } });
    await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: NS }, stringData: { token: 's3cr3t' } });
    await apply(
      pod(
        'env-report',
        {
          containers: [
            {
              name: 'report',
              image: ENV_IMAGE,
              args: ['$(POD_NAME)', '/etc/fluxora/configmaps/settings/greeting'],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'APP_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
                { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
                { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
                { name: 'EXPANDED', value: '$(POD_NAME)-$(TOKEN)-$(UNDEFINED_VAR)' },
                { name: 'LITERAL', value: '$$(POD_NAME)' },
                { name: 'CFG_FILE', value: '/etc/fluxora/configmaps/settings/greeting' },
                { name: 'SECRET_DIR', value: '/etc/creds' },
              ],
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'settings', mountPath: '/etc/fluxora/configmaps/settings', readOnly: true },
                { name: 'creds', mountPath: '/etc/creds', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'settings', configMap: { name: 'settings' } },
            { name: 'creds', secret: { secretName: 'creds', items: [{ key: 'token', path: 'renamed.txt' }] } },
          ],
        },
        { app: 'reporter' },
      ),
    );
    const { value: done } = await waitPod('env-report', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    const report = JSON.parse(container(done)?.state.terminated?.message ?? '{}');
    expect(report).toMatchObject({
      podName: 'env-report',
      ns: NS,
      podIP: done.status?.podIP,
      listenHost: done.status?.podIP,
      label: 'reporter',
      greeting: 'hello from a configmap',
      expanded: 'env-report-s3cr3t-$(UNDEFINED_VAR)',
      literal: '$(POD_NAME)',
      viaConfigMapDir: 'hello from a configmap',
      viaCfgFile: 'hello from a configmap',
      secretFile: 's3cr3t',
      tmpWritable: true,
    });
    expect(report.argv.slice(-2)).toEqual(['env-report', report.cfgFile]);
    expect(report.cfgFile).not.toBe('/etc/fluxora/configmaps/settings/greeting');
    expect(report.home).toBe(report.tmpdir);
    expect(report.tmpdir).not.toBe('/tmp');
  });

  it('gives pods in-cluster credentials as the kubelet does: KUBERNETES_SERVICE_HOST/PORT and a bound token at the fixed path', async () => {
    const t0 = performance.now();
    await apply(pod('in-cluster', { containers: [{ name: 'main', image: IN_CLUSTER_IMAGE }] }));
    const { value: done } = await waitPod('in-cluster', 'Succeeded', (p) => TERMINAL_PHASES.includes(p.status?.phase ?? ''));
    measured.inClusterSucceededMs = Math.round(performance.now() - t0);
    const t = container(done)?.state.terminated;
    expect(t?.exitCode, t?.message).toBe(0);
    const report = JSON.parse(t?.message ?? '{}');
    expect(report).toMatchObject({ status: 201, namespace: NS, writable: false });
    expect(report.user.username).toBe(`system:serviceaccount:${NS}:default`);
    // A TokenRequest token bound to this pod, as the kubelet's projected volume holds.
    expect(report.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['in-cluster']);
    expect(report.user.extra['authentication.kubernetes.io/pod-uid']).toEqual([done.metadata.uid]);
    // Nothing of the container's mounts shows on the host.
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes('serviceaccount')).toBe(false);
  });

  it('keeps a Pod waiting in CreateContainerConfigError until its Secret exists, then runs it', async () => {
    await apply(
      pod('late-secret', {
        containers: [{ name: 'fluxora', image: IMAGE, args: ['--version', '$(LATE)'], env: [{ name: 'LATE', valueFrom: { secretKeyRef: { name: 'late', key: 'value' } } }] }],
      }),
    );
    const { value: waiting } = await waitPod('late-secret', 'CreateContainerConfigError', (p) => container(p)?.state.waiting?.reason === 'CreateContainerConfigError');
    expect(waiting.status?.phase).toBe('Pending');
    expect(container(waiting)?.state.waiting?.message).toBe('secret "late" not found');
    const t0 = performance.now();
    await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'late', namespace: NS }, stringData: { value: 'arrived' } });
    await waitPod('late-secret', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    measured.secretCreatedToSucceededMs = Math.round(performance.now() - t0);
    expect(await readFile(agent.logFile(NS, 'late-secret'), 'utf8')).toMatch(/--version arrived$/m);
  });

  it('shows ErrImagePull / ImagePullBackOff with a clear message for images it cannot run', async () => {
    await apply(pod('nginx', { containers: [{ name: 'nginx', image: 'nginx:1.27' }] }));
    const { value: pulling } = await waitPod('nginx', 'ErrImagePull', (p) => container(p)?.state.waiting?.reason === 'ErrImagePull');
    expect(pulling.status?.phase).toBe('Pending');
    expect(container(pulling)?.state.waiting?.message).toBe('image "nginx:1.27" cannot run on the fluxora test node: only the project\'s image runs here');
    const { value: backoff } = await waitPod('nginx', 'ImagePullBackOff', (p) => container(p)?.state.waiting?.reason === 'ImagePullBackOff');
    expect(container(backoff)?.state.waiting?.message).toContain('cannot run on the fluxora test node');
    expect(backoff.status?.phase).toBe('Pending');
    await kubectl(['delete', 'pod', 'nginx', '-n', NS, '--wait=true', '--timeout=30s']);
  });

  it('reports a process that cannot be spawned as Failed (StartError), without harming the agent', async () => {
    await apply(pod('no-binary', { containers: [{ name: 'main', image: MISSING_IMAGE }] }));
    const { value: done } = await waitPod('no-binary', 'Failed', (p) => p.status?.phase === 'Failed');
    expect(container(done)?.state.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(container(done)?.state.terminated?.message).toContain('ENOENT');
  });

  it('restarts a crashing container with back-off (restartPolicy OnFailure)', async () => {
    await apply(pod('crasher', { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: EXIT_IMAGE, args: ['3'] }] }));
    const { value: p } = await waitPod('crasher', 'restarted twice', (x) => (container(x)?.restartCount ?? 0) >= 2, 30_000);
    const s = container(p);
    expect(s?.lastState.terminated?.exitCode).toBe(3);
    expect(p.status?.phase).toBe('Running');
    await waitPod('crasher', 'CrashLoopBackOff', (x) => container(x)?.state.waiting?.reason === 'CrashLoopBackOff', 30_000);
    await kubectl(['delete', 'pod', 'crasher', '-n', NS, '--wait=true', '--timeout=30s']);
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over, then deletes the pod', async () => {
    await apply(pod('stubborn', { restartPolicy: 'Always', terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: STUBBORN_IMAGE }] }));
    await waitPod('stubborn', 'Running', (p) => p.status?.phase === 'Running');
    const [proc] = agent.processes().filter((x) => x.pod === `${NS}/stubborn`);
    expect(proc).toBeDefined();
    // Running is reported once the process is spawned, as the kubelet does once the runtime started it:
    // its SIGTERM handler comes a little later (after the mount namespace set-up and Node's start-up).
    await waitFor('the SIGTERM handler', async () => /^handler installed$/m.test(await readFile(proc.logFile, 'utf8')));
    const t0 = performance.now();
    await kubectl(['delete', 'pod', 'stubborn', '-n', NS, '--wait=true', '--timeout=30s']);
    const ms = performance.now() - t0;
    measured.ignoresSigtermDeleteMs = Math.round(ms);
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(10_000);
    expect(groupAlive(proc.pid)).toBe(false);
    expect(await readFile(proc.logFile, 'utf8')).toContain('ignoring SIGTERM');
  });

  describe('a Deployment of 2 replicas with a readiness probe', () => {
    const selector = 'app=web';

    it('rolls out: pods become Ready through the readiness probe, each on its own IP', async () => {
      const t0 = performance.now();
      await apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [
                {
                  name: 'http',
                  image: HTTP_IMAGE,
                  ports: [{ name: 'http', containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1, failureThreshold: 3 },
                  livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 },
                },
              ],
            },
          },
        },
      });
      // Time from the Deployment's creation until each pod runs / is Ready.
      const firstRunning = new Map<string, number>();
      const firstReady = new Map<string, number>();
      await waitFor(
        'two Ready web pods',
        async () => {
          const pods = await listPods(selector);
          for (const p of pods) {
            const at = performance.now() - t0;
            if (p.status?.phase === 'Running' && !firstRunning.has(p.metadata.name)) firstRunning.set(p.metadata.name, at);
            if (container(p)?.ready && !firstReady.has(p.metadata.name)) firstReady.set(p.metadata.name, at);
          }
          return firstReady.size >= 2;
        },
        120_000,
      );
      await kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=120s']);
      measured.deploymentRolloutMs = Math.round(performance.now() - t0);
      measured.deploymentPodRunningMs = Math.round(Math.max(...firstRunning.values()));
      measured.deploymentPodReadyMs = Math.round(Math.max(...firstReady.values()));

      const pods = await listPods(selector);
      expect(pods).toHaveLength(2);
      const ips = pods.map((p) => p.status?.podIP as string);
      expect(new Set(ips).size).toBe(2);
      for (const p of pods) {
        expect(p.status?.podIP).toMatch(/^127\.0\.\d+\.\d+$/);
        expect(p.status?.podIPs).toEqual([{ ip: p.status?.podIP }]);
        expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
        expect(p.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status).toBe('True');
        const res = await fetch(`http://${p.status?.podIP}:8080/`);
        expect(await res.text()).toBe(`ok ${p.metadata.name}`);
      }
      const wide = await kubectl(['get', 'pods', '-n', NS, '-l', selector, '-o', 'wide']);
      for (const ip of ips) expect(wide).toContain(ip);
      expect(wide).toContain(agent.nodeName);
      expect(agent.processes().filter((x) => x.pod.startsWith(`${NS}/web-`))).toHaveLength(2);
    });

    it('survives an API server restart without starting a second process', async () => {
      const before = agent.processes().filter((x) => x.pod.startsWith(`${NS}/web-`));
      expect(before).toHaveLength(2);
      const t0 = performance.now();
      await cp.restartApiServer();
      measured.apiServerRestartMs = Math.round(performance.now() - t0);
      // The watch is back: a new pod runs.
      const t1 = performance.now();
      await apply(pod('after-restart', { containers: [{ name: 'fluxora', image: IMAGE, args: ['--version'] }] }));
      await waitPod('after-restart', 'Succeeded', (p) => p.status?.phase === 'Succeeded', 120_000);
      measured.podAfterApiRestartSucceededMs = Math.round(performance.now() - t1);
      const after = agent.processes().filter((x) => x.pod.startsWith(`${NS}/web-`));
      expect(after.map((x) => x.pid).sort()).toEqual(before.map((x) => x.pid).sort());
      const pods = await listPods(selector);
      for (const p of pods) expect(container(p)?.restartCount).toBe(0);
      await kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=60s']);
    });

    it('deleting the Deployment kills the processes and leaves no pod Terminating', async () => {
      const procs = agent.processes().filter((x) => x.pod.startsWith(`${NS}/web-`));
      expect(procs).toHaveLength(2);
      const t0 = performance.now();
      await kubectl(['delete', 'deployment', 'web', '-n', NS, '--cascade=foreground', '--wait=true', '--timeout=60s']);
      await waitFor('web pods gone', async () => (await listPods(selector)).length === 0, 60_000);
      measured.deploymentDeletedPodsGoneMs = Math.round(performance.now() - t0);
      for (const p of procs) expect(groupAlive(p.pid), `pid ${p.pid} of ${p.pod}`).toBe(false);
      expect(agent.processes().filter((x) => x.pod.startsWith(`${NS}/web-`))).toHaveLength(0);
      const all = await kube.request<KubeList<Pod>>('GET', '/api/v1/pods');
      expect(all.items.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual([]);
    });
  });

  it('still has the node Ready and untainted, and stop() kills everything and removes the pods and the Node', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', agent.nodeName, '-o', 'json']));
    expect(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect((node.spec.taints ?? []).map((t: { key: string }) => t.key)).toEqual([]);

    await apply(pod('long', { restartPolicy: 'Always', containers: [{ name: 'http', image: HTTP_IMAGE }] }));
    await waitPod('long', 'Running', (p) => p.status?.phase === 'Running');
    const procs = agent.processes();
    expect(procs.map((p) => p.pod)).toContain(`${NS}/long`);
    await agent.stop({ deletePods: true });
    for (const p of procs) expect(groupAlive(p.pid), `pid ${p.pid} of ${p.pod}`).toBe(false);
    expect((await listPods('')).filter((p) => p.spec.nodeName === agent.nodeName)).toEqual([]);
    expect((await cp.kubectl(['get', 'node', agent.nodeName])).code).not.toBe(0);
    await agent.stop();
  });
});
