import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRules, leaderElectionRules } from '../../operator/rbac.ts';
import { CLI, ROOT, waitFor } from './harness/cluster.ts';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';
import { type NodeAgent, startNodeAgent } from './harness/node-agent.ts';

const exec = promisify(execFile);
const chart = path.join(ROOT, 'charts/fluxora');

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests and JSON from kubectl.
type Any = any;

/** readmeClusterBlock is the shell block of README.md's "On a cluster" section, as written. */
function readmeClusterBlock(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## On a cluster\n'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md: no ```sh block in "On a cluster"');
  return m[1];
}

/** imageOf is the image the block's `helm install` names through its values. */
function imageOf(block: string): string {
  const repo = /--set image\.repository=(\S+)/.exec(block)?.[1];
  const tag = /--set image\.tag=(\S+)/.exec(block)?.[1];
  if (!repo || !tag) throw new Error('README.md: the helm install line does not set image.repository and image.tag');
  return `${repo}:${tag}`;
}

const condition = (obj: Any, type: string): Any => obj?.status?.conditions?.find((c: Any) => c.type === type);

describe('the Helm chart', () => {
  const block = readmeClusterBlock();
  const image = imageOf(block);
  let helm: string;
  let cp: ControlPlane;
  let agent: NodeAgent | undefined;

  beforeAll(async () => {
    const built = await exec('bash', [path.join(ROOT, 'test/e2e/controlplane/build-helm.sh')], { maxBuffer: 16 << 20 });
    helm = built.stdout.trim().split('\n').pop() as string;
    cp = await startControlPlane();
    // The image README's helm install names is the project's image on the test node.
    agent = await startNodeAgent({ kubeconfigPath: cp.kubeconfigPath, image, cli: CLI, cwd: ROOT, logDir: cp.logDir });
  });
  afterAll(async () => {
    try {
      await agent?.stop({ deletePods: true });
    } finally {
      await cp?.stop();
    }
  });

  const json = async (args: string[]): Promise<Any> => {
    const r = await cp.kubectl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };

  const template = async (...args: string[]) =>
    (await exec(helm, ['template', 'fluxora', chart, '-n', 'fluxora-system', '--kube-version', '1.34.4', ...args], { maxBuffer: 16 << 20 })).stdout;

  it('lints clean, and rejects values the schema does not allow', async () => {
    const lint = await exec(helm, ['lint', chart, '--strict', '--kube-version', '1.34.4']);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    await expect(template('--set', 'replicaCount=-1')).rejects.toThrow(/replicaCount/);
    await expect(template('--set', 'image.pullPolicy=Sometimes')).rejects.toThrow(/pullPolicy/);
  });

  it('renders least-privilege RBAC equal to the operator code, and a restricted two-replica operator', async () => {
    const docs = yaml.loadAll(await template('--set', 'image.repository=fluxora,image.tag=e2e')) as Any[];
    const byKind = (k: string) => docs.filter((d) => d?.kind === k);
    expect(byKind('ClusterRole')[0].rules).toEqual(clusterRules);
    expect(byKind('Role')[0].rules).toEqual(leaderElectionRules);
    const dep = byKind('Deployment')[0];
    expect(dep.spec.replicas).toBe(2);
    const container = dep.spec.template.spec.containers[0];
    expect(container.image).toBe('fluxora:e2e');
    expect(container.args).toContain('--leader-elect=true');
    expect(container.args).toContain('--image=fluxora:e2e');
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(JSON.stringify(docs)).not.toMatch(/secrets/);
  });

  it('serves no console by default, and the console with one value: port, Service, and the store Secret when named', async () => {
    const off = yaml.loadAll(await template()) as Any[];
    const offDep = off.find((d) => d?.kind === 'Deployment');
    expect(offDep.spec.template.spec.containers[0].args.some((a: string) => a.startsWith('--console-port'))).toBe(false);
    expect(off.filter((d) => d?.kind === 'Service').map((d) => d.metadata.name)).toEqual(['fluxora-metrics']);
    const on = yaml.loadAll(await template('--set', 'console.enabled=true')) as Any[];
    const container = on.find((d) => d?.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.args).toContain('--console-port=8082');
    expect(container.ports).toContainEqual({ name: 'console', containerPort: 8082, protocol: 'TCP' });
    expect(container.env.find((e: Any) => e.name === 'FLUXORA_DATABASE_URL')).toBeUndefined();
    const svc = on.find((d) => d?.kind === 'Service' && d.metadata.name === 'fluxora-console');
    expect(svc.spec.ports).toEqual([{ name: 'console', port: 8082, targetPort: 'console', protocol: 'TCP' }]);
    const withDb = yaml.loadAll(await template('--set', 'console.enabled=true,console.database.secretName=fluxora-db')) as Any[];
    const env = withDb.find((d) => d?.kind === 'Deployment').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'FLUXORA_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'fluxora-db', key: 'uri' } } });
    await expect(template('--set', 'console.port=0')).rejects.toThrow(/port/);
  });

  it("runs README's 'On a cluster' commands as written: helm install with the image as values, the operator rolls out", async () => {
    const helmHome = path.join(cp.tmpDir, 'helm-home');
    const started = Date.now();
    const run = await exec('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
      timeout: 8 * 60_000,
      env: {
        ...process.env,
        PATH: `${path.dirname(helm)}:${cp.binDir}:${process.env.PATH}`,
        KUBECONFIG: cp.kubeconfigPath,
        HELM_CACHE_HOME: path.join(helmHome, 'cache'),
        HELM_CONFIG_HOME: path.join(helmHome, 'config'),
        HELM_DATA_HOME: path.join(helmHome, 'data'),
      },
    }).catch((err: Any) => {
      throw new Error(`README block failed (exit ${err.code}):\n${err.stdout}\n${err.stderr}`);
    });
    console.log(`README 'On a cluster' block: ${Date.now() - started} ms`);
    expect(run.stdout).toMatch(/STATUS: deployed/);
    expect(run.stdout).toMatch(/deployment "fluxora" successfully rolled out/);
    for (const kind of ['dataset', 'featureset', 'trainingjob', 'modeldeployment', 'driftmonitor']) {
      expect(run.stdout).toMatch(new RegExp(`${kind}\\.fluxora\\.io/grid-load`));
    }
  });

  it('installed the CRDs, RBAC, ServiceAccount and Service; the ServiceAccount may do what the operator needs and no more', async () => {
    const names = await cp.kubectl(['get', 'deployment,serviceaccount,service,role,rolebinding', '-n', 'fluxora-system', '-l', 'app.kubernetes.io/name=fluxora', '-o', 'name']);
    expect(names.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'deployment.apps/fluxora',
      'role.rbac.authorization.k8s.io/fluxora-leader-election',
      'rolebinding.rbac.authorization.k8s.io/fluxora-leader-election',
      'service/fluxora-metrics',
      'serviceaccount/fluxora',
    ]);
    const can = await cp.kubectl(['auth', 'can-i', 'create', 'jobs.batch', '--as=system:serviceaccount:fluxora-system:fluxora', '-n', 'ml']);
    expect(can.stdout.trim()).toBe('yes');
    const cannot = await cp.kubectl(['auth', 'can-i', 'get', 'secrets', '--as=system:serviceaccount:fluxora-system:fluxora', '-n', 'ml']);
    expect(cannot.stdout.trim()).toBe('no');
    const crds = await cp.kubectl(['get', 'crd', '-o', 'name']);
    expect(crds.stdout).toContain('trainingjobs.fluxora.io');
  });

  it('runs the operator from the chart: Deployment Available with 2 ready replicas, in-cluster credentials, exactly one leader', async () => {
    const dep = await waitFor(
      'the operator Deployment to be Available with 2 ready replicas',
      async () => {
        const d = await json(['get', 'deployment', 'fluxora', '-n', 'fluxora-system']);
        return condition(d, 'Available')?.status === 'True' && d.status.readyReplicas === 2 ? d : undefined;
      },
      120_000,
    );
    expect(dep.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const pods = (await json(['get', 'pods', '-n', 'fluxora-system', '-l', 'app.kubernetes.io/name=fluxora'])).items as Any[];
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.spec.containers[0].image).toBe(image);
      // The ServiceAccount admission plugin added the projected token volume the operator reads.
      expect(pod.spec.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }));
      expect(pod.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
      const log = readFileSync(agent?.logFile('fluxora-system', pod.metadata.name) ?? '', 'utf8');
      expect(log).toMatch(/"kubeconfig":"in-cluster"/);
    }
    const lease = await json(['get', 'lease', 'fluxora-operator', '-n', 'fluxora-system']);
    const leaders = pods.filter((p) => lease.spec.holderIdentity?.startsWith(`${p.metadata.name}_`));
    expect(leaders).toHaveLength(1);
    // Each replica's own view, from its metrics on its pod IP (port 8081 on both: each pod has its address).
    const leading = await Promise.all(
      pods.map(async (p) => {
        const text = await (await fetch(`http://${p.status.podIP}:8081/metrics`)).text();
        return /^leader_election_master_status\{[^}]*\} 1$/m.test(text);
      }),
    );
    expect(leading.filter(Boolean)).toHaveLength(1);
    expect(pods[leading.indexOf(true)].metadata.name).toBe(leaders[0].metadata.name);
  });

  it('reconciles as its ServiceAccount: a FeatureSet with a missing Dataset gets Ready=False with a reason, and the pipeline has status', async () => {
    const orphan = `apiVersion: fluxora.io/v1alpha1
kind: FeatureSet
metadata: {name: orphan, namespace: ml}
spec:
  datasetRef: {name: nowhere}
  target: load
  calendar: [hourOfDay]
`;
    const applied = await cp.kubectl(['apply', '-f', '-'], orphan);
    expect(applied.stderr).toBe('');
    const fs = await waitFor(
      'the FeatureSet to report its missing Dataset',
      async () => {
        const o = await json(['get', 'featureset', 'orphan', '-n', 'ml']);
        return condition(o, 'Ready')?.reason === 'DatasetNotFound' && o.status.observedGeneration === o.metadata.generation ? o : undefined;
      },
      60_000,
    );
    expect(condition(fs, 'Ready')).toMatchObject({ status: 'False', message: 'Dataset "nowhere" does not exist in namespace ml' });
    const ds = await waitFor(
      'the README pipeline Dataset to have a status',
      async () => {
        const o = await json(['get', 'dataset', 'grid-load', '-n', 'ml']);
        return o.status?.observedGeneration === o.metadata.generation && condition(o, 'Ready') ? o : undefined;
      },
      60_000,
    );
    expect(condition(ds, 'Ready').reason).toBeTruthy();
  });
});
