import type { Table } from '../data/table.ts';
import { buildForecastFrame, type ForecastFrame, requiredHistory } from '../features/forecast-frame.ts';
import type { FeatureSpec } from '../features/spec.ts';

/**
 * FeaturePipeline is everything needed to turn raw rows into model inputs,
 * stored with the model, so serving computes exactly the inputs training did
 * (no training/serving skew). Scalers live with the forecasters that use them.
 */
export interface FeaturePipeline {
  /** The feature spec the frame is built from, with the seasonal-naive anchor training chose. */
  spec: FeatureSpec;
  horizon: number;
  stepMs: number;
  inputNames: string[];
  requiredHistory: number;
}

/**
 * frameFor builds the model's raw inputs from a table: the training code path
 * and the serving code path both call it.
 */
export function frameFor(
  table: Table,
  pipeline: Pick<FeaturePipeline, 'spec' | 'horizon'> & { stepMs?: number },
  origins: 'all' | 'last' = 'all',
): ForecastFrame {
  return buildForecastFrame(table, pipeline.spec, pipeline.horizon, { origins, stepMs: pipeline.stepMs });
}

/** historyNeeded is the number of past rows serving needs for a pipeline. */
export function historyNeeded(spec: FeatureSpec, horizon: number): number {
  return requiredHistory(spec, horizon);
}
