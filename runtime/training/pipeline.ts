import type { Table } from '../data/table.ts';
import { buildForecastFrame, type ForecastFrame, requiredHistory } from '../features/forecast-frame.ts';
import type { FeatureSpec } from '../features/spec.ts';

/**
 * FeaturePipeline is everything needed to turn raw rows into model inputs, fitted
 * at training time and stored with the model, so serving computes exactly the
 * same inputs (no training/serving skew).
 */
export interface FeaturePipeline {
  /** The feature spec the frame is built from (for lstm, the derived lookback spec). */
  spec: FeatureSpec;
  horizon: number;
  stepMs: number;
  inputNames: string[];
  /** For lstm: inputs are `lookback` target values, oldest first (one feature per step). */
  sequence?: { lookback: number };
  /** z-score of each input, fitted on the training split. */
  inputScaler: { mean: number[]; std: number[] };
  /** z-score of the target, fitted on the training split. */
  targetScaler: { mean: number; std: number };
  requiredHistory: number;
}

/** lstmSpec derives the feature spec of an LSTM: the last `lookback` target values. */
export function lstmSpec(spec: FeatureSpec, lookback: number): FeatureSpec {
  return { target: spec.target, lags: [{ column: spec.target, steps: Array.from({ length: lookback }, (_, i) => i + 1) }] };
}

/**
 * frameFor builds the model's raw (unscaled) inputs from a table: the training
 * code path and the serving code path both call it. For sequences the lag inputs
 * (newest first) are reversed into time order.
 */
export function frameFor(
  table: Table,
  pipeline: Pick<FeaturePipeline, 'spec' | 'horizon' | 'sequence'> & { stepMs?: number },
  origins: 'all' | 'last' = 'all',
): ForecastFrame {
  const frame = buildForecastFrame(table, pipeline.spec, pipeline.horizon, { origins, stepMs: pipeline.stepMs });
  if (pipeline.sequence) {
    const width = frame.inputNames.length;
    for (let i = 0; i < frame.X.length; i += width) frame.X.subarray(i, i + width).reverse();
    frame.inputNames.reverse();
  }
  return frame;
}

/** historyNeeded is the number of past rows serving needs for a pipeline. */
export function historyNeeded(spec: FeatureSpec, horizon: number): number {
  return requiredHistory(spec, horizon);
}

/** scaleInputs applies the pipeline's input z-score in place. */
export function scaleInputs(X: Float32Array, scaler: FeaturePipeline['inputScaler']): Float32Array {
  const width = scaler.mean.length;
  for (let i = 0; i < X.length; i++) {
    const c = i % width;
    X[i] = (X[i] - scaler.mean[c]) / scaler.std[c];
  }
  return X;
}
