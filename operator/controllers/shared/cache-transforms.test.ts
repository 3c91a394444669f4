import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FIELD_MANAGER } from '../../kube/apply.ts';
import { applyReason } from '../../kube/desired-state.ts';
import { mapToOwner } from '../../kube/map-functions.ts';
import { internFields, LAST_APPLIED, trimObject } from '../../kube/transform.ts';
import { CACHE_TRANSFORMS, type ReconcileContext } from './context.ts';
import { observeJob } from './kit.ts';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are API-server JSON.
type Any = any;

const clone = <T>(o: T): T => structuredClone(o);
const owner = { apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', name: 'tj', uid: 'u1', controller: true, blockOwnerDeletion: true };
const labels = { 'app.kubernetes.io/managed-by': 'fluxora', 'app.kubernetes.io/instance': 'tj', 'app.kubernetes.io/component': 'train' };
const template = {
  metadata: { labels },
  spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'fluxora:1', args: ['train'], env: [{ name: 'FLUXORA_CONFIG', value: '{"big":"json"}' }] }] },
};
const foreign = { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'batch/v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:active': {} } } };

const job: Any = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: 'tj-train-1',
    namespace: 'ml',
    resourceVersion: '42',
    uid: 'j1',
    labels,
    ownerReferences: [owner],
    annotations: { [LAST_APPLIED]: '{"whole":"object"}' },
    managedFields: [
      { manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'batch/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
      foreign,
    ],
  },
  spec: { backoffLimit: 0, template },
  status: {
    active: 0,
    succeeded: 1,
    startTime: '2026-01-01T00:00:00Z',
    completionTime: '2026-01-01T00:05:00Z',
    conditions: [{ type: 'Complete', status: 'True' }],
  },
};

const pod: Any = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'tj-train-1-abcde',
    namespace: 'ml',
    resourceVersion: '43',
    labels: { ...labels, 'batch.kubernetes.io/job-name': 'tj-train-1', 'job-name': 'tj-train-1' },
    annotations: { 'batch.kubernetes.io/job-completion-index': '0', 'fluxora.io/template-hash': 'abc' },
    deletionTimestamp: '2026-01-01T00:06:00Z',
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'tj-train-1', uid: 'j1', controller: true }],
    managedFields: [foreign],
  },
  spec: { ...template.spec, nodeName: 'n1', volumes: [{ name: 'kube-api-access', projected: { sources: [] } }] },
  status: {
    phase: 'Succeeded',
    podIP: '10.0.0.5',
    hostIP: '127.0.0.1',
    qosClass: 'BestEffort',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'train', state: { terminated: { exitCode: 0, reason: 'Completed', message: '{"model":{"version":3}}', finishedAt: '2026-01-01T00:04:59Z' } } }],
  },
};

const deploymentDesired: Any = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'md', namespace: 'ml', labels, ownerReferences: [owner] },
  spec: { replicas: 2, selector: { matchLabels: labels }, template },
};
const deploymentLive: Any = {
  ...clone(deploymentDesired),
  metadata: {
    ...clone(deploymentDesired.metadata),
    resourceVersion: '7',
    generation: 1,
    annotations: { 'deployment.kubernetes.io/revision': '1', [LAST_APPLIED]: '{}' },
    managedFields: [
      {
        manager: FIELD_MANAGER,
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {}, 'f:paused': {} } },
      },
      foreign,
    ],
  },
  status: { replicas: 2, readyReplicas: 2 },
};

function contextWithPods(pods: KubernetesObject[]): ReconcileContext {
  return { informers: { Pod: { list: (ns?: string) => pods.filter((p) => p.metadata?.namespace === ns) } } } as unknown as ReconcileContext;
}

describe('informer cache transforms', () => {
  it('trims a Job to metadata and status: observeJob and the owner mapping see the same', () => {
    const trimmedJob = CACHE_TRANSFORMS.Job(clone(job));
    const trimmedPod = CACHE_TRANSFORMS.Pod(clone(pod));
    expect(trimmedJob.spec).toBeUndefined();
    expect(trimmedJob.metadata.managedFields).toBeUndefined();
    expect(trimmedJob.metadata.annotations).toBeUndefined();
    expect(trimmedPod.spec).toBeUndefined();
    expect(Object.keys(trimmedPod.status).sort()).toEqual(['conditions', 'containerStatuses', 'phase', 'podIP']);
    const before = observeJob(contextWithPods([pod]), job);
    const after = observeJob(contextWithPods([trimmedPod]), trimmedJob);
    expect(after).toEqual(before);
    expect(after?.terminated[0].message).toBe('{"model":{"version":3}}');
    const toOwner = mapToOwner({ kind: 'TrainingJob', group: 'fluxora.io' });
    expect(toOwner(trimmedJob)).toEqual(['ml/tj']);
    expect(trimmedPod.metadata.labels['batch.kubernetes.io/job-name']).toBe('tj-train-1');
    // The progress scrape and the rollout count read these.
    expect(trimmedPod.metadata.annotations).toEqual(pod.metadata.annotations);
    expect(trimmedPod.metadata.deletionTimestamp).toBe(pod.metadata.deletionTimestamp);
    expect(JSON.stringify(trimmedJob).length).toBeLessThan(JSON.stringify(job).length / 2);
  });

  it('reports a Job without startTime yet as started at its creation', () => {
    const fresh = { ...clone(job), metadata: { ...clone(job.metadata), creationTimestamp: '2026-01-01T00:00:00Z' }, status: {} };
    expect(observeJob(contextWithPods([]), fresh)?.startTime).toBe('2026-01-01T00:00:00Z');
    expect(observeJob(contextWithPods([]), { ...fresh, status: { startTime: '2026-01-01T00:00:01Z' } })?.startTime).toBe('2026-01-01T00:00:01Z');
  });

  it('keeps what applyReason compares on applied children: spec, labels, the operator’s own managedFields', () => {
    const trimmed = CACHE_TRANSFORMS.applied(clone(deploymentLive));
    expect(trimmed.metadata.managedFields.map((m: Any) => m.manager)).toEqual([FIELD_MANAGER]);
    expect(trimmed.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    const check = { fieldManager: FIELD_MANAGER };
    // The live object still owns spec.paused, which desired dropped: both see it.
    expect(applyReason(deploymentDesired, deploymentLive, check)).toBe('drops spec.paused');
    expect(applyReason(deploymentDesired, trimmed, check)).toBe('drops spec.paused');
    const changed = { ...deploymentDesired, spec: { ...deploymentDesired.spec, replicas: 3 } };
    expect(applyReason(changed, trimmed, check)).toBe(applyReason(changed, deploymentLive, check));
    const noEntry = CACHE_TRANSFORMS.applied(clone({ ...deploymentLive, metadata: { ...deploymentLive.metadata, managedFields: [foreign] } }));
    expect(applyReason(deploymentDesired, noEntry, check)).toBe(`not applied by ${FIELD_MANAGER} yet`);
  });

  it('keeps spec, status and the status apply entry of custom resources', () => {
    const tj: Any = {
      apiVersion: 'fluxora.io/v1alpha1',
      kind: 'TrainingJob',
      metadata: {
        name: 'tj',
        namespace: 'ml',
        generation: 2,
        resourceVersion: '9',
        annotations: { [LAST_APPLIED]: '{}', keep: 'me' },
        managedFields: [
          { manager: 'kubectl-client-side-apply', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
          { manager: FIELD_MANAGER, operation: 'Apply', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:phase': {} } } },
        ],
      },
      spec: { featureSetRef: { name: 'f' } },
      status: { phase: 'Running', observedGeneration: 2 },
    };
    const trimmed = CACHE_TRANSFORMS.applied(clone(tj));
    expect(trimmed.spec).toEqual(tj.spec);
    expect(trimmed.status).toEqual(tj.status);
    expect(trimmed.metadata.annotations).toEqual({ keep: 'me' });
    const desired = { apiVersion: tj.apiVersion, kind: tj.kind, metadata: { name: 'tj', namespace: 'ml' }, status: { phase: 'Running', observedGeneration: 2 } };
    const check = { fieldManager: FIELD_MANAGER, subresource: 'status' as const };
    expect(applyReason(desired, trimmed, check)).toBeUndefined();
    expect(applyReason(desired, trimmed, check)).toBe(applyReason(desired, tj, check));
  });

  it('shares equal managedFields trees between objects, frozen', () => {
    const a = CACHE_TRANSFORMS.applied(clone(deploymentLive));
    const b = CACHE_TRANSFORMS.applied(clone(deploymentLive));
    expect(a.metadata.managedFields[0].fieldsV1).toBe(b.metadata.managedFields[0].fieldsV1);
    expect(Object.isFrozen(a.metadata.managedFields[0].fieldsV1['f:spec'])).toBe(true);
    expect(internFields({ 'f:x': {} })).not.toBe(a.metadata.managedFields[0].fieldsV1);
    expect(internFields(undefined)).toBeUndefined();
  });

  it('is idempotent and keeps identity fields', () => {
    const once = trimObject(clone(job), { drop: ['spec'] });
    const twice = trimObject(clone(once), { drop: ['spec'] });
    expect(twice).toEqual(once);
    expect(once.metadata).toMatchObject({ name: 'tj-train-1', namespace: 'ml', resourceVersion: '42', uid: 'j1' });
  });
});
