import { describe, expect, it } from 'vitest';
import { datasetSpec } from '../../crds/dataset.ts';
import { driftMonitorSpec } from '../../crds/drift-monitor.ts';
import { featureSetSpec } from '../../crds/feature-set.ts';
import { modelDeploymentSpec } from '../../crds/model-deployment.ts';
import { trainingJobSpec } from '../../crds/training-job.ts';
import type { Resource } from '../../runtime/pipeline/resources.ts';
import { profileJobName, renderDataset } from './dataset/render.ts';
import { renderDriftMonitor, renderRetrain } from './drift-monitor/render.ts';
import { MODEL_VERSION_ANNOTATION, renderModelDeployment, TEMPLATE_HASH_ANNOTATION } from './model-deployment/render.ts';
import { childName } from './shared/children.ts';
import { defaultOperatorOptions as opts } from './shared/options.ts';
import { renderTrainingJob } from './training-job/render.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests walk rendered objects freely.
type Any = any;

function res<S>(kind: string, name: string, spec: S): Resource<S> {
  return { kind, name, namespace: 'ml', uid: `uid-${name}`, generation: 1, spec };
}

const ds = res('Dataset', 'grid', datasetSpec.parse({ source: { csv: { path: 'grid.csv' } }, columns: [{ name: 'load' }] }));
const fs = res('FeatureSet', 'grid', featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load' }));
const tjSpec = (extra: object) => trainingJobSpec.parse({ featureSetRef: { name: 'grid' }, model: { algorithm: 'mlp' }, registry: { model: 'grid' }, ...extra });
const md = res('ModelDeployment', 'grid', modelDeploymentSpec.parse({ model: { name: 'grid', alias: 'production' }, auth: { apiKeySecretRef: { name: 'keys' } } }));

function container(obj: Any) {
  const spec = obj.spec.template ?? obj.spec.jobTemplate.spec.template;
  return spec.spec.containers[0];
}

describe('render', () => {
  it('names children deterministically and within 63 characters', () => {
    expect(childName('grid', 'train')).toBe('grid-train');
    const long = childName('a'.repeat(60), 'profile-0123abcd');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(childName('a'.repeat(60), 'profile-0123abcd')).toBe(long);
    expect(childName('a'.repeat(60), 'profile-0123abce')).not.toBe(long);
  });

  it('profiles a Dataset in a Job named after its spec, owned, restricted, with the summary path', () => {
    const [job] = renderDataset(ds, opts) as Any[];
    expect(job.kind).toBe('Job');
    expect(job.metadata.name).toBe(profileJobName(ds));
    expect(profileJobName(res('Dataset', 'grid', { ...ds.spec, timestampColumn: 'ts' }))).not.toBe(job.metadata.name);
    expect(job.metadata.ownerReferences).toEqual([
      { apiVersion: 'fluxora.io/v1alpha1', kind: 'Dataset', name: 'grid', uid: 'uid-grid', controller: true, blockOwnerDeletion: true },
    ]);
    const c = container(job);
    expect(c.args).toEqual(['profile']);
    expect(c.image).toBe(opts.image);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(job.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    const config = JSON.parse(c.env.find((e: Any) => e.name === 'FLUXORA_CONFIG').value);
    expect(config).toMatchObject({ role: 'profile', dataset: { name: 'grid', spec: ds.spec } });
    expect(c.env.find((e: Any) => e.name === 'FLUXORA_DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'fluxora-db', key: 'uri' });
    expect(JSON.stringify(job)).not.toContain('password');
  });

  it('adds a refresh CronJob, Secret env for postgres and a ConfigMap mount', () => {
    const pg = res('Dataset', 'pg', datasetSpec.parse({ source: { postgres: { secretRef: { name: 'db', key: 'uri' }, query: 'select 1' } }, columns: [{ name: 'load' }], refresh: { schedule: '0 3 * * *' } }));
    const children = renderDataset(pg, opts) as Any[];
    expect(children.map((c) => c.kind)).toEqual(['Job', 'CronJob']);
    expect(children[1].spec.schedule).toBe('0 3 * * *');
    expect(container(children[1]).env).toContainEqual({ name: 'FLUXORA_SOURCE_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'uri' } } });
    const cm = res('Dataset', 'cm', datasetSpec.parse({ source: { csv: { configMapRef: { name: 'data', key: 'grid.csv' } } }, columns: [{ name: 'load' }] }));
    const [job] = renderDataset(cm, opts) as Any[];
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'dataset-configmap', configMap: { name: 'data' } });
  });

  it('runs tuning trials as an Indexed Job, then the final Job', () => {
    const tj = res('TrainingJob', 'grid-mlp', tjSpec({ tuning: { trials: 6, parallelism: 2, searchSpace: { learningRate: { min: 0.001, max: 0.1, scale: 'log' } } } }));
    const before = renderTrainingJob(tj, { featureSet: fs, dataset: ds }, opts, false) as Any[];
    expect(before.map((j) => j.metadata.name)).toEqual(['grid-mlp-trials-g1']);
    expect(before[0].spec).toMatchObject({ completionMode: 'Indexed', completions: 6, parallelism: 2 });
    expect(container(before[0]).args).toEqual(['train', '--trial', '$(JOB_COMPLETION_INDEX)']);
    const after = renderTrainingJob(tj, { featureSet: fs, dataset: ds }, opts, true) as Any[];
    expect(after.map((j) => j.metadata.name)).toEqual(['grid-mlp-trials-g1', 'grid-mlp-train-g1']);
    expect(container(after[1]).args).toEqual(['train']);
    const plain = renderTrainingJob(res('TrainingJob', 'grid-lin', tjSpec({})), { featureSet: fs, dataset: ds }, opts, false) as Any[];
    expect(plain.map((j) => j.metadata.name)).toEqual(['grid-lin-train-g1']);
    expect(plain[0].spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 3600 });
  });

  it('serves a pinned model version through a rolling update that keeps old pods until new ones are Ready', () => {
    const [dep, svc] = renderModelDeployment(md, { name: 'grid', version: 3, alias: 'production' }, 2, opts) as Any[];
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(dep.spec.template.metadata.annotations[MODEL_VERSION_ANNOTATION]).toBe('3');
    const c = container(dep);
    expect(c.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(c.env).toContainEqual({ name: 'FLUXORA_API_KEY_FILE', value: '/etc/fluxora/auth/api-key' });
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    const [dep4] = renderModelDeployment(md, { name: 'grid', version: 4 }, 2, opts) as Any[];
    expect(dep4.spec.template.metadata.annotations[MODEL_VERSION_ANNOTATION]).toBe('4');
    // Pods carry the hash of their template: equal for equal templates (replicas aside), different for any template change.
    const hash = (d: Any) => d.spec.template.metadata.annotations[TEMPLATE_HASH_ANNOTATION];
    expect(hash(dep)).toMatch(/^[0-9a-f]{8}$/);
    expect(hash(renderModelDeployment(md, { name: 'grid', version: 3, alias: 'production' }, 5, opts)[0])).toBe(hash(dep));
    expect(hash(dep4)).not.toBe(hash(dep));
    const otherSecret = res('ModelDeployment', 'grid', { ...md.spec, auth: { apiKeySecretRef: { name: 'other', key: 'api-key' } } });
    expect(hash(renderModelDeployment(otherSecret, { name: 'grid', version: 3, alias: 'production' }, 2, opts)[0])).not.toBe(hash(dep));
  });

  it('checks drift on a schedule and retrains from the source spec under a deterministic name', () => {
    const dm = res('DriftMonitor', 'grid', driftMonitorSpec.parse({ modelDeploymentRef: { name: 'grid' }, schedule: '*/30 * * * *' }));
    const [cron] = renderDriftMonitor(dm, md, { name: 'grid', version: 3 }, opts) as Any[];
    expect(cron.spec.schedule).toBe('*/30 * * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(container(cron).args).toEqual(['drift']);
    const source = res('TrainingJob', 'grid-mlp', tjSpec({}));
    const retrain = renderRetrain(dm, source, 3) as Any;
    expect(retrain.metadata.name).toBe('grid-retrain-v3');
    expect(retrain.spec).toEqual(source.spec);
  });
});
