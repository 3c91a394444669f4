import { describe, expect, it } from 'vitest';
import { modelDeploymentSpec } from '../../crds/model-deployment.ts';
import { trainingJobSpec } from '../../crds/training-job.ts';
import type { Resource } from '../../runtime/pipeline/resources.ts';
import { conditionsFor } from '../../runtime/pipeline/status.ts';
import { featureSetSpec } from '../../crds/feature-set.ts';
import { datasetStatus } from './dataset/status.ts';
import { featureSetStatus } from './feature-set/status.ts';
import { driftMonitorStatus } from './drift-monitor/status.ts';
import { modelDeploymentStatus, type ObservedDeployment } from './model-deployment/status.ts';
import type { ObservedJob } from './shared/observed.ts';
import { trainingJobStatus } from './training-job/status.ts';
import { CONTRACT_VERSION } from '../../runtime/contract/version.ts';

/** reported is a pod's termination message: a summary with the contract version. */
const reported = (summary: object) => JSON.stringify({ contract: CONTRACT_VERSION, ...summary });

const job = (over: Partial<ObservedJob>): ObservedJob => ({ name: 'j', complete: false, failed: false, active: 0, succeeded: 0, running: [], terminated: [], ...over });
const profile = {
  version: 'abc',
  rows: 100,
  rejectedRows: 0,
  timeRange: { start: 'a', end: 'b' },
  columns: [],
  validation: { passed: true, checks: [{ name: 'minRows', passed: true, message: 'ok' }] },
  rejections: [],
};

describe('status', () => {
  it.each([
    ['no Job yet', undefined, 'Progressing', 'JobPending'],
    ['a running Job', job({ active: 1 }), 'Progressing', 'Profiling'],
    ['a passing profile', job({ complete: true, terminated: [{ pod: 'p', exitCode: 0, message: reported(profile) }] }), 'Ready', 'Profiled'],
    [
      'a failed validation',
      job({
        complete: true,
        terminated: [{ pod: 'p', exitCode: 0, message: reported({ ...profile, validation: { passed: false, checks: [{ name: 'minRows', passed: false, message: '5 rows; at least 1000 required' }] } }) }],
      }),
      'Stalled',
      'ValidationFailed',
    ],
    ['a crashed pod', job({ failed: true, terminated: [{ pod: 'p', exitCode: 1, message: '{"error":"column \\"load\\" is missing"}' }] }), 'Stalled', 'ProfileFailed'],
    ['a deadline', job({ failed: true, failureReason: 'DeadlineExceeded', failureMessage: 'Job was active longer than specified deadline' }), 'Stalled', 'ProfileFailed'],
  ])('Dataset with %s', (_what, observed, state, reason) => {
    const { health } = datasetStatus(observed);
    expect(health.state).toBe(state);
    expect(health.reason).toBe(reason);
  });

  it('surfaces the pod error as the Dataset message', () => {
    const { health } = datasetStatus(job({ failed: true, terminated: [{ pod: 'p', exitCode: 1, message: '{"error":"column \\"load\\" is missing"}' }] }));
    expect(health.message).toBe('column "load" is missing');
  });

  const tj = (tuning?: object): Resource<ReturnType<typeof trainingJobSpec.parse>> => ({
    kind: 'TrainingJob',
    name: 't',
    namespace: 'ml',
    spec: trainingJobSpec.parse({ featureSetRef: { name: 'f' }, model: { algorithm: 'mlp' }, registry: { model: 'm' }, ...(tuning ? { tuning } : {}) }),
  });
  const trained = {
    model: { name: 'm', version: 2 },
    metrics: { mae: 1, rmse: 2, mape: 3, smape: 3, mase: 0.5, r2: 0.9, intervalCoverage: 0.9 },
    baseline: { method: 'seasonal-naive', mae: 2 },
    backtest: { selected: 'mlp', folds: [{ fold: 0, from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z', samples: 744, mae: 1, smape: 3, mase: 0.5, baselineMae: 2 }], candidates: [{ name: 'mlp', mae: 1, mase: 0.5 }] },
    datasetVersion: 'd1',
    featureSetVersion: 'f1',
    iterations: 40,
    samples: { train: 9000, backtest: 3000, skipped: 168 },
  };

  it('fails clearly on a summary of another contract version, or one that breaks the schema', () => {
    const finished = (message: string) => trainingJobStatus(tj(), undefined, job({ name: 'tj-train-g1', complete: true, terminated: [{ pod: 'p', exitCode: 0, message }] }));
    const older = finished(JSON.stringify(trained));
    expect(older.health).toMatchObject({ state: 'Stalled', reason: 'ContractMismatch' });
    expect(older.health.message).toBe(
      'Job tj-train-g1: the training pod speaks no contract version (a release before versioned contracts), this operator speaks 1: run the operator and the workload image of the same Fluxora release',
    );
    const newer = finished(JSON.stringify({ ...trained, contract: 2 }));
    expect(newer.health.message).toContain('the training pod speaks contract version 2, this operator speaks 1');
    const broken = finished(reported({ ...trained, metrics: { ...trained.metrics, mae: 'low' } }));
    expect(broken.health).toMatchObject({ state: 'Stalled', reason: 'InvalidSummary' });
    expect(broken.health.message).toMatch(/^Job tj-train-g1: the training pod reported a summary this operator cannot read: metrics\.mae: /);
    expect(broken.fields.phase).toBe('Failed');
  });

  it('reports tuning progress, then the registered version and metrics', () => {
    const tuned = tj({ trials: 4, searchSpace: {} });
    const trial = (value: number) => ({ pod: 'p', exitCode: 0, message: reported({ trial: 0, params: {}, objective: { metric: 'mae', value } }) });
    const running = trainingJobStatus(tuned, job({ active: 2, succeeded: 2, terminated: [trial(150.5), trial(120.25)] }), undefined);
    expect(running.health).toMatchObject({ state: 'Progressing', reason: 'Tuning', message: '2/4 trials finished, best mae 120.25' });
    expect(running.fields.progress).toEqual({ trial: 2, trials: 4, bestMetric: 120.25 });
    const live = trainingJobStatus(tuned, job({ active: 2, succeeded: 2, terminated: [trial(150.5)] }), undefined, { epoch: 3, epochs: 50, loss: 0.123456, valLoss: 0.0456789 });
    expect(live.health.message).toBe('2/4 trials finished, best mae 150.5; running trial at epoch 3/50, validation loss 0.04568');
    expect(live.fields.progress).toEqual({ trial: 2, trials: 4, bestMetric: 150.5, epoch: 3, epochs: 50, loss: 0.1235, valLoss: 0.04568 });
    const final = trainingJobStatus(tuned, job({ complete: true, succeeded: 4 }), job({ name: 'tj-train-g1', active: 1 }), { epoch: 12, epochs: 40, loss: 0.5 });
    expect(final.health).toMatchObject({ state: 'Progressing', reason: 'Training', message: 'Job tj-train-g1 is running: epoch 12/40' });
    expect(final.fields.progress).toEqual({ epoch: 12, epochs: 40, loss: 0.5 });
    const quiet = trainingJobStatus(tj(), undefined, job({ name: 'tj-train-g1', active: 1 }));
    expect(quiet.fields.progress).toBeUndefined();
    const done = trainingJobStatus(tuned, job({ complete: true, succeeded: 4 }), job({ complete: true, terminated: [{ pod: 'p', exitCode: 0, message: reported(trained) }] }), { epoch: 40, epochs: 40 });
    expect(done.health.state).toBe('Ready');
    expect(done.fields).toMatchObject({ phase: 'Succeeded', model: { name: 'm', version: 2 }, metrics: { mae: 1 }, baseline: { mae: 2 } });
    expect(done.fields.progress).toBeUndefined();
    const failed = trainingJobStatus(tj(), undefined, job({ failed: true, terminated: [{ pod: 'p', exitCode: 137, reason: 'OOMKilled' }] }));
    expect(failed.health).toMatchObject({ state: 'Stalled', reason: 'TrainingFailed', message: 'exit code 137 (OOMKilled)' });
  });

  const md: Resource<ReturnType<typeof modelDeploymentSpec.parse>> = { kind: 'ModelDeployment', name: 'g', namespace: 'ml', spec: modelDeploymentSpec.parse({ model: { name: 'g' } }) };
  const dep = (over: Partial<ObservedDeployment>): ObservedDeployment => ({ generation: 2, observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, currentReady: 2, previousReady: 0, ...over });

  it.each([
    ['all pods of the new version Ready', dep({}), 'Ready'],
    ['objects exist but pods are not Ready', dep({ readyReplicas: 0, currentReady: 0 }), 'Progressing'],
    ['old pods Ready, new ones not yet', dep({ updatedReplicas: 1, replicas: 3, readyReplicas: 2, currentReady: 0, previousReady: 2 }), 'Progressing'],
    ['counts agree but the Ready pods are of the old template', dep({ currentReady: 1, previousReady: 1 }), 'Progressing'],
    ['the Deployment controller has not seen the change', dep({ observedGeneration: 1 }), 'Progressing'],
    ['a rollout past its deadline', dep({ updatedReplicas: 1, readyReplicas: 2, currentReady: 0, previousReady: 2, progressingReason: 'ProgressDeadlineExceeded' }), 'Stalled'],
  ])('ModelDeployment with %s', (_what, observed, state) => {
    expect(modelDeploymentStatus(md, { name: 'g', version: 3 }, 2, observed, 'a=b').health.state).toBe(state);
  });

  it('reports drift checks and waits for the first', () => {
    expect(driftMonitorStatus('c', undefined).health.state).toBe('Progressing');
    const summary = { result: 'NoDrift', drifted: false, driftedShare: 0, samples: 300, minSamples: 200, model: { name: 'm', version: 1 }, features: [], ranAt: '2026-01-01T00:00:00.000Z' };
    const ok = driftMonitorStatus('c', job({ complete: true, terminated: [{ pod: 'p', exitCode: 0, message: reported(summary) }] }));
    expect(ok.health).toMatchObject({ state: 'Ready', reason: 'NoDrift' });
    expect(ok.fields).toMatchObject({ result: 'NoDrift', samples: 300, lastRunTime: '2026-01-01T00:00:00Z' });
  });

  it('versions a FeatureSet by its Dataset content and its spec', () => {
    const fs = { kind: 'FeatureSet', name: 'f', namespace: 'ml', spec: featureSetSpec.parse({ datasetRef: { name: 'd' }, target: 'load', lags: [{ column: 'load', steps: [24] }] }) };
    const ds = (version: string) => ({ kind: 'Dataset', name: 'd', namespace: 'ml', spec: {} as never, status: { version } });
    const a = featureSetStatus(fs, ds('v1'));
    expect(a.health.state).toBe('Ready');
    expect(a.fields).toMatchObject({ datasetVersion: 'v1', features: ['load_lag24_s1'], featureCount: 1 });
    expect(featureSetStatus(fs, ds('v2')).fields.version).not.toBe(a.fields.version);
    expect(featureSetStatus(fs, ds('v1')).fields.version).toBe(a.fields.version);
  });

  it('keeps lastTransitionTime while a condition holds, and moves it on a change', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const first = conditionsFor({ state: 'Progressing', reason: 'Profiling', message: '' }, 1, undefined, t0);
    const same = conditionsFor({ state: 'Progressing', reason: 'Profiling', message: '' }, 1, first, new Date('2026-01-01T00:05:00Z'));
    expect(same).toEqual(first);
    const ready = conditionsFor({ state: 'Ready', reason: 'Profiled', message: '' }, 2, first, new Date('2026-01-01T00:10:00Z'));
    expect(ready.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-01T00:10:00Z', observedGeneration: 2 });
    expect(ready.find((c) => c.type === 'Stalled')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});
