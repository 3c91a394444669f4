import type { ModelSpec } from '../../crds/training-job.ts';
import { fitScaler, fitTargetScaler } from '../features/scaler.ts';
import { type Forecaster, type ForecasterArtifact, loadForecaster, stepRows } from '../models/forecaster.ts';
import { fitGbdt, GBDT_DEFAULTS, type GbdtParams } from '../models/gbdt.ts';
import { saveModel } from '../models/io.ts';
import { seededRandom } from '../models/random.ts';
import { type EpochLog, trainModel } from '../models/train.ts';
import type { FramePlan } from '../features/frame-inputs.ts';

/** FitData is a forecast frame's samples: raw inputs (with the anchor columns) and targets, in time order. */
export interface FitData {
  X: Float32Array;
  Y: Float32Array;
  plan: FramePlan;
}

/** FitRange says which samples one fit may use: train is [0, validFrom), early-stopping validation [validFrom, end). */
export interface FitRange {
  validFrom: number;
  end: number;
}

/** FittedForecaster is one fitted model: its artifact, its forward pass and how the fit went. */
export interface FittedForecaster {
  artifact: ForecasterArtifact;
  forecaster: Forecaster;
  /** Epochs (networks, the longest seed) or boosting rounds kept (gbdt); 0 for seasonalNaive. */
  iterations: number;
}

/** FitHooks are optional callbacks of a fit. */
export interface FitHooks {
  onEpoch?: (log: EpochLog) => void | Promise<void>;
  earlyStopping?: { patience: number; minDelta?: number };
}

/** GBDT_MAX_ROWS bounds the (origin, step) rows one tree fit sees; consecutive origins repeat each other, so a sample of pairs loses little. */
export const GBDT_MAX_ROWS = 160_000;

/** describeModel names a model spec for status and logs, e.g. `mlp`, `seasonalNaive(levelCorrected)`. */
export function describeModel(spec: ModelSpec): string {
  return spec.algorithm === 'seasonalNaive' && spec.levelCorrected ? 'seasonalNaive(levelCorrected)' : spec.algorithm;
}

/** residuals returns Y minus each step's seasonal-naive anchor, for samples [from, to). */
function residuals(data: FitData, from: number, to: number): Float32Array {
  const h = data.plan.horizon;
  const width = data.plan.names.length;
  const out = new Float32Array((to - from) * h);
  for (let i = from; i < to; i++) {
    for (let s = 0; s < h; s++) out[(i - from) * h + s] = data.Y[i * h + s] - data.X[i * width + data.plan.anchorStart + s];
  }
  return out;
}

async function fitNetworks(spec: ModelSpec, data: FitData, range: FitRange, seed: number, hooks: FitHooks): Promise<FittedForecaster> {
  const width = data.plan.names.length;
  const h = data.plan.horizon;
  const { validFrom, end } = range;
  const inputScaler = fitScaler(data.X.subarray(0, validFrom * width), width);
  const R = residuals(data, 0, end);
  const residualScaler = fitTargetScaler(R.subarray(0, validFrom * h));
  const Xs = new Float32Array(end * width);
  for (let i = 0; i < end * width; i++) {
    const c = i % width;
    Xs[i] = (data.X[i] - inputScaler.mean[c]) / inputScaler.std[c];
  }
  for (let i = 0; i < R.length; i++) R[i] = (R[i] - residualScaler.mean) / residualScaler.std;
  const networks = [];
  let iterations = 0;
  for (let k = 0; k < (spec.seeds ?? 1); k++) {
    const trained = await trainModel({
      config: {
        type: spec.algorithm === 'mlp' ? 'mlp' : 'linear',
        hiddenUnits: spec.hiddenUnits,
        activation: spec.activation,
        dropout: spec.dropout,
        epochs: spec.epochs,
        batchSize: spec.batchSize,
        learningRate: spec.learningRate,
        l2: spec.l2,
      },
      X: Xs,
      Y: R,
      nInputs: width,
      horizon: h,
      split: { validation: (end - validFrom) / end, test: 0 },
      earlyStopping: hooks.earlyStopping ?? { patience: 5 },
      seed: (seed + k * 7919) >>> 0,
      onEpoch: hooks.onEpoch,
    });
    networks.push(await saveModel(trained.model));
    trained.model.dispose();
    iterations = Math.max(iterations, trained.bestEpoch);
  }
  const artifact: ForecasterArtifact = { algorithm: spec.algorithm as 'linear' | 'mlp', networks, inputScaler, residualScaler };
  return { artifact, forecaster: await loadForecaster(artifact, data.plan), iterations };
}

/** gbdtParams resolves a model spec's tree hyperparameters over GBDT_DEFAULTS. */
export function gbdtParams(spec: ModelSpec, seed: number): GbdtParams {
  return {
    ...GBDT_DEFAULTS,
    rounds: spec.rounds ?? GBDT_DEFAULTS.rounds,
    learningRate: spec.learningRate ?? GBDT_DEFAULTS.learningRate,
    numLeaves: spec.numLeaves ?? GBDT_DEFAULTS.numLeaves,
    minLeafSamples: spec.minLeafSamples ?? GBDT_DEFAULTS.minLeafSamples,
    l2: spec.l2 ?? GBDT_DEFAULTS.l2,
    featureFraction: spec.featureFraction ?? GBDT_DEFAULTS.featureFraction,
    sampleFraction: spec.sampleFraction ?? GBDT_DEFAULTS.sampleFraction,
    seed,
  };
}

/** gbdtRows builds the per-step rows and residual targets of samples [from, to), keeping about `limit` (origin, step) pairs. */
function gbdtRows(data: FitData, from: number, to: number, limit: number, random: () => number) {
  const h = data.plan.horizon;
  const rowWidth = data.plan.stepNames.length + 1;
  const all = stepRows(data.X.subarray(from * data.plan.names.length, to * data.plan.names.length), to - from, data.plan);
  const R = residuals(data, from, to);
  const total = (to - from) * h;
  const keep = Math.min(1, limit / total);
  if (keep >= 1) return { X: all, y: R, rows: total };
  const X = new Float32Array(Math.ceil(total * keep * 1.1 + 16) * rowWidth);
  const y = new Float32Array(X.length / rowWidth);
  let rows = 0;
  for (let r = 0; r < total && rows < y.length; r++) {
    if (random() >= keep) continue;
    X.set(all.subarray(r * rowWidth, (r + 1) * rowWidth), rows * rowWidth);
    y[rows++] = R[r];
  }
  return { X: X.subarray(0, rows * rowWidth), y: y.subarray(0, rows), rows };
}

async function fitTrees(spec: ModelSpec, data: FitData, range: FitRange, seed: number): Promise<FittedForecaster> {
  const random = seededRandom((seed ^ 0x5bd1e995) >>> 0);
  const train = gbdtRows(data, 0, range.validFrom, GBDT_MAX_ROWS, random);
  const validation = range.end > range.validFrom ? gbdtRows(data, range.validFrom, range.end, GBDT_MAX_ROWS / 4, random) : undefined;
  const fitted = fitGbdt(train, data.plan.stepNames.length + 1, gbdtParams(spec, seed), validation);
  const artifact: ForecasterArtifact = { algorithm: 'gbdt', model: fitted.model };
  return { artifact, forecaster: await loadForecaster(artifact, data.plan), iterations: fitted.rounds };
}

/**
 * fitAlgorithm fits one model spec on samples [0, range.end) of a frame:
 * networks and trees learn the residual to the seasonal-naive anchor on
 * [0, validFrom) and stop early on [validFrom, end); seasonalNaive needs no fit.
 */
export async function fitAlgorithm(spec: ModelSpec, data: FitData, range: FitRange, seed: number, hooks: FitHooks = {}): Promise<FittedForecaster> {
  if (!(range.validFrom >= 10 && range.end > range.validFrom)) {
    throw new Error(`too little data to train: ${range.validFrom} training and ${range.end - range.validFrom} validation samples (need at least 10 and 1)`);
  }
  switch (spec.algorithm) {
    case 'seasonalNaive': {
      const artifact: ForecasterArtifact = { algorithm: 'seasonalNaive', levelCorrected: spec.levelCorrected ?? false };
      return { artifact, forecaster: await loadForecaster(artifact, data.plan), iterations: 0 };
    }
    case 'linear':
    case 'mlp':
      return fitNetworks(spec, data, range, seed, hooks);
    case 'gbdt':
      return fitTrees(spec, data, range, seed);
  }
}
