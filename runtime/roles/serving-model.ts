import type { Table } from '../data/table.ts';
import { newParsedTimestamp, parseTimestamp } from '../data/timestamp.ts';
import { FeatureError } from '../features/errors.ts';
import type { ConformalQuantiles } from '../models/conformal.ts';
import { loadModel as loadLayersModel } from '../models/io.ts';
import { predictor, warmUpPredictor } from '../models/predictor.ts';
import type { ModelRecord } from '../registry/registry.ts';
import { type ForecastInput, HistoryError, type LoadedModel } from '../serve/loaded-model.ts';
import { type FeaturePipeline, frameFor, scaleInputs } from '../training/pipeline.ts';

/** StoredPipeline is the pipeline object a TrainingJob stores with the model. */
export type StoredPipeline = FeaturePipeline & { target: string; covariates: string[]; coverage: number };

function historyTable(input: ForecastInput, pipeline: StoredPipeline): Table {
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
  for (const name of pipeline.covariates) {
    const past = input.covariates?.[name];
    const future = input.futureCovariates?.[name];
    if (!past || past.length !== n) throw new HistoryError(`covariates.${name} must have one value per timestamp (${n})`);
    if (!future || future.length !== h) throw new HistoryError(`futureCovariates.${name} must have ${h} values, one per forecast step`);
    const column = new Float64Array(rows);
    column.set(past);
    column.set(future, n);
    for (let i = 0; i < rows; i++) if (!Number.isFinite(column[i])) throw new HistoryError(`covariate ${name} has a missing or non-finite value`);
    table.numeric.set(name, column);
  }
  return table;
}

/**
 * servingModel turns a registry record into a LoadedModel: the tfjs model, its
 * stored feature pipeline (fitted scalers) and conformal quantiles. Scaling and
 * interval widths are applied here once per batch; features come from the same
 * frame code training used.
 */
export async function servingModel(record: ModelRecord): Promise<LoadedModel> {
  const a = record.artifact;
  const pipeline = a.pipeline as StoredPipeline;
  const conformal = a.conformal as ConformalQuantiles;
  const weights = a.weightData;
  const model = await loadLayersModel({
    format: 'layers-model',
    generatedBy: 'fluxora',
    modelTopology: a.modelTopology as Record<string, unknown>,
    weightSpecs: a.weightSpecs as never,
    weightData: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64'),
  });
  const width = a.inputNames.length;
  const h = a.horizon;
  const forward = predictor(model, width);
  // The dense passes hold their own copy of the weights: TensorFlow.js is then off
  // the request path, and running it at all (even a warm-up) leaves the process
  // measurably slower per request (more GC work), so its model is disposed unused.
  if (forward.kind !== 'tfjs') model.dispose();
  return {
    name: record.name,
    version: record.version,
    inputNames: a.inputNames,
    horizon: h,
    stepMs: pipeline.stepMs,
    target: pipeline.target,
    covariates: pipeline.covariates,
    requiredHistory: pipeline.requiredHistory,
    coverage: pipeline.coverage,
    predictBatch(X, n) {
      const scaled = scaleInputs(Float32Array.from(X.subarray(0, n * width)), pipeline.inputScaler);
      const out = forward.run(scaled, n);
      const lower = new Float32Array(out.length);
      const upper = new Float32Array(out.length);
      const { mean, std } = pipeline.targetScaler;
      for (let i = 0; i < out.length; i++) {
        out[i] = out[i] * std + mean;
        const q = conformal.halfWidths[i % h];
        lower[i] = out[i] - q;
        upper[i] = out[i] + q;
      }
      return { point: out, lower, upper };
    },
    featuresFromHistory(request) {
      const table = historyTable(request, pipeline);
      try {
        const frame = frameFor(table, pipeline, 'last');
        return { X: frame.X.subarray(0, width), targetTimes: Array.from(frame.targetTimes.subarray(0, h)) };
      } catch (err) {
        if (err instanceof FeatureError) throw new HistoryError(err.message);
        throw err;
      }
    },
    warmUp() {
      warmUpPredictor(forward, width);
    },
  };
}
