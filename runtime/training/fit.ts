import type { ModelSpec } from '../../crds/training-job.ts';
import type { Table } from '../data/table.ts';
import { buildForecastFrame, tableStepMs } from '../features/forecast-frame.ts';
import type { AnchorSpec, FeatureSpec } from '../features/spec.ts';
import { type ConformalCalibration, calibrate, conformalIntervals, empiricalCoverage } from '../models/conformal.ts';
import type { ForecasterArtifact } from '../models/forecaster.ts';
import { forecastMetrics, mae } from '../models/metrics.ts';
import type { EpochLog } from '../models/train.ts';
import { describeModel, type FitData, fitAlgorithm } from './algorithms.ts';
import { type FeaturePipeline, historyNeeded } from './pipeline.ts';
import { forecastTrace } from './trace.ts';
import type { ForecastTrace } from '../console/api.ts';

/** ForecastJob is what one training run fits and compares: a TrainingJob's spec resolved against its data. */
export interface ForecastJob {
  table: Table;
  features: FeatureSpec;
  horizon: number;
  /** The model (first) and the candidates compared with it. */
  models: ModelSpec[];
  ensemble: 'auto' | 'always' | 'never';
  /** Share of each fit's samples held out for early stopping. */
  validation: number;
  backtest: { folds: number; fraction: number };
  earlyStopping?: { patience: number; minDelta?: number };
  coverage: number;
  seasonalPeriod?: number;
  seed: number;
  /** Skip the final fit on all data (benchmarks that only score the backtest). */
  backtestOnly?: boolean;
  onEpoch?: (log: EpochLog & { model: string; fold: number | 'final' }) => void | Promise<void>;
  onFold?: (p: { model: string; fold: number; folds: number; mae: number }) => void;
}

/** Metrics are point and interval metrics of a set of forecasts. */
export interface Metrics {
  mae: number;
  rmse: number;
  mape: number;
  smape: number;
  /** MAE over the seasonal-naive MAE on the same forecasts. */
  mase: number;
  r2: number;
  intervalCoverage?: number;
}

/** FoldReport is one backtest fold of the selected forecaster. */
export interface FoldReport {
  fold: number;
  from: string;
  to: string;
  samples: number;
  mae: number;
  smape: number;
  mase: number;
  baselineMae: number;
  intervalCoverage?: number;
}

/** CandidateReport is one candidate's (or the ensemble's) backtest score. */
export interface CandidateReport {
  name: string;
  mae: number;
  mase: number;
  intervalCoverage?: number;
}

/** FitResult is the selected forecaster, fitted on all data, with its pipeline, calibration and backtest. */
export interface FitResult {
  /** Absent with backtestOnly. */
  artifact?: ForecasterArtifact;
  selected: string;
  pipeline: FeaturePipeline;
  conformal: ConformalCalibration;
  metrics: Metrics;
  baseline: { method: 'seasonal-naive'; period: number; mae: number };
  folds: FoldReport[];
  candidates: CandidateReport[];
  samples: { train: number; backtest: number; skipped: number };
  iterations: number;
  /** Raw inputs of every sample (the final fit's data), for the drift reference. */
  trainInputs: { X: Float32Array; names: string[] };
  /** The selected forecaster's latest backtest forecasts against the actuals, with out-of-sample intervals. */
  trace: ForecastTrace;
}

/** Fold is one block of backtest samples [from, to); its fits use samples before `from - horizon`. */
export interface Fold {
  from: number;
  to: number;
}

/**
 * backtestFolds cuts the latest `fraction` of n samples into `folds` contiguous
 * blocks of forecast origins. A fold's model is fitted on samples whose targets
 * all lie before the fold's first origin (a gap of horizon samples), so no
 * target it is scored on, nor any later one, was seen in training.
 */
export function backtestFolds(n: number, horizon: number, folds: number, fraction: number): Fold[] {
  const length = Math.round(n * fraction);
  if (length < folds) throw new Error(`too little data to backtest: ${n} samples leave ${length} for ${folds} folds`);
  const start = n - length;
  const out: Fold[] = [];
  for (let k = 0; k < folds; k++) out.push({ from: start + Math.floor((k * length) / folds), to: start + Math.floor(((k + 1) * length) / folds) });
  if (out[0].from - horizon < 20) throw new Error(`too little data to backtest: the first fold leaves ${out[0].from - horizon} samples to train on`);
  return out;
}

function part(a: Float32Array, h: number, from: number, to: number): Float32Array {
  return a.subarray(from * h, to * h);
}

function metricsOf(actual: Float32Array, predicted: Float32Array, baselineMae: number): Metrics {
  const m = forecastMetrics(actual, predicted);
  return { mae: m.mae, rmse: m.rmse, mape: m.mape, smape: m.smape, mase: m.mae / baselineMae, r2: m.r2 };
}

/**
 * foldCoverage is the coverage on each fold of intervals calibrated on the other
 * folds' residuals only (cross-conformal), so every figure is out of sample.
 */
function foldCoverage(actual: Float32Array, predicted: Float32Array, folds: Fold[], h: number, coverage: number): (number | undefined)[] {
  const start = folds[0].from;
  return folds.map((fold) => {
    if (folds.length < 2) return undefined;
    const cal = calibrationWithout(actual, predicted, folds, fold, h, coverage);
    const held = part(predicted, h, fold.from - start, fold.to - start);
    const { lower, upper } = conformalIntervals(held, cal);
    return empiricalCoverage(part(actual, h, fold.from - start, fold.to - start), lower, upper, h).overall;
  });
}

/** calibrationWithout calibrates intervals on the backtest residuals of every fold but `fold`. */
function calibrationWithout(actual: Float32Array, predicted: Float32Array, folds: Fold[], fold: Fold, h: number, coverage: number): ConformalCalibration {
  const start = folds[0].from;
  const a: number[] = [];
  const p: number[] = [];
  for (const other of folds) {
    if (other === fold) continue;
    for (let k = (other.from - start) * h; k < (other.to - start) * h; k++) {
      a.push(actual[k]);
      p.push(predicted[k]);
    }
  }
  return calibrate(Float64Array.from(a), Float64Array.from(p), h, coverage);
}

/** meanOf averages forecasts element-wise. */
function meanOf(forecasts: Float32Array[]): Float32Array {
  const out = new Float32Array(forecasts[0].length);
  for (const f of forecasts) for (let k = 0; k < out.length; k++) out[k] += f[k] / forecasts.length;
  return out;
}

/**
 * anchorFor is the seasonal-naive anchor of a series: the given period or one
 * week of steps, and a level window of one day of steps (at most the period).
 */
export function anchorFor(stepMs: number, seasonalPeriod?: number): AnchorSpec {
  const period = seasonalPeriod ?? Math.max(1, Math.round((7 * 86_400_000) / stepMs));
  return { period, levelWindow: Math.max(1, Math.min(period, Math.round(86_400_000 / stepMs))) };
}

/**
 * fitForecaster runs a TrainingJob's fit: it builds the forecast frame (with the
 * seasonal-naive anchor) with the code serving uses, backtests every model on
 * rolling origins (refitted before each fold on the data before it), scores
 * each and their ensemble by backtest MAE, picks the best (the ensemble per
 * `ensemble`), calibrates conformal intervals and quantiles per step on the
 * selected forecaster's backtest residuals, and refits the selection on all
 * samples for serving.
 */
export async function fitForecaster(job: ForecastJob): Promise<FitResult> {
  const h = job.horizon;
  const stepMs = tableStepMs(job.table);
  const anchor = anchorFor(stepMs, job.seasonalPeriod);
  const period = anchor.period;
  const spec: FeatureSpec = { ...job.features, anchor };
  const frame = buildForecastFrame(job.table, spec, h, { stepMs });
  const n = frame.origins.length;
  const Y = frame.Y as Float32Array;
  const data: FitData = { X: frame.X, Y, plan: frame.plan };
  const width = frame.inputNames.length;
  const folds = backtestFolds(n, h, job.backtest.folds, job.backtest.fraction);
  const btStart = folds[0].from;
  const actual = part(Y, h, btStart, n);
  const naive = new Float32Array((n - btStart) * h);
  for (let i = btStart; i < n; i++) {
    for (let s = 0; s < h; s++) naive[(i - btStart) * h + s] = frame.X[i * width + frame.plan.anchorStart + s];
  }
  const baselineMae = mae(actual, naive);
  const validSplit = (end: number) => ({ validFrom: end - Math.max(1, Math.round(end * job.validation)), end });

  const names = job.models.map(describeModel);
  const forecasts: Float32Array[] = [];
  for (const [m, model] of job.models.entries()) {
    const predicted = new Float32Array((n - btStart) * h);
    for (const [k, fold] of folds.entries()) {
      const fitted = await fitAlgorithm(model, data, validSplit(fold.from - h), job.seed, {
        earlyStopping: job.earlyStopping,
        onEpoch: job.onEpoch && ((log) => job.onEpoch?.({ ...log, model: names[m], fold: k + 1 })),
      });
      const out = fitted.forecaster.run(frame.X.subarray(fold.from * width, fold.to * width), fold.to - fold.from);
      predicted.set(out, (fold.from - btStart) * h);
      job.onFold?.({ model: names[m], fold: k + 1, folds: folds.length, mae: mae(part(actual, h, fold.from - btStart, fold.to - btStart), out) });
    }
    forecasts.push(predicted);
  }

  const scored = names.map((name, m) => ({ name, members: [m], predicted: forecasts[m] }));
  if (job.models.length > 1 && job.ensemble !== 'never') {
    scored.push({ name: `ensemble(${names.join('+')})`, members: job.models.map((_, m) => m), predicted: meanOf(forecasts) });
  }
  const candidates: CandidateReport[] = scored.map((c) => {
    const cov = foldCoverage(actual, c.predicted, folds, h, job.coverage).filter((v) => v !== undefined);
    const score = mae(actual, c.predicted);
    return { name: c.name, mae: score, mase: score / baselineMae, intervalCoverage: cov.length ? cov.reduce((a, b) => a + b, 0) / cov.length : undefined };
  });
  let best = 0;
  for (let c = 1; c < scored.length; c++) if (candidates[c].mae < candidates[best].mae) best = c;
  if (job.ensemble === 'always' && scored.length > job.models.length) best = scored.length - 1;
  const selected = scored[best];

  const conformal = calibrate(actual, selected.predicted, h, job.coverage);
  const coverages = foldCoverage(actual, selected.predicted, folds, h, job.coverage);
  const times = (i: number) => new Date(job.table.time[frame.origins[i]]).toISOString();
  const foldReports: FoldReport[] = folds.map((fold, k) => {
    const a = part(actual, h, fold.from - btStart, fold.to - btStart);
    const foldMae = mae(a, part(selected.predicted, h, fold.from - btStart, fold.to - btStart));
    const foldBaseline = mae(a, part(naive, h, fold.from - btStart, fold.to - btStart));
    const m = forecastMetrics(a, part(selected.predicted, h, fold.from - btStart, fold.to - btStart));
    return {
      fold: k + 1,
      from: times(fold.from),
      to: times(fold.to - 1),
      samples: fold.to - fold.from,
      mae: foldMae,
      smape: m.smape,
      mase: foldMae / foldBaseline,
      baselineMae: foldBaseline,
      intervalCoverage: coverages[k],
    };
  });
  const covered = coverages.filter((v): v is number => v !== undefined);
  const metrics: Metrics = {
    ...metricsOf(actual, selected.predicted, baselineMae),
    intervalCoverage: covered.length ? covered.reduce((a, b) => a + b, 0) / covered.length : undefined,
  };

  // The trace comes from the last fold, its intervals calibrated on the other folds (out of sample) when there are others.
  const last = folds[folds.length - 1];
  const trace = forecastTrace({
    horizon: h,
    targetTimes: frame.targetTimes,
    from: last.from,
    to: last.to,
    actual: part(actual, h, last.from - btStart, last.to - btStart),
    predicted: part(selected.predicted, h, last.from - btStart, last.to - btStart),
    calibration: folds.length >= 2 ? calibrationWithout(actual, selected.predicted, folds, last, h, job.coverage) : conformal,
    coverage: job.coverage,
  });

  let artifact: ForecasterArtifact | undefined;
  let iterations = 0;
  if (!job.backtestOnly) {
    const members: ForecasterArtifact[] = [];
    for (const m of selected.members) {
      const fitted = await fitAlgorithm(job.models[m], data, validSplit(n), job.seed, {
        earlyStopping: job.earlyStopping,
        onEpoch: job.onEpoch && ((log) => job.onEpoch?.({ ...log, model: names[m], fold: 'final' })),
      });
      members.push(fitted.artifact);
      iterations = Math.max(iterations, fitted.iterations);
    }
    artifact = members.length === 1 ? members[0] : { algorithm: 'ensemble', members };
  }
  return {
    artifact,
    selected: selected.name,
    pipeline: { spec, horizon: h, stepMs, inputNames: frame.inputNames, requiredHistory: historyNeeded(spec, h) },
    conformal,
    metrics,
    baseline: { method: 'seasonal-naive', period, mae: baselineMae },
    folds: foldReports,
    candidates,
    samples: { train: btStart, backtest: n - btStart, skipped: frame.skipped },
    iterations,
    trainInputs: { X: frame.X, names: frame.inputNames },
    trace,
  };
}
