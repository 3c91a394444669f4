import { describe, expect, it } from 'vitest';
import { datasetSpec } from '../../crds/dataset.ts';
import { driftMonitorSpec } from '../../crds/drift-monitor.ts';
import { featureSetSpec } from '../../crds/feature-set.ts';
import { modelDeploymentSpec } from '../../crds/model-deployment.ts';
import { trainingJobSpec } from '../../crds/training-job.ts';
import type { Resource } from '../../runtime/pipeline/resources.ts';
import { renderDataset } from '../controllers/dataset/render.ts';
import { renderDriftMonitor, renderRetrain } from '../controllers/drift-monitor/render.ts';
import { renderMaterializeJob } from '../controllers/feature-set/render.ts';
import { renderModelDeployment } from '../controllers/model-deployment/render.ts';
import { defaultOperatorOptions as opts } from '../controllers/shared/options.ts';
import { renderTrainingJob } from '../controllers/training-job/render.ts';
import { KubeJob, KubeService } from './k8s.ts';
import { synth } from './synth.ts';

function res<S>(kind: string, name: string, spec: S): Resource<S> {
  return { kind, name, namespace: 'ml', uid: `uid-${name}`, generation: 1, spec };
}

/** keysSorted is true when every object in `v` lists its keys in sorted order (apiVersion, kind, metadata first at the top). */
function keysSorted(v: unknown, top = true): boolean {
  if (Array.isArray(v)) return v.every((e) => keysSorted(e, false));
  if (typeof v !== 'object' || v === null) return true;
  const keys = Object.keys(v);
  const body = top ? keys.filter((k) => !['apiVersion', 'kind', 'metadata'].includes(k)) : keys;
  return body.every((k, i) => i === 0 || body[i - 1] < k) && Object.values(v).every((e) => keysSorted(e, false));
}

const ds = res('Dataset', 'grid', datasetSpec.parse({ source: { postgres: { secretRef: { name: 'db', key: 'uri' }, query: 'select 1' } }, columns: [{ name: 'load' }], refresh: { schedule: '0 3 * * *' } }));
const fs = res('FeatureSet', 'grid', featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load', materialize: { enabled: true } }));
const tj = res('TrainingJob', 'grid-mlp', trainingJobSpec.parse({ featureSetRef: { name: 'grid' }, model: { algorithm: 'mlp' }, registry: { model: 'grid' }, tuning: { trials: 6, parallelism: 2, searchSpace: { learningRate: { min: 0.001, max: 0.1, scale: 'log' } } } }));
const md = res('ModelDeployment', 'grid', modelDeploymentSpec.parse({ model: { name: 'grid', alias: 'production' }, auth: { apiKeySecretRef: { name: 'keys' } } }));
const dm = res('DriftMonitor', 'grid', driftMonitorSpec.parse({ modelDeploymentRef: { name: 'grid' }, schedule: '*/30 * * * *' }));

const renders: [string, () => unknown][] = [
  ['Dataset', () => renderDataset(ds, opts)],
  ['FeatureSet', () => renderMaterializeJob(fs, ds, 'v0123456789abcdef', opts)],
  ['TrainingJob', () => renderTrainingJob(tj, { featureSet: fs, dataset: ds }, opts, true)],
  ['ModelDeployment', () => renderModelDeployment(md, { name: 'grid', version: 3 }, 2, opts)],
  ['DriftMonitor', () => renderDriftMonitor(dm, md, { name: 'grid', version: 3 }, opts)],
  ['retrain', () => renderRetrain(dm, tj, 3)],
];

describe('synthesized children', () => {
  it.each(renders)('%s renders byte-identical JSON on every call, keys sorted, no undefined fields', (_kind, render) => {
    const first = JSON.stringify(render());
    for (let i = 0; i < 3; i++) expect(JSON.stringify(render())).toBe(first);
    const parsed = JSON.parse(first);
    expect(keysSorted(parsed)).toBe(true);
    // What the API gets is exactly the synthesized object: nothing is lost or added by serialization.
    expect(parsed).toStrictEqual(render());
  });

  it('does not depend on the order props were written in', () => {
    const a = synth((c) => {
      new KubeService(c, 's', { metadata: { name: 'x', namespace: 'ml' }, spec: { selector: { a: '1' }, ports: [{ port: 80, name: 'http' }] } });
    });
    const b = synth((c) => {
      new KubeService(c, 's', { spec: { ports: [{ name: 'http', port: 80 }], selector: { a: '1' } }, metadata: { namespace: 'ml', name: 'x' } });
    });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('keeps empty objects and lists in the body (emptyDir: {}) and drops undefined fields and empty metadata', () => {
    const [job] = synth((c) => {
      new KubeJob(c, 'j', {
        metadata: { name: 'j', annotations: {} },
        spec: { backoffLimit: undefined, template: { spec: { containers: [{ name: 'c', args: [] }], volumes: [{ name: 'tmp', emptyDir: {} }] } } },
      });
    });
    expect(job).toEqual({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c', args: [] }], volumes: [{ name: 'tmp', emptyDir: {} }] } } } });
    expect('backoffLimit' in (job.spec as object)).toBe(false);
  });
});
