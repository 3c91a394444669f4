import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';

const root = new URL('../../', import.meta.url).pathname;

function crdStream(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${root}bin/fluxora.mjs`, 'crds'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`fluxora crds exited ${code}`))));
  });
}

describe('admission on a real kube-apiserver', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
    const applied = await cp.kubectl(['apply', '--server-side', '-f', '-'], await crdStream());
    expect(applied.stderr).toBe('');
    const established = await cp.kubectl(['wait', '--for=condition=Established', 'crd', '-l', 'app.kubernetes.io/name=fluxora', '--timeout=60s']);
    expect(established.code).toBe(0);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('accepts every example and shows them under the fluxora category and short names', async () => {
    await cp.kubectl(['create', 'namespace', 'examples']);
    const files = ['dataset', 'featureset', 'trainingjob', 'modeldeployment', 'driftmonitor'].flatMap((k) => ['-f', `${root}examples/${k}.yaml`]);
    const r = await cp.kubectl(['apply', '-n', 'examples', ...files, '-f', `${root}examples/energy-forecast/pipeline.yaml`, '--dry-run=server']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const real = await cp.kubectl(['apply', '-n', 'examples', '-f', `${root}examples/energy-forecast/pipeline.yaml`]);
    expect(real.code).toBe(0);
    const all = await cp.kubectl(['get', 'fluxora', '-n', 'examples', '-o', 'name']);
    expect(all.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'dataset.fluxora.io/grid-load',
      'driftmonitor.fluxora.io/grid-load',
      'featureset.fluxora.io/grid-load',
      'modeldeployment.fluxora.io/grid-load',
      'trainingjob.fluxora.io/grid-load-mlp',
    ]);
    const tj = await cp.kubectl(['get', 'tj', '-n', 'examples']);
    expect(tj.stdout).toMatch(/^NAME\s+READY\s+PHASE\s+MODEL\s+VERSION\s+MAE\s+MASE\s+BASELINE\s+AGE/);
    const defaults = await cp.kubectl(['get', 'tj', 'grid-load-mlp', '-n', 'examples', '-o', 'jsonpath={.spec.activeDeadlineSeconds} {.spec.split.validation}']);
    expect(defaults.stdout).toBe('3600 0.15');
    const explain = await cp.kubectl(['explain', 'trainingjob.spec.model.algorithm']);
    expect(explain.stdout).toContain('Model family: seasonalNaive (the baseline');
  });

  it.each([
    [
      'minReplicas above maxReplicas (CEL)',
      'kind: ModelDeployment\nmetadata: {name: bad}\nspec:\n  model: {name: m}\n  autoscaling: {minReplicas: 5, maxReplicas: 2}',
      /spec\.autoscaling\.minReplicas: Invalid value: .*minReplicas must not exceed maxReplicas/,
    ],
    [
      'two data sources (CEL)',
      'kind: Dataset\nmetadata: {name: bad}\nspec:\n  source: {csv: {path: a.csv}, postgres: {secretRef: {name: db}, query: select 1}}\n  columns: [{name: load}]',
      /spec\.source: Invalid value: .*exactly one data source/,
    ],
    ['an unknown model type (schema)', 'kind: TrainingJob\nmetadata: {name: bad}\nspec:\n  featureSetRef: {name: f}\n  registry: {model: m}\n  model: {algorithm: xgboostt, epochs: -1}', /(?=[\s\S]*spec\.model\.algorithm: Unsupported value: "xgboostt")[\s\S]*spec\.model\.epochs: Invalid value: -1/],
    ['splits leaving nothing to train on (CEL)', 'kind: TrainingJob\nmetadata: {name: bad}\nspec:\n  featureSetRef: {name: f}\n  registry: {model: m}\n  model: {algorithm: mlp}\n  split: {validation: 0.95}', /spec\.split: Invalid value: .*must stay under 0\.9/],
    ['a zero lag (schema)', 'kind: FeatureSet\nmetadata: {name: bad}\nspec:\n  datasetRef: {name: d}\n  target: load\n  lags: [{column: load, steps: [0]}]', /spec\.lags\[0\]\.steps\[0\]: Invalid value: 0/],
  ])('rejects %s with the field path', async (_what, body, message) => {
    const r = await cp.kubectl(['apply', '-n', 'examples', '-f', '-'], `apiVersion: fluxora.io/v1alpha1\n${body}\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('keeps references immutable where changing them makes no sense', async () => {
    const r = await cp.kubectl(['patch', 'tj', 'grid-load-mlp', '-n', 'examples', '--type=merge', '-p', '{"spec":{"featureSetRef":{"name":"other"}}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.featureSetRef: Invalid value: .*featureSetRef is immutable/);
  });

  it('scales a ModelDeployment through the scale subresource', async () => {
    await cp.kubectl(['apply', '-n', 'examples', '-f', '-'], 'apiVersion: fluxora.io/v1alpha1\nkind: ModelDeployment\nmetadata: {name: fixed}\nspec:\n  model: {name: m}\n  replicas: 1\n');
    const r = await cp.kubectl(['scale', 'md', 'fixed', '-n', 'examples', '--replicas=3']);
    expect(r.code).toBe(0);
    const replicas = await cp.kubectl(['get', 'md', 'fixed', '-n', 'examples', '-o', 'jsonpath={.spec.replicas}']);
    expect(replicas.stdout).toBe('3');
  });
});
