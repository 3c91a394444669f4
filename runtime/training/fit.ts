import type { ModelSpec } from '../../crds/training-job.ts';
import type { Table } from '../data/table.ts';
import { fitScaler, fitTargetScaler } from '../features/scaler.ts';
import type { FeatureSpec } from '../features/spec.ts';
import { type ConformalQuantiles, conformalIntervals, conformalQuantiles, empiricalCoverage } from '../models/conformal.ts';
import { forecastMetrics } from '../models/metrics.ts';
import { predict } from '../models/predict.ts';
import { seasonalNaive } from '../models/seasonal-naive.ts';
import { timeOrderedSplit } from '../models/split.ts';
import { type EpochLog, trainModel } from '../models/train.ts';
import { mae } from '../models/metrics.ts';
import type * as tf from '@tensorflow/tfjs';
import { type FeaturePipeline, frameFor, historyNeeded, lstmSpec, scaleInputs } from './pipeline.ts';

/** FitOptions are the inputs of one training run (a tuning trial or the final fit). */
export interface FitOptions {
  table: Table;
  features: FeatureSpec;
  model: ModelSpec;
  horizon: number;
  split: { validation: number; test: number };
  earlyStopping?: { patience: number; minDelta?: number };
  coverage: number;
  seasonalPeriod?: number;
  seed: number;
  onEpoch?: (log: EpochLog) => void | Promise<void>;
}

/** Metrics are point and interval metrics of one split. */
export interface Metrics {
  mae: number;
  rmse: number;
  mape: number;
  r2: number;
  intervalCoverage?: number;
}

/** FitResult is a trained forecaster with its pipeline, calibration and evaluation. */
export interface FitResult {
  model: tf.LayersModel;
  pipeline: FeaturePipeline;
  conformal: ConformalQuantiles;
  validation: Metrics;
  test: Metrics;
  baseline: { method: 'seasonal-naive'; period: number; mae: number };
  samples: { train: number; validation: number; test: number; skipped: number };
  epochs: number;
  stoppedEarly: boolean;
  /** Scaled-space X of the training split, for the drift baseline profile. */
  trainInputs: { X: Float32Array; names: string[] };
}

function unscale(Y: Float32Array, scaler: { mean: number; std: number }): Float32Array {
  const out = new Float32Array(Y.length);
  for (let i = 0; i < Y.length; i++) out[i] = Y[i] * scaler.std + scaler.mean;
  return out;
}

function metricsOf(actual: Float32Array, predicted: Float32Array): Metrics {
  const m = forecastMetrics(actual, predicted);
  return { mae: m.mae, rmse: m.rmse, mape: m.mape, r2: m.r2 };
}

/**
 * fitForecaster trains one forecaster: builds the forecast frame with the feature code
 * serving uses, splits it in time order (train, validation, test), fits the
 * scalers on train only, trains with early stopping on validation, calibrates
 * split-conformal intervals on validation, and evaluates on test against the
 * seasonal-naive baseline on the same samples.
 */
export async function fitForecaster(opts: FitOptions): Promise<FitResult> {
  const sequence = opts.model.type === 'lstm' ? { lookback: opts.model.lookback ?? 48 } : undefined;
  const spec = sequence ? lstmSpec(opts.features, sequence.lookback) : opts.features;
  const frame = frameFor(opts.table, { spec, horizon: opts.horizon, sequence });
  const width = frame.inputNames.length;
  const n = frame.origins.length;
  const Y = frame.Y as Float32Array;
  const split = timeOrderedSplit(n, opts.split);
  if (split.trainEnd < 10 || split.valEnd - split.trainEnd < 1 || n - split.valEnd < 1) {
    throw new Error(`too little data to train: ${n} samples after features (${frame.skipped} skipped for warm-up), need at least 10 for training and 1 each for validation and test`);
  }
  const inputScaler = fitScaler(frame.X.subarray(0, split.trainEnd * width), width);
  const targetScaler = fitTargetScaler(Y.subarray(0, split.trainEnd * opts.horizon));
  const Xs = scaleInputs(Float32Array.from(frame.X), inputScaler);
  const Ys = new Float32Array(Y.length);
  for (let i = 0; i < Y.length; i++) Ys[i] = (Y[i] - targetScaler.mean) / targetScaler.std;

  const trained = await trainModel({
    config: { ...opts.model, ...(sequence ? { lookback: sequence.lookback } : {}) },
    X: Xs,
    Y: Ys,
    nInputs: width,
    horizon: opts.horizon,
    split: opts.split,
    earlyStopping: opts.earlyStopping,
    seed: opts.seed,
    onEpoch: opts.onEpoch,
  });
  const h = opts.horizon;
  const predicted = unscale(predict(trained.model, Xs, width), targetScaler);
  const part = (a: Float32Array, from: number, to: number) => a.subarray(from * h, to * h);
  const valActual = part(Y, split.trainEnd, split.valEnd);
  const valPred = part(predicted, split.trainEnd, split.valEnd);
  const testActual = part(Y, split.valEnd, n);
  const testPred = part(predicted, split.valEnd, n);
  const conformal = conformalQuantiles(valActual, valPred, h, opts.coverage);
  const valIntervals = conformalIntervals(valPred, conformal);
  const testIntervals = conformalIntervals(testPred, conformal);

  const stepMs = frame.stepMs;
  const period = opts.seasonalPeriod ?? Math.max(1, Math.round((7 * 86_400_000) / stepMs));
  const target = opts.table.numeric.get(opts.features.target) as Float64Array;
  const baselinePred = seasonalNaive({ series: target, origins: frame.origins.subarray(split.valEnd), horizon: h, period });
  const validation = { ...metricsOf(valActual, valPred), intervalCoverage: empiricalCoverage(valActual, valIntervals.lower, valIntervals.upper, h).overall };
  const test = { ...metricsOf(testActual, testPred), intervalCoverage: empiricalCoverage(testActual, testIntervals.lower, testIntervals.upper, h).overall };
  return {
    model: trained.model,
    pipeline: {
      spec,
      horizon: h,
      stepMs,
      inputNames: frame.inputNames,
      sequence,
      inputScaler,
      targetScaler,
      requiredHistory: historyNeeded(spec, h),
    },
    conformal,
    validation,
    test,
    baseline: { method: 'seasonal-naive', period, mae: mae(testActual, baselinePred) },
    samples: { train: split.trainEnd, validation: split.valEnd - split.trainEnd, test: n - split.valEnd, skipped: frame.skipped },
    epochs: trained.history.length,
    stoppedEarly: trained.stoppedEarly,
    trainInputs: { X: frame.X.subarray(0, split.trainEnd * width), names: frame.inputNames },
  };
}
