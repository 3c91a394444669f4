import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_PATH } from '../../operator/manifests/install.ts';
import { clusterRules, leaderElectionRules, type PolicyRule } from '../../operator/rbac.ts';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';

const exec = promisify(execFile);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const install = path.join(root, INSTALL_PATH);
const SA = 'system:serviceaccount:fluxora-system:fluxora';

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests.
type Any = any;

/** checks lists one `kubectl auth can-i` question per verb and resource (with its group) of some rules. */
function checks(rules: PolicyRule[]): { verb: string; resource: string }[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) => {
        const [name, sub] = res.split('/');
        const resource = `${name}${g ? `.${g}` : ''}${sub ? `/${sub}` : ''}`;
        return r.verbs.map((verb) => ({ verb, resource }));
      }),
    ),
  );
}

describe('the plain install manifest (charts/install.yaml)', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  /** canI asks the API server whether the operator's ServiceAccount may do each thing, a few at a time. */
  async function canI(questions: { verb: string; resource: string }[], namespace: string): Promise<string[]> {
    const answers: string[] = [];
    for (let i = 0; i < questions.length; i += 6) {
      const batch = questions.slice(i, i + 6).map(async ({ verb, resource }) => {
        const r = await cp.kubectl(['auth', 'can-i', verb, resource, `--as=${SA}`, '-n', namespace]);
        return `${verb} ${resource} in ${namespace}: ${r.stdout.trim()}`;
      });
      answers.push(...(await Promise.all(batch)));
    }
    return answers;
  }

  it('applies with kubectl apply --server-side, and again without changes', async () => {
    const applied = await cp.kubectl(['apply', '--server-side', '-f', install]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const again = await cp.kubectl(['apply', '--server-side', '-f', install]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('deployment.apps/fluxora serverside-applied');
  });

  it('creates every object of the manifest', async () => {
    const docs = yaml.loadAll(await readFile(install, 'utf8')) as Any[];
    const names = await cp.kubectl(['get', 'namespace,crd,clusterrole,clusterrolebinding', '-l', 'app.kubernetes.io/name=fluxora', '-o', 'name']);
    const namespaced = await cp.kubectl(['get', 'serviceaccount,role,rolebinding,deployment,service', '-n', 'fluxora-system', '-l', 'app.kubernetes.io/name=fluxora', '-o', 'name']);
    const found = [...names.stdout.split('\n'), ...namespaced.stdout.split('\n')].filter(Boolean).map((n) => n.split('/')[1]);
    for (const d of docs) expect(found, `${d.kind} ${d.metadata.name}`).toContain(d.metadata.name);
    expect(found).toHaveLength(docs.length);
    const established = await cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '-l', 'app.kubernetes.io/part-of=fluxora']);
    expect(established.code).toBe(0);
    const dep = JSON.parse((await cp.kubectl(['get', 'deployment', 'fluxora', '-n', 'fluxora-system', '-o', 'json'])).stdout);
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
  });

  it("grants the operator's ServiceAccount exactly what operator/rbac.ts lists", async () => {
    const granted = [...(await canI(checks(clusterRules), 'ml')), ...(await canI(checks(leaderElectionRules), 'fluxora-system'))];
    expect(granted.filter((a) => !a.endsWith(': yes'))).toEqual([]);
    const denied = await canI(
      [
        { verb: 'get', resource: 'secrets' },
        { verb: 'list', resource: 'secrets' },
        { verb: 'delete', resource: 'datasets.fluxora.io' },
        { verb: 'create', resource: 'pods' },
        { verb: 'get', resource: 'configmaps' },
        { verb: 'update', resource: 'leases.coordination.k8s.io' },
      ],
      'ml',
    );
    expect(denied.filter((a) => !a.endsWith(': no'))).toEqual([]);
  });

  it('installs the same operator as the Helm chart with its default values', async () => {
    const built = await exec('bash', [path.join(root, 'test/e2e/controlplane/build-helm.sh')], { maxBuffer: 16 << 20 });
    const helm = built.stdout.trim().split('\n').pop() as string;
    const rendered = (await exec(helm, ['template', 'fluxora', path.join(root, 'charts/fluxora'), '-n', 'fluxora-system', '--kube-version', '1.34.4'], { maxBuffer: 16 << 20 })).stdout;
    const chart = (yaml.loadAll(rendered) as Any[]).filter(Boolean);
    const plain = (yaml.loadAll(await readFile(install, 'utf8')) as Any[]).filter((d) => !['Namespace', 'CustomResourceDefinition'].includes(d.kind));
    const key = (d: Any) => `${d.kind}/${d.metadata.name}`;
    expect(plain.map(key).sort()).toEqual(chart.map(key).sort());
    for (const c of chart) {
      const p = plain.find((d) => key(d) === key(c));
      const { metadata: _cm, ...chartBody } = c;
      const { metadata: _pm, ...plainBody } = p;
      expect(plainBody, key(c)).toEqual(chartBody);
      expect(p.metadata.namespace, key(c)).toBe(c.metadata.namespace);
    }
  });
});
