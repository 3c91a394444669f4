import type { Pool } from 'pg';
import type { ModelSpec } from '../../crds/training-job.ts';
import { loadTable } from '../data/load.ts';
import { profileColumn } from '../data/profile.ts';
import { initBackend } from '../models/backend.ts';
import { saveModel } from '../models/io.ts';
import { featureSetVersion } from '../pipeline/versions.ts';
import { registerModel } from '../registry/registry.ts';
import { finishTrial, listTrials, recordTrial } from '../registry/trials.ts';
import { fitForecaster, type FitResult } from '../training/fit.ts';
import { columnOf, monitoredFeatures } from '../training/monitored.ts';
import { type CompletedTrial, proposeParams, type TrialParams } from '../training/tuning.ts';
import type { TrainConfig } from './config.ts';
import type { RoleLogger } from './logger.ts';
import { resolveSource, type SourceContext } from './source.ts';

/** TrainContext is what the train role needs around its config: the store, a logger and where data lives. */
export interface TrainContext extends SourceContext {
  pool: Pool;
  log: RoleLogger;
  /** Called on every epoch, for progress bars and live status. */
  onProgress?: (p: { trial?: number; trials?: number; epoch: number; epochs: number; loss: number; valLoss: number }) => void;
}

/** TrialSummary is what one tuning trial reports. */
export interface TrialSummary {
  trial: number;
  params: TrialParams;
  objective: { metric: string; value: number };
}

/** TrainSummary is what the final training reports, and what TrainingJob status is built from. */
export interface TrainSummary {
  model: { name: string; version: number };
  metrics: { mae: number; rmse: number; mape: number; r2: number; intervalCoverage?: number };
  baseline: { method: string; mae: number };
  trials?: { completed: number; total: number; best?: { index: number; metric: number; params: string } };
  datasetVersion: string;
  featureSetVersion: string;
  epochs: number;
  samples: FitResult['samples'];
}

/** studyName identifies a TrainingJob run's tuning study in the store. */
export function studyName(config: TrainConfig): string {
  const tj = config.trainingJob;
  return `${tj.namespace}/${tj.name}/${tj.uid ?? 'local'}`;
}

const round = (v: number) => Number(v.toPrecision(6));

async function loadData(config: TrainConfig, ctx: TrainContext) {
  const spec = config.dataset.spec;
  const { table, report } = await loadTable(resolveSource(spec, { ...ctx, dataDir: config.dataDir ?? ctx.dataDir }), spec);
  return { table, datasetVersion: report.version };
}

function fitOptions(config: TrainConfig, table: Awaited<ReturnType<typeof loadData>>['table'], model: ModelSpec, ctx: TrainContext, trial?: { index: number; total: number }) {
  const tj = config.trainingJob.spec;
  return {
    table,
    features: config.featureSet.spec,
    model,
    horizon: tj.horizon,
    split: tj.split,
    earlyStopping: tj.earlyStopping,
    coverage: tj.intervals.coverage,
    seasonalPeriod: tj.baseline?.seasonalPeriod,
    seed: tj.seed,
    onEpoch: (e: { epoch: number; loss: number; valLoss: number }) => {
      ctx.onProgress?.({ trial: trial?.index, trials: trial?.total, epoch: e.epoch, epochs: model.epochs, loss: e.loss, valLoss: e.valLoss });
      ctx.log.info({ trial: trial?.index, epoch: e.epoch, epochs: model.epochs, loss: round(e.loss), valLoss: round(e.valLoss) }, 'Epoch finished');
    },
  };
}

function completedTrials(trials: Awaited<ReturnType<typeof listTrials>>, metric: string, goal: 'minimize' | 'maximize'): CompletedTrial[] {
  return trials
    .filter((t) => t.status === 'completed' && typeof t.metrics?.[metric] === 'number')
    .map((t) => ({ params: t.params as TrialParams, value: (goal === 'minimize' ? 1 : -1) * (t.metrics?.[metric] as number) }));
}

/**
 * runTrial runs tuning trial `index` of a TrainingJob: it proposes parameters
 * (random, or TPE from the trials already finished in the store), trains, and
 * records the validation objective. Trials of one study can run in parallel
 * processes or pods (an Indexed Job's completion index selects the trial).
 */
export async function runTrial(config: TrainConfig, index: number, ctx: TrainContext): Promise<TrialSummary> {
  const tuning = config.trainingJob.spec.tuning;
  if (!tuning) throw new Error('this TrainingJob has no tuning section: run it without --trial');
  if (index < 0 || index >= tuning.trials) throw new Error(`--trial ${index} is outside 0..${tuning.trials - 1}`);
  await initBackend(ctx.log);
  const study = studyName(config);
  const history = completedTrials(await listTrials(ctx.pool, study), tuning.objective.metric, tuning.objective.goal);
  const params = proposeParams(tuning, config.trainingJob.spec.seed, index, history);
  await recordTrial(ctx.pool, { study, trial: index, params: params as Record<string, unknown>, status: 'running' });
  ctx.log.info({ study, trial: index, trials: tuning.trials, params }, 'Trial started');
  try {
    const { table } = await loadData(config, ctx);
    const result = await fitForecaster(fitOptions(config, table, { ...config.trainingJob.spec.model, ...params }, ctx, { index, total: tuning.trials }));
    result.model.dispose();
    const value = result.validation[tuning.objective.metric];
    await finishTrial(ctx.pool, study, index, { metrics: { ...result.validation }, status: 'completed' });
    ctx.log.info({ study, trial: index, metric: tuning.objective.metric, value: round(value) }, 'Trial finished');
    return { trial: index, params, objective: { metric: tuning.objective.metric, value } };
  } catch (err) {
    await finishTrial(ctx.pool, study, index, { metrics: { error: (err as Error).message }, status: 'failed' }).catch(() => undefined);
    throw err;
  }
}

/**
 * runFinal trains the model to register: with tuning, on the best trial's
 * parameters (retrained with the same seed, so it is the trial's model), else on
 * the spec's. It evaluates on the held-out test split, stores the artifact (weights,
 * feature pipeline, conformal quantiles, training profile) and moves the alias.
 */
export async function runFinal(config: TrainConfig, ctx: TrainContext): Promise<TrainSummary> {
  const tj = config.trainingJob.spec;
  await initBackend(ctx.log);
  let params: TrialParams = {};
  let trials: TrainSummary['trials'];
  if (tj.tuning) {
    const all = await listTrials(ctx.pool, studyName(config));
    const done = completedTrials(all, tj.tuning.objective.metric, tj.tuning.objective.goal);
    if (done.length === 0) throw new Error(`no tuning trial of ${studyName(config)} completed (${all.length} recorded)`);
    const bestIndex = done.reduce((b, t, i) => (t.value < done[b].value ? i : b), 0);
    const best = all.filter((t) => t.status === 'completed')[bestIndex];
    params = done[bestIndex].params;
    trials = {
      completed: done.length,
      total: tj.tuning.trials,
      best: { index: best.trial, metric: round(Math.abs(done[bestIndex].value)), params: JSON.stringify(params).slice(0, 2000) },
    };
    ctx.log.info({ trial: best.trial, params }, 'Retraining best trial');
  }
  const { table, datasetVersion } = await loadData(config, ctx);
  const model = { ...tj.model, ...params };
  const result = await fitForecaster(fitOptions(config, table, model, ctx));
  const monitored = monitoredFeatures(result.pipeline.inputNames);
  const width = result.pipeline.inputNames.length;
  const features: Record<string, unknown> = {};
  for (const c of monitored) features[result.pipeline.inputNames[c]] = profileColumn(columnOf(result.trainInputs.X, width, c));
  const saved = await saveModel(result.model);
  result.model.dispose();
  const fsVersion = featureSetVersion(datasetVersion, config.featureSet.spec);
  const metrics = {
    mae: round(result.test.mae),
    rmse: round(result.test.rmse),
    mape: round(result.test.mape),
    r2: round(result.test.r2),
    intervalCoverage: result.test.intervalCoverage === undefined ? undefined : round(result.test.intervalCoverage),
  };
  const registered = await registerModel(ctx.pool, {
    name: tj.registry.model,
    alias: tj.registry.alias,
    metrics: { ...metrics, baselineMae: round(result.baseline.mae), validation: result.validation },
    params: model as unknown as Record<string, unknown>,
    datasetVersion,
    featureVersion: fsVersion,
    trainingJob: `${config.trainingJob.namespace}/${config.trainingJob.name}`,
    artifact: {
      modelTopology: saved.modelTopology,
      weightSpecs: saved.weightSpecs,
      weightData: Buffer.from(saved.weightData, 'base64'),
      pipeline: { ...result.pipeline, target: config.featureSet.spec.target, covariates: config.featureSet.spec.covariates ?? [], coverage: tj.intervals.coverage },
      conformal: result.conformal,
      profile: { features, monitored: monitored.map((c) => result.pipeline.inputNames[c]) },
      horizon: tj.horizon,
      inputNames: result.pipeline.inputNames,
    },
  });
  const summary: TrainSummary = {
    model: registered,
    metrics,
    baseline: { method: 'seasonal-naive', mae: round(result.baseline.mae) },
    trials,
    datasetVersion,
    featureSetVersion: fsVersion,
    epochs: result.epochs,
    samples: result.samples,
  };
  ctx.log.info({ model: registered.name, version: registered.version, mae: metrics.mae, baselineMae: summary.baseline.mae, coverage: metrics.intervalCoverage }, 'Model registered');
  return summary;
}
