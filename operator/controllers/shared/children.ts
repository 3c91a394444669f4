import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1OwnerReference, V1PodSecurityContext, V1PodTemplateSpec, V1ResourceRequirements, V1SecurityContext, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Resource } from '../../../runtime/pipeline/resources.ts';
import { stableJson } from '../../../runtime/pipeline/versions.ts';
import { CONFIG_ENV, type RoleConfig, serializeRoleConfig } from '../../../runtime/contract/config.ts';
import { SOURCE_DATABASE_URL_ENV } from '../../../runtime/roles/source.ts';
import type { DatasetSpec } from '../../../crds/dataset.ts';
import { API_VERSION } from '../../../crds/common.ts';
import { MANAGED_BY, type OperatorOptions } from './options.ts';

/** KubeObject is a plain Kubernetes object as render functions produce it. */
export type KubeObject = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string; namespace?: string }; [k: string]: unknown };

/** ownerReference makes `parent` the controlling owner of a child, so deleting it garbage-collects the child. */
export function ownerReference(parent: Resource<unknown>): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: parent.kind, name: parent.name, uid: parent.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * childName derives a deterministic child name from the parent's name and a
 * suffix, within the 63-character limit of labels and Service names: the same
 * inputs always give the same name, so a stale cache cannot create twins.
 */
export function childName(parent: string, suffix: string, max = 63): string {
  const full = `${parent}-${suffix}`;
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

/** specHash is a short hash of inputs (for child names that change when the spec does). */
export function specHash(...inputs: unknown[]): string {
  const h = createHash('sha256');
  for (const i of inputs) h.update(stableJson(i)).update('\u0000');
  return h.digest('hex').slice(0, 8);
}

/** childLabels are the labels of every child of a parent. */
export function childLabels(parent: Resource<unknown>, component: string): Record<string, string> {
  return {
    ...MANAGED_BY,
    'app.kubernetes.io/name': 'fluxora',
    'app.kubernetes.io/component': component,
    [`fluxora.io/${parent.kind.toLowerCase()}`]: parent.name,
  };
}

/** restrictedSecurityContext meets the restricted Pod Security Standard. */
export const restrictedContainerSecurity: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** restrictedPodSecurity is the pod-level part of the restricted profile. */
export const restrictedPodSecurity: V1PodSecurityContext = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } };

/** stripStatus returns a resource without status, for role configs (pods get spec and identity only). */
export function identity<T extends Resource<unknown>>(r: T): T {
  return { kind: r.kind, name: r.name, namespace: r.namespace, generation: r.generation, uid: r.uid, spec: r.spec } as T;
}

/** datasetSources lists the env and volumes a Dataset's source needs in a pod. */
export function datasetSources(spec: DatasetSpec): { env: V1EnvVar[]; volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const env: V1EnvVar[] = [];
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const pg = spec.source.postgres;
  if (pg) env.push({ name: SOURCE_DATABASE_URL_ENV, valueFrom: { secretKeyRef: { name: pg.secretRef.name, key: pg.secretRef.key } } });
  const cm = (spec.source.csv ?? spec.source.jsonLines)?.configMapRef;
  if (cm) {
    volumes.push({ name: 'dataset-configmap', configMap: { name: cm.name } });
    mounts.push({ name: 'dataset-configmap', mountPath: `/etc/fluxora/configmaps/${cm.name}`, readOnly: true });
  }
  return { env, volumes, mounts };
}

/** WorkloadPodExtras are what a role adds to the common workload pod. */
export interface WorkloadPodExtras {
  env?: V1EnvVar[];
  volumes?: V1Volume[];
  mounts?: V1VolumeMount[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  restartPolicy?: string;
  container?: Partial<V1Container>;
}

/**
 * workloadPod renders the pod template of a workload role: the operator's image
 * running `fluxora ROLE` with the resolved config in FLUXORA_CONFIG, the store's
 * address from a Secret, a writable /tmp, the termination-message path for the
 * summary, and the restricted security profile.
 */
export function workloadPod(
  opts: OperatorOptions,
  config: RoleConfig,
  args: string[],
  extra: WorkloadPodExtras = {},
): V1PodTemplateSpec {
  return {
    metadata: { labels: extra.labels ?? {}, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      ...(extra.restartPolicy ? { restartPolicy: extra.restartPolicy } : {}),
      ...(opts.workloadServiceAccount ? { serviceAccountName: opts.workloadServiceAccount } : {}),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurity,
      containers: [
        {
          name: 'fluxora',
          image: opts.image,
          imagePullPolicy: opts.imagePullPolicy,
          args,
          env: [
            { name: CONFIG_ENV, value: serializeRoleConfig(config) },
            { name: 'FLUXORA_DATABASE_URL', valueFrom: { secretKeyRef: { name: opts.databaseSecret.name, key: opts.databaseSecret.key } } },
            { name: 'HOME', value: '/tmp' },
            ...(extra.env ?? []),
          ],
          // Quantities may be numbers in the CRD (int-or-string, as the API accepts); client-node types them as strings.
          ...(extra.resources ? { resources: extra.resources as V1ResourceRequirements } : {}),
          securityContext: restrictedContainerSecurity,
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'FallbackToLogsOnError',
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(extra.mounts ?? [])],
          ...(extra.container ?? {}),
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }, ...(extra.volumes ?? [])],
    },
  };
}
