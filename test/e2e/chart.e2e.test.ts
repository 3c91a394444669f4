import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRules, leaderElectionRules } from '../../operator/rbac.ts';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';

const exec = promisify(execFile);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const chart = path.join(root, 'charts/fluxora');

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests.
type Any = any;

describe('the Helm chart', () => {
  let helm: string;
  let cp: ControlPlane;
  beforeAll(async () => {
    const built = await exec('bash', [path.join(root, 'test/e2e/controlplane/build-helm.sh')], { maxBuffer: 16 << 20 });
    helm = built.stdout.trim().split('\n').pop() as string;
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

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

  it('installs into a real control plane: CRDs, RBAC, ServiceAccount, Service and the operator Deployment', async () => {
    await cp.kubectl(['create', 'namespace', 'fluxora-system']);
    const rendered = await template('--include-crds', '--set', 'image.repository=fluxora,image.tag=e2e');
    const applied = await cp.kubectl(['apply', '--server-side', '-f', '-'], rendered);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
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
});
