import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { crdStream } from '../../../crds/yaml.ts';
import { clusterRules, leaderElectionRules } from '../../../operator/rbac.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../runtime/store/embedded.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { startNodeAgent } from './node-agent.ts';

/** ROOT is the repository root. */
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
/** CLI is the fluxora command the image's entrypoint runs. */
export const CLI = path.join(ROOT, 'bin/fluxora.mjs');
/** IMAGE is the project's image as the test node agent recognises it. */
export const IMAGE = 'fluxora:e2e';
/** OPERATOR_USER is the operator's identity in the audit log. */
export const OPERATOR_USER = 'system:serviceaccount:fluxora-system:fluxora-operator';

/** Cluster is a control plane with the CRDs, the operator's RBAC, a PostgreSQL for workloads and a node that runs the project's image. */
export interface Cluster {
  cp: ControlPlane;
  pg: EmbeddedPostgres;
  /** kubeconfig of the operator's ServiceAccount (bound to the chart's RBAC rules). */
  operatorKubeconfig: string;
  kubectl: ControlPlane['kubectl'];
  /** startOperator runs `fluxora operator` as the operator's ServiceAccount. */
  startOperator(args?: string[], name?: string, env?: Record<string, string>): OperatorProcess;
  /** createNamespace makes a namespace with the store Secret workloads need. */
  createNamespace(name: string): Promise<void>;
  /** writesBy counts mutating requests of a user in the audit log since a line offset. */
  writesBy(user: string, fromLine?: number): { count: number; lines: number; sample: string[] };
  stop(): Promise<void>;
}

/** OperatorProcess is one running operator. */
export interface OperatorProcess {
  /** POD_NAME of the process: its leader-election identity starts with it. */
  name: string;
  child: ChildProcess;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

async function must(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** rbacManifests renders the operator's ServiceAccount and RBAC from operator/rbac.ts (what the chart's templates are generated from). */
export function rbacManifests(namespace: string): string {
  const sa = { kind: 'ServiceAccount', name: 'fluxora-operator', namespace };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'fluxora-operator', namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'fluxora-operator' }, rules: clusterRules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'fluxora-operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fluxora-operator' }, subjects: [sa] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'fluxora-leader-election', namespace }, rules: leaderElectionRules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'fluxora-leader-election', namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'fluxora-leader-election' }, subjects: [sa] },
  ]
    .map((o) => yaml.dump(o))
    .join('---\n');
}

/**
 * installOperatorAccess applies the CRDs and the operator's ServiceAccount and RBAC
 * (from operator/rbac.ts, what the chart is generated from) to a control plane,
 * and writes a kubeconfig for that ServiceAccount into `dir`; returns its path.
 */
export async function installOperatorAccess(cp: ControlPlane, dir: string): Promise<string> {
  await must(cp, ['apply', '--server-side', '-f', '-'], crdStream());
  // A CRD read before the apiserver gave it a status fails `kubectl wait` at once
  // (".status.conditions accessor error"): retry that until it has one.
  for (let attempt = 0; ; attempt++) {
    const r = await cp.kubectl(['wait', '--for=condition=Established', 'crd', '-l', 'app.kubernetes.io/name=fluxora', '--timeout=60s']);
    if (r.code === 0) break;
    if (attempt >= 20 || !r.stderr.includes('accessor error')) throw new Error(`kubectl wait --for=condition=Established crd failed: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await must(cp, ['create', 'namespace', 'fluxora-system']);
  await must(cp, ['apply', '-f', '-'], rbacManifests('fluxora-system'));
  const token = (await must(cp, ['create', 'token', 'fluxora-operator', '-n', 'fluxora-system', '--duration=4h'])).trim();
  const admin = yaml.load(readFileSync(cp.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  const kubeconfig = path.join(dir, 'operator.kubeconfig');
  writeFileSync(
    kubeconfig,
    yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: admin.clusters[0].cluster }],
      users: [{ name: 'operator', user: { token } }],
      contexts: [{ name: 'operator', context: { cluster: 'e2e', user: 'operator' } }],
      'current-context': 'operator',
    }),
  );
  return kubeconfig;
}

/** startCluster brings up everything the operator scenarios need; stop() tears it all down. */
export async function startCluster(): Promise<Cluster> {
  const cp = await startControlPlane();
  const work = mkdtempSync(path.join(tmpdir(), 'fluxora-cluster-'));
  chmodSync(work, 0o755); // the embedded PostgreSQL runs as the postgres user when root
  const cleanups: (() => Promise<unknown>)[] = [() => cp.stop()];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const operatorKubeconfig = await installOperatorAccess(cp, work);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), persistent: false, createPostgresUser: true });
    cleanups.push(() => pg.stop());
    const agent = await startNodeAgent({ kubeconfigPath: cp.kubeconfigPath, image: IMAGE, cli: CLI, cwd: ROOT, logDir: path.join(work, 'pods') });
    cleanups.push(() => agent.stop({ deletePods: true }));
    const operators: OperatorProcess[] = [];
    cleanups.push(async () => {
      for (const o of operators) await o.stop('SIGKILL');
    });
    return {
      cp,
      pg,
      operatorKubeconfig,
      kubectl: (args, input) => cp.kubectl(args, input),
      startOperator(args = [], name = `operator-${operators.length}`, env = {}) {
        const child = spawn(
          process.execPath,
          [CLI, 'operator', '--kubeconfig', operatorKubeconfig, '--health-port', '0', '--image', IMAGE, '--data-dir', 'examples/energy-forecast', '--lease-namespace', 'fluxora-system', ...args],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLUXORA_LOG_LEVEL: 'info', POD_NAME: name, ...env } },
        );
        let log = '';
        child.stdout?.on('data', (d) => {
          log += d;
        });
        child.stderr?.on('data', (d) => {
          log += d;
        });
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const proc: OperatorProcess = {
          name,
          child,
          log: () => log,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        };
        operators.push(proc);
        return proc;
      },
      async createNamespace(name) {
        await must(cp, ['create', 'namespace', name]);
        await must(cp, ['create', 'secret', 'generic', 'fluxora-db', '-n', name, `--from-literal=uri=${pg.connectionString}`]);
      },
      writesBy(user, fromLine = 0) {
        const lines = readFileSync(cp.auditLogPath, 'utf8').split('\n').filter(Boolean);
        const mine = lines.slice(fromLine).filter((l) => {
          const e = JSON.parse(l) as { user?: { username?: string }; stage?: string };
          return e.user?.username === user && e.stage === 'ResponseComplete';
        });
        return { count: mine.length, lines: lines.length, sample: mine.slice(0, 5) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** waitFor polls until `check` returns a truthy value or the deadline passes (then throws with the last value). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
