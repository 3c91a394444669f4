import { readFileSync } from 'node:fs';
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import yaml from 'js-yaml';
import { allCrds } from '../../crds/generate.ts';
import { toYaml } from '../../crds/yaml.ts';
import { restrictedContainerSecurity } from '../controllers/shared/children.ts';
import { OPERATOR_ENV } from '../process-env.ts';
import { clusterRules, leaderElectionRules } from '../rbac.ts';
import {
  type CrdSpec,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeCustomResourceDefinition,
  KubeDeployment,
  KubeNamespace,
  KubeRole,
  KubeRoleBinding,
  KubeService,
  KubeServiceAccount,
  type ObjectProps,
} from './k8s.ts';

/** INSTALL_PATH is where the plain install manifest is generated, relative to the repository root. */
export const INSTALL_PATH = 'charts/install.yaml';

/**
 * InstallOptions are the settings of the plain install: the chart's values
 * (charts/fluxora/values.yaml) with the release named `fluxora`, so installing
 * with `kubectl apply` gives the same objects as `helm install fluxora`.
 */
export interface InstallOptions {
  namespace: string;
  /** Name of the Deployment, ServiceAccount, ClusterRole and bindings (the chart's fullname for release `fluxora`). */
  name: string;
  version: string;
  image: string;
  imagePullPolicy: string;
  replicas: number;
  leaderElect: boolean;
  workers: number;
  kubeApi: { qps: number; burst: number };
  logLevel: string;
  metricsPort: number;
  databaseSecret: { name: string; key: string };
  dataDir: string;
  workloadServiceAccount: string;
  watchNamespace: string;
  resources: V1ResourceRequirements;
}

interface ChartValues {
  image: { repository: string; tag: string; pullPolicy: string };
  replicaCount: number;
  leaderElection: { enabled: boolean };
  watchNamespace: string;
  workers: number;
  kubeApi: { qps: number; burst: number };
  logLevel: string;
  workload: { databaseSecret: { name: string; key: string }; dataDir: string; serviceAccount: string };
  metrics: { port: number };
  resources: V1ResourceRequirements;
}

/** installOptionsFromChart reads the chart's default values and appVersion, so the plain install cannot drift from the chart. */
export function installOptionsFromChart(): InstallOptions {
  const read = (file: string) => yaml.load(readFileSync(new URL(`../../charts/fluxora/${file}`, import.meta.url), 'utf8'));
  const values = read('values.yaml') as ChartValues;
  const version = (read('Chart.yaml') as { appVersion: string }).appVersion;
  return {
    namespace: 'fluxora-system',
    name: 'fluxora',
    version,
    image: `${values.image.repository}:${values.image.tag || version}`,
    imagePullPolicy: values.image.pullPolicy,
    replicas: values.replicaCount,
    leaderElect: values.leaderElection.enabled,
    workers: values.workers,
    kubeApi: values.kubeApi,
    logLevel: values.logLevel,
    metricsPort: values.metrics.port,
    databaseSecret: values.workload.databaseSecret,
    dataDir: values.workload.dataDir,
    workloadServiceAccount: values.workload.serviceAccount,
    watchNamespace: values.watchNamespace,
    resources: values.resources,
  };
}

/**
 * FluxoraInstall is everything the operator needs in a cluster: its namespace,
 * the five CRDs (crds/*.ts), its ServiceAccount, the ClusterRole and the
 * leader-election Role from operator/rbac.ts with their bindings, the operator
 * Deployment (replicas standing by behind a Lease, probes, the restricted
 * security profile, the chart's flags) and the metrics Service.
 */
export class FluxoraInstall extends Chart {
  constructor(scope: Construct, id: string, o: InstallOptions) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/name': 'fluxora', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/version': o.version, 'app.kubernetes.io/part-of': 'fluxora' };
    const selector = { 'app.kubernetes.io/name': 'fluxora', 'app.kubernetes.io/instance': o.name, 'app.kubernetes.io/component': 'operator' };
    const meta = (name: string, extra: Record<string, string> = {}): ObjectProps['metadata'] => ({ name, namespace: o.namespace, labels: { ...labels, ...extra } });
    const clusterMeta = (name: string): ObjectProps['metadata'] => ({ name, labels });
    const subjects = [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }];
    const leaderElection = `${o.name}-leader-election`;

    new KubeNamespace(this, 'namespace', { metadata: clusterMeta(o.namespace) });
    for (const crd of allCrds()) {
      const { metadata, spec } = crd as { metadata: ObjectProps['metadata']; spec: CrdSpec };
      new KubeCustomResourceDefinition(this, metadata.name, { metadata, spec });
    }
    new KubeServiceAccount(this, 'service-account', { metadata: meta(o.name) });
    new KubeClusterRole(this, 'cluster-role', { metadata: clusterMeta(o.name), rules: clusterRules });
    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: clusterMeta(o.name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.name },
      subjects,
    });
    new KubeRole(this, 'leader-election-role', { metadata: meta(leaderElection), rules: leaderElectionRules });
    new KubeRoleBinding(this, 'leader-election-role-binding', {
      metadata: meta(leaderElection),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaderElection },
      subjects,
    });
    new KubeDeployment(this, 'operator', {
      metadata: meta(o.name, { 'app.kubernetes.io/component': 'operator' }),
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(o.metricsPort) } },
          spec: {
            serviceAccountName: o.name,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'operator',
                image: o.image,
                imagePullPolicy: o.imagePullPolicy,
                args: [
                  'operator',
                  `--leader-elect=${o.leaderElect}`,
                  '--lease-namespace=$(POD_NAMESPACE)',
                  `--health-port=${o.metricsPort}`,
                  `--workers=${o.workers}`,
                  `--kube-api-qps=${o.kubeApi.qps}`,
                  `--kube-api-burst=${o.kubeApi.burst}`,
                  `--image=${o.image}`,
                  `--image-pull-policy=${o.imagePullPolicy}`,
                  `--database-secret=${o.databaseSecret.name}/${o.databaseSecret.key}`,
                  `--data-dir=${o.dataDir}`,
                  ...(o.workloadServiceAccount ? [`--workload-service-account=${o.workloadServiceAccount}`] : []),
                  ...(o.watchNamespace ? [`--namespace=${o.watchNamespace}`] : []),
                ],
                env: [
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'FLUXORA_LOG_LEVEL', value: o.logLevel },
                  ...Object.entries(OPERATOR_ENV).map(([name, value]) => ({ name, value })),
                ],
                ports: [{ name: 'metrics', containerPort: o.metricsPort, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, initialDelaySeconds: 10, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 5 },
                resources: o.resources,
                securityContext: restrictedContainerSecurity,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    });
    new KubeService(this, 'metrics', {
      metadata: meta(`${o.name}-metrics`, { 'app.kubernetes.io/component': 'operator' }),
      spec: { selector, ports: [{ name: 'metrics', port: o.metricsPort, targetPort: 'metrics', protocol: 'TCP' }] },
    });
  }
}

/** installYaml synthesizes the plain install manifest: one YAML stream, the Namespace and CRDs first. */
export function installYaml(o: InstallOptions = installOptionsFromChart()): string {
  const chart = new FluxoraInstall(new App(), 'fluxora', o);
  const header = `# Generated by \`npm run generate\` from operator/manifests/install.ts (CRDs from crds/*.ts, RBAC from
# operator/rbac.ts, defaults from charts/fluxora/values.yaml). Do not edit.
#
# Installs Fluxora without Helm (the objects of \`helm install fluxora charts/fluxora -n ${o.namespace}\` with default
# values, but for Helm's labels, plus the namespace and the CRDs):
#   kubectl apply --server-side -f ${INSTALL_PATH}
# Another image (the operator runs it and starts its workload pods with it):
#   sed 's#${o.image}#REGISTRY/fluxora:TAG#g' ${INSTALL_PATH} | kubectl apply --server-side -f -
`;
  return header + chart.apiObjects.map((obj) => `---\n${toYaml(obj.toJson())}`).join('');
}

/** installFiles returns the generated install manifest by path relative to the repository root. */
export function installFiles(): Map<string, string> {
  return new Map([[INSTALL_PATH, installYaml()]]);
}
