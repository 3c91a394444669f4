import type { Table } from '../data/table.ts';
import { newParsedTimestamp, parseTimestamp } from '../data/timestamp.ts';
import { FeatureError } from '../features/errors.ts';
import { planInputs } from '../features/frame-inputs.ts';
import { historyColumns, knownCovariates } from '../features/spec.ts';
import { type ConformalCalibration, quantileIndex } from '../models/conformal.ts';
import { type ForecasterArtifact, loadForecaster } from '../models/forecaster.ts';
import type { ModelRecord } from '../registry/registry.ts';
import { type ForecastInput, HistoryError, type LoadedModel } from './loaded-model.ts';
import { type FeaturePipeline, frameFor } from '../training/pipeline.ts';

/** StoredPipeline is the pipeline object a TrainingJob stores with the model. */
export type StoredPipeline = FeaturePipeline & { target: string; coverage: number };

/** FORECASTER_FORMAT names the layout of the registry's weights blob: the JSON of a ForecasterArtifact. */
export const FORECASTER_FORMAT = 'fluxora.forecaster/v1';

function historyTable(input: ForecastInput, pipeline: StoredPipeline, history: string[], known: string[]): Table {
  const n = input.timestamps.length;
  const h = pipeline.horizon;
  if (input.target.length !== n) throw new HistoryError(`target has ${input.target.length} values but timestamps has ${n}`);
  if (n < pipeline.requiredHistory) {
    throw new HistoryError(`history has ${n} rows; this model needs at least ${pipeline.requiredHistory} (one every ${pipeline.stepMs / 1000} s)`);
  }
  const rows = n + h;
  const table: Table = { rows, time: new Float64Array(rows), offsetMinutes: new Int16Array(rows), numeric: new Map(), categorical: new Map() };
  const parsed = newParsedTimestamp();
  for (let i = 0; i < n; i++) {
    if (!parseTimestamp(input.timestamps[i], parsed)) throw new HistoryError(`timestamps[${i}]: ${parsed.error}`);
    table.time[i] = parsed.epochMs;
    table.offsetMinutes[i] = parsed.offsetMinutes;
    if (i > 0 && table.time[i] - table.time[i - 1] !== pipeline.stepMs) {
      throw new HistoryError(`timestamps must be ascending and regular, one every ${pipeline.stepMs / 1000} s: timestamps[${i}] breaks that`);
    }
  }
  for (let s = 1; s <= h; s++) {
    table.time[n - 1 + s] = table.time[n - 1] + s * pipeline.stepMs;
    table.offsetMinutes[n - 1 + s] = table.offsetMinutes[n - 1];
  }
  const target = new Float64Array(rows).fill(Number.NaN);
  input.target.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new HistoryError(`target[${i}] must be a finite number`);
    target[i] = v;
  });
  table.numeric.set(pipeline.target, target);
  for (const name of history) {
    const past = input.covariates?.[name];
    if (!past || past.length !== n) throw new HistoryError(`covariates.${name} must have one value per timestamp (${n})`);
    const column = new Float64Array(rows).fill(Number.NaN);
    column.set(past);
    if (known.includes(name)) {
      const future = input.futureCovariates?.[name];
      if (!future || future.length !== h) throw new HistoryError(`futureCovariates.${name} must have ${h} values, one per forecast step`);
      column.set(future, n);
    }
    for (let i = 0; i < rows; i++) {
      if (Number.isNaN(column[i]) && i >= n) continue;
      if (!Number.isFinite(column[i])) throw new HistoryError(`covariate ${name} has a missing or non-finite value`);
    }
    table.numeric.set(name, column);
  }
  return table;
}

/**
 * servingModel turns a registry record into a LoadedModel: the forecaster (from
 * the weights blob), its stored feature pipeline and the conformal calibration.
 * Features come from the same frame code training used, forecasts from the
 * same forward pass the backtest scored, intervals and quantiles from the
 * per-step residual quantiles.
 */
export async function servingModel(record: ModelRecord): Promise<LoadedModel> {
  const a = record.artifact as ModelRecord['artifact'] & { format?: string };
  if (a.format !== FORECASTER_FORMAT) {
    throw new Error(`model "${record.name}" version ${record.version} is stored as ${JSON.stringify(a.format ?? 'an older format')}, this server reads ${FORECASTER_FORMAT}: retrain it with this version`);
  }
  const pipeline = a.pipeline as StoredPipeline;
  const conformal = a.conformal as ConformalCalibration;
  const forecasterArtifact = JSON.parse(Buffer.from(a.weightData).toString('utf8')) as ForecasterArtifact;
  const plan = planInputs(pipeline.spec, pipeline.horizon);
  if (plan.names.length !== a.inputNames.length) {
    throw new Error(`model "${record.name}" version ${record.version}: its pipeline plans ${plan.names.length} inputs, the artifact lists ${a.inputNames.length}`);
  }
  const forecaster = await loadForecaster(forecasterArtifact, plan);
  const width = a.inputNames.length;
  const h = a.horizon;
  const history = historyColumns(pipeline.spec);
  const known = knownCovariates(pipeline.spec);
  const lowerOffsets = Float32Array.from(conformal.lower);
  const upperOffsets = Float32Array.from(conformal.upper);
  return {
    name: record.name,
    version: record.version,
    inputNames: a.inputNames,
    horizon: h,
    stepMs: pipeline.stepMs,
    target: pipeline.target,
    covariates: history,
    knownCovariates: known,
    requiredHistory: pipeline.requiredHistory,
    coverage: pipeline.coverage,
    quantileLevels: conformal.levels,
    quantileOffsets(level) {
      const j = quantileIndex(conformal, level);
      return j < 0 ? undefined : Float32Array.from(conformal.offsets, (step) => step[j]);
    },
    predictBatch(X, n) {
      const point = forecaster.run(X.subarray(0, n * width), n);
      const lower = new Float32Array(point.length);
      const upper = new Float32Array(point.length);
      for (let i = 0; i < point.length; i++) {
        lower[i] = point[i] + lowerOffsets[i % h];
        upper[i] = point[i] + upperOffsets[i % h];
      }
      return { point, lower, upper };
    },
    featuresFromHistory(request) {
      const table = historyTable(request, pipeline, history, known);
      try {
        const frame = frameFor(table, pipeline, 'last');
        return { X: frame.X.subarray(0, width), targetTimes: Array.from(frame.targetTimes.subarray(0, h)) };
      } catch (err) {
        if (err instanceof FeatureError) throw new HistoryError(err.message);
        throw err;
      }
    },
    warmUp() {
      const rows = new Float32Array(64 * width);
      forecaster.run(rows, 64);
      for (let i = 0; i < 5; i++) forecaster.run(rows.subarray(0, width), 1);
    },
  };
}
