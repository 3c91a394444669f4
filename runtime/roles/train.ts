import type { Pool } from 'pg';
import type { TrainSummary, TrialSummary } from '../contract/summaries.ts';
import type { ModelSpec } from '../../crds/training-job.ts';
import { loadTable } from '../data/load.ts';
import { profileColumn } from '../data/profile.ts';
import { type EncodedSeries, encodeSeries } from '../drift/reference.ts';
import { initBackend } from '../models/backend.ts';
import { featureSetVersion } from '../pipeline/versions.ts';
import { registerModel } from '../registry/registry.ts';
import { finishTrial, listTrials, recordTrial } from '../registry/trials.ts';
import { describeModel } from '../training/algorithms.ts';
import { type ForecastJob, fitForecaster } from '../training/fit.ts';
import { columnOf, monitoredFeatures } from '../training/monitored.ts';
import { type CompletedTrial, proposeParams, type TrialParams } from '../training/tuning.ts';
import type { TrainConfig } from '../contract/config.ts';
import type { RoleLogger } from './logger.ts';
import { FORECASTER_FORMAT } from '../serve/registry-model.ts';
import { EpochRecorder, FINAL_TRIAL, studyOf } from '../store/training-epochs.ts';
import { resolveSource, type SourceContext } from './source.ts';

/** TrainContext is what the train role needs around its config: the store, a logger and where data lives. */
export interface TrainContext extends SourceContext {
  pool: Pool;
  log: RoleLogger;
  /** Called on every epoch, for progress bars and live status. */
  onProgress?: (p: { trial?: number; trials?: number; stage?: string; epoch: number; epochs: number; loss: number; valLoss: number }) => void;
}



/** studyName identifies a TrainingJob run's tuning study in the store. */
export function studyName(config: TrainConfig): string {
  const tj = config.trainingJob;
  return studyOf(tj.namespace, tj.name, tj.uid);
}

const round = (v: number) => Number(v.toPrecision(6));

async function loadData(config: TrainConfig, ctx: TrainContext) {
  const spec = config.dataset.spec;
  const { table, report } = await loadTable(resolveSource(spec, { ...ctx, dataDir: config.dataDir ?? ctx.dataDir }), spec);
  return { table, datasetVersion: report.version };
}

function forecastJob(
  config: TrainConfig,
  table: Awaited<ReturnType<typeof loadData>>['table'],
  models: ModelSpec[],
  ctx: TrainContext,
  epochs: EpochRecorder,
  trial?: { index: number; total: number },
): ForecastJob {
  const tj = config.trainingJob.spec;
  return {
    table,
    features: config.featureSet.spec,
    horizon: tj.horizon,
    models,
    ensemble: tj.ensemble,
    validation: tj.split.validation,
    backtest: trial ? { folds: 1, fraction: tj.backtest.fraction / tj.backtest.folds } : tj.backtest,
    backtestOnly: trial !== undefined,
    earlyStopping: tj.earlyStopping,
    coverage: tj.intervals.coverage,
    seasonalPeriod: tj.baseline?.seasonalPeriod,
    seed: tj.seed,
    onEpoch: (e) => {
      const stage = `${e.model} ${e.fold === 'final' ? 'final fit' : `fold ${e.fold}`}`;
      epochs.add(trial?.index ?? FINAL_TRIAL, stage, e.epoch, e.loss, e.valLoss);
      const total = models.find((m) => describeModel(m) === e.model)?.epochs ?? 50;
      ctx.onProgress?.({ trial: trial?.index, trials: trial?.total, stage, epoch: e.epoch, epochs: total, loss: e.loss, valLoss: e.valLoss });
      ctx.log.info({ trial: trial?.index, model: e.model, fold: e.fold, epoch: e.epoch, epochs: total, loss: round(e.loss), valLoss: round(e.valLoss) }, 'Epoch finished');
    },
    onFold: (f) => ctx.log.info({ trial: trial?.index, model: f.model, fold: f.fold, folds: f.folds, mae: round(f.mae) }, 'Backtest fold scored'),
  };
}

function completedTrials(trials: Awaited<ReturnType<typeof listTrials>>, metric: string, goal: 'minimize' | 'maximize'): CompletedTrial[] {
  return trials
    .filter((t) => t.status === 'completed' && typeof t.metrics?.[metric] === 'number')
    .map((t) => ({ params: t.params as TrialParams, value: (goal === 'minimize' ? 1 : -1) * (t.metrics?.[metric] as number) }));
}

/**
 * runTrial runs tuning trial `index` of a TrainingJob: it proposes parameters
 * (random, or TPE from the trials already finished in the store), and scores
 * them on one backtest fold (the latest fifth of the backtest window, fitted on
 * the data before it), recording that out-of-sample objective. Trials of one study can run in parallel
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
    const model = { ...config.trainingJob.spec.model, ...params };
    const epochs = new EpochRecorder(ctx.pool, study, ctx.log);
    const result = await fitForecaster(forecastJob(config, table, [model], ctx, epochs, { index, total: tuning.trials })).finally(() => epochs.flush());
    const value = result.metrics[tuning.objective.metric];
    await finishTrial(ctx.pool, study, index, { metrics: { ...result.metrics }, status: 'completed' });
    ctx.log.info({ study, trial: index, metric: tuning.objective.metric, value: round(value) }, 'Trial finished');
    return { trial: index, params, objective: { metric: tuning.objective.metric, value } };
  } catch (err) {
    await finishTrial(ctx.pool, study, index, { metrics: { error: (err as Error).message }, status: 'failed' }).catch(() => undefined);
    throw err;
  }
}

/**
 * runFinal trains the model to register: the spec's model (with tuning, on the
 * best trial's parameters) and its candidates are backtested on rolling origins,
 * the best of them or their ensemble is refitted on all data, and the artifact
 * (the forecaster, feature pipeline, conformal calibration, training profile) is
 * stored and the alias moved.
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
  const epochs = new EpochRecorder(ctx.pool, studyName(config), ctx.log);
  const result = await fitForecaster(forecastJob(config, table, [model, ...(tj.candidates ?? [])], ctx, epochs)).finally(() => epochs.flush());
  if (!result.artifact) throw new Error('training produced no model');
  const monitored = monitoredFeatures(result.pipeline.inputNames);
  const width = result.pipeline.inputNames.length;
  const features: Record<string, unknown> = {};
  const series: Record<string, EncodedSeries> = {};
  for (const c of monitored) {
    const column = columnOf(result.trainInputs.X, width, c);
    features[result.pipeline.inputNames[c]] = profileColumn(column);
    series[result.pipeline.inputNames[c]] = encodeSeries(column);
  }
  const fsVersion = featureSetVersion(datasetVersion, config.featureSet.spec);
  const m = result.metrics;
  const metrics = {
    mae: round(m.mae),
    rmse: round(m.rmse),
    mape: round(m.mape),
    smape: round(m.smape),
    mase: round(m.mase),
    r2: round(m.r2),
    intervalCoverage: m.intervalCoverage === undefined ? undefined : round(m.intervalCoverage),
  };
  const backtest = {
    selected: result.selected,
    folds: result.folds.map((f) => ({
      ...f,
      mae: round(f.mae),
      smape: round(f.smape),
      mase: round(f.mase),
      baselineMae: round(f.baselineMae),
      intervalCoverage: f.intervalCoverage === undefined ? undefined : round(f.intervalCoverage),
    })),
    candidates: result.candidates.map((c) => ({
      name: c.name,
      mae: round(c.mae),
      mase: round(c.mase),
      intervalCoverage: c.intervalCoverage === undefined ? undefined : round(c.intervalCoverage),
    })),
  };
  const registered = await registerModel(ctx.pool, {
    name: tj.registry.model,
    alias: tj.registry.alias,
    metrics: { ...metrics, baselineMae: round(result.baseline.mae), backtest },
    params: { model, candidates: tj.candidates ?? [], ensemble: tj.ensemble, selected: result.selected },
    datasetVersion,
    featureVersion: fsVersion,
    trainingJob: `${config.trainingJob.namespace}/${config.trainingJob.name}`,
    evaluation: { forecast: result.trace },
    artifact: {
      format: FORECASTER_FORMAT,
      weightData: Buffer.from(JSON.stringify(result.artifact)),
      pipeline: { ...result.pipeline, target: config.featureSet.spec.target, coverage: tj.intervals.coverage },
      conformal: result.conformal,
      profile: { features, series, monitored: monitored.map((c) => result.pipeline.inputNames[c]) },
      horizon: tj.horizon,
      inputNames: result.pipeline.inputNames,
    },
  });
  const summary: TrainSummary = {
    model: registered,
    metrics,
    baseline: { method: 'seasonal-naive', mae: round(result.baseline.mae) },
    backtest,
    trials,
    datasetVersion,
    featureSetVersion: fsVersion,
    iterations: result.iterations,
    samples: result.samples,
  };
  ctx.log.info({ model: registered.name, version: registered.version, selected: result.selected, mae: metrics.mae, baselineMae: summary.baseline.mae, mase: metrics.mase, coverage: metrics.intervalCoverage }, 'Model registered');
  return summary;
}
