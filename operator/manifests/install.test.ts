import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { allCrds } from '../../crds/generate.ts';
import { clusterRules, leaderElectionRules } from '../rbac.ts';
import { INSTALL_PATH, installOptionsFromChart, installYaml } from './install.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests walk parsed manifests freely.
type Any = any;

const docs = async () => yaml.loadAll(await readFile(new URL(`../../${INSTALL_PATH}`, import.meta.url), 'utf8')) as Any[];

describe('charts/install.yaml', () => {
  it('parses, namespace and CRDs first, every CRD exactly as crds/*.ts generates it', async () => {
    const all = await docs();
    expect(all.every((d) => d && typeof d.kind === 'string' && d.metadata?.name)).toBe(true);
    expect(all.map((d) => d.kind)).toEqual([
      'Namespace',
      ...allCrds().map(() => 'CustomResourceDefinition'),
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
    ]);
    expect(all.filter((d) => d.kind === 'CustomResourceDefinition')).toEqual(allCrds());
    const namespaced = all.filter((d) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind));
    expect(new Set(namespaced.map((d) => d.metadata.namespace))).toEqual(new Set(['fluxora-system']));
  });

  it('grants the ServiceAccount exactly the RBAC of operator/rbac.ts, never Secrets', async () => {
    const all = await docs();
    const one = (kind: string) => all.filter((d) => d.kind === kind)[0];
    expect(one('ClusterRole').rules).toEqual(clusterRules);
    expect(one('Role').rules).toEqual(leaderElectionRules);
    const subject = { kind: 'ServiceAccount', name: one('ServiceAccount').metadata.name, namespace: 'fluxora-system' };
    expect(one('ClusterRoleBinding')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: one('ClusterRole').metadata.name }, subjects: [subject] });
    expect(one('RoleBinding')).toMatchObject({ roleRef: { kind: 'Role', name: one('Role').metadata.name }, subjects: [subject] });
    expect(one('Deployment').spec.template.spec.serviceAccountName).toBe(subject.name);
    expect(JSON.stringify([one('ClusterRole'), one('Role')])).not.toMatch(/secrets/);
  });

  it('runs two restricted operator replicas with leader election, probes and the chart default flags', async () => {
    const all = await docs();
    const dep = all.find((d) => d.kind === 'Deployment');
    const o = installOptionsFromChart();
    expect(dep.spec.replicas).toBe(2);
    const pod = dep.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.image).toBe('ghcr.io/fluxora/fluxora:0.1.0');
    expect(c.args).toEqual([
      'operator',
      '--leader-elect=true',
      '--lease-namespace=$(POD_NAMESPACE)',
      '--health-port=8081',
      '--workers=2',
      '--kube-api-qps=20',
      '--kube-api-burst=30',
      '--image=ghcr.io/fluxora/fluxora:0.1.0',
      '--image-pull-policy=IfNotPresent',
      '--database-secret=fluxora-db/uri',
      '--data-dir=/data',
    ]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.resources).toEqual(o.resources);
    const svc = all.find((d) => d.kind === 'Service');
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 8081, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('passes optional chart values through as the chart template does', () => {
    const docsOf = (text: string) => yaml.loadAll(text) as Any[];
    const dep = docsOf(installYaml({ ...installOptionsFromChart(), workloadServiceAccount: 'fluxora-workload', watchNamespace: 'ml' })).find((d) => d.kind === 'Deployment');
    expect(dep.spec.template.spec.containers[0].args.slice(-2)).toEqual(['--workload-service-account=fluxora-workload', '--namespace=ml']);
  });

  it('is deterministic', () => {
    expect(installYaml()).toBe(installYaml());
  });
});
