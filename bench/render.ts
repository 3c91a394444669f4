/**
 * Render benchmark: the cost of synthesizing the operator's children through
 * cdk8s constructs (a fresh App and Chart per render, ApiObject.toJson) against
 * the plain object literals the render functions returned before
 * (bench/render-baseline.ts), timed in the same process, on the five renders of
 * one pipeline (Dataset with refresh, materialized FeatureSet, tuned
 * TrainingJob, ModelDeployment, DriftMonitor, retrain). It first checks both give the same objects. Then the
 * resident memory a process gains by importing cdk8s, next to what
 * @kubernetes/client-node and the whole operator cost, in fresh processes.
 * Ratios are time ratios (cdk8s / plain, above 1 is slower).
 * Run: `npm run bench:render`.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { App, Chart } from 'cdk8s';
import { datasetSpec } from '../crds/dataset.ts';
import { driftMonitorSpec } from '../crds/drift-monitor.ts';
import { featureSetSpec } from '../crds/feature-set.ts';
import { modelDeploymentSpec } from '../crds/model-deployment.ts';
import { trainingJobSpec } from '../crds/training-job.ts';
import { renderDataset } from '../operator/controllers/dataset/render.ts';
import { renderDriftMonitor, renderRetrain } from '../operator/controllers/drift-monitor/render.ts';
import { renderMaterializeJob } from '../operator/controllers/feature-set/render.ts';
import { renderModelDeployment } from '../operator/controllers/model-deployment/render.ts';
import { defaultOperatorOptions as opts } from '../operator/controllers/shared/options.ts';
import { renderTrainingJob } from '../operator/controllers/training-job/render.ts';
import type { Resource } from '../runtime/pipeline/resources.ts';
import { baselineRenderDataset, baselineRenderDriftMonitor, baselineRenderMaterializeJob, baselineRenderModelDeployment, baselineRenderRetrain, baselineRenderTrainingJob } from './render-baseline.ts';

const ITERATIONS = 2_000;
const RUNS = 5;
const RSS_RUNS = 3;
/** Render calls per pipeline. */
const RENDERS = 6;

function res<S>(kind: string, name: string, spec: S): Resource<S> {
  return { kind, name, namespace: 'ml', uid: `uid-${name}`, generation: 1, spec };
}

const ds = res('Dataset', 'grid', datasetSpec.parse({ source: { csv: { configMapRef: { name: 'data', key: 'grid.csv' } } }, columns: [{ name: 'load' }], refresh: { schedule: '0 3 * * *' } }));
const fs = res('FeatureSet', 'grid', featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load', lags: [{ column: 'load', steps: [1, 24, 168] }], materialize: { enabled: true } }));
const tj = res(
  'TrainingJob',
  'grid-mlp',
  trainingJobSpec.parse({ featureSetRef: { name: 'grid' }, model: { type: 'mlp' }, registry: { model: 'grid' }, tuning: { trials: 6, parallelism: 2, searchSpace: { learningRate: { min: 0.001, max: 0.1, scale: 'log' } } } }),
);
const md = res('ModelDeployment', 'grid', modelDeploymentSpec.parse({ model: { name: 'grid', alias: 'production' }, auth: { apiKeySecretRef: { name: 'keys' } } }));
const dm = res('DriftMonitor', 'grid', driftMonitorSpec.parse({ modelDeploymentRef: { name: 'grid' }, schedule: '*/30 * * * *' }));
const model = { name: 'grid', version: 3 };

const cdk8s = () => [
  ...renderDataset(ds, opts),
  renderMaterializeJob(fs, ds, 'v0123456789abcdef', opts),
  ...renderTrainingJob(tj, { featureSet: fs, dataset: ds }, opts, true),
  ...renderModelDeployment(md, model, 2, opts),
  ...renderDriftMonitor(dm, md, model, opts),
  renderRetrain(dm, tj, 3),
];
const plain = () => [
  ...baselineRenderDataset(ds, opts),
  baselineRenderMaterializeJob(fs, ds, 'v0123456789abcdef', opts),
  ...baselineRenderTrainingJob(tj, { featureSet: fs, dataset: ds }, opts, true),
  ...baselineRenderModelDeployment(md, model, 2, opts),
  ...baselineRenderDriftMonitor(dm, md, model, opts),
  baselineRenderRetrain(dm, tj, 3),
];

// Same objects (as the API receives them: JSON, where undefined fields do not exist), only the key order differs.
const same = isDeepStrictEqual(JSON.parse(JSON.stringify(plain())), cdk8s());
if (!same) throw new Error('cdk8s render differs from the plain render');
const objects = cdk8s().length;

function time(fn: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) fn();
  return (performance.now() - start) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm both paths up, then interleave the runs so load on the machine hits both alike.
time(plain);
time(cdk8s);
const plainRuns: number[] = [];
const cdk8sRuns: number[] = [];
for (let r = 0; r < RUNS; r++) {
  plainRuns.push(time(plain));
  cdk8sRuns.push(time(cdk8s));
}
const plainUs = (median(plainRuns) / ITERATIONS / RENDERS) * 1e6;
const cdk8sUs = (median(cdk8sRuns) / ITERATIONS / RENDERS) * 1e6;
const ratio = cdk8sUs / plainUs;
// The part of a render that a shared, long-lived App would save: creating the App and Chart.
const appChartUs = (median(Array.from({ length: RUNS }, () => time(() => new Chart(new App(), 'fluxora')))) / ITERATIONS) * 1e6;

/** rssMb imports `modules` in a fresh Node process and returns its resident set after a full GC, in MB (median of RSS_RUNS). */
function rssMb(modules: string[]): number {
  const script = `${modules.map((m) => `await import(${JSON.stringify(m)});`).join('')} globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss));`;
  const runs: number[] = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
    runs.push(Number(out) / 2 ** 20);
  }
  return median(runs);
}

const rssNode = rssMb([]);
const rssClient = rssMb(['@kubernetes/client-node']);
const rssClientCdk8s = rssMb(['@kubernetes/client-node', 'cdk8s']);
const rssOperator = rssMb(['./cli/operator.ts']);
const cdk8sRss = rssClientCdk8s - rssClient;

console.log(`render, same objects as the plain render (${objects} per pipeline): ${same}`);
console.log(`plain object literals: ${plainUs.toFixed(1)} us per render (median of ${RUNS} x ${ITERATIONS} pipelines)`);
console.log(`cdk8s constructs:      ${cdk8sUs.toFixed(1)} us per render`);
console.log(`  time ratio cdk8s / plain (same run): ${ratio.toFixed(2)}`);
console.log(`  of which a fresh App + Chart: ${appChartUs.toFixed(1)} us (the rest is ApiObject.toJson: resolve and sanitize)`);
console.log(`RSS after import + GC: node ${rssNode.toFixed(1)} MB, + @kubernetes/client-node ${rssClient.toFixed(1)} MB, + cdk8s ${rssClientCdk8s.toFixed(1)} MB (cdk8s adds ${cdk8sRss.toFixed(1)} MB); whole operator (cli/operator.ts) ${rssOperator.toFixed(1)} MB`);
console.log(
  JSON.stringify({
    bench: 'render',
    ratio: Number(ratio.toFixed(3)),
    plain_us_per_render: Number(plainUs.toFixed(2)),
    cdk8s_us_per_render: Number(cdk8sUs.toFixed(2)),
    app_chart_us: Number(appChartUs.toFixed(2)),
    same_objects: same,
    cdk8s_import_rss_mb: Number(cdk8sRss.toFixed(1)),
    client_node_rss_mb: Number(rssClient.toFixed(1)),
    operator_rss_mb: Number(rssOperator.toFixed(1)),
    load1: Number(loadavg()[0].toFixed(1)),
  }),
);
