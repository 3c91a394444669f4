import type { FramePlan } from '../features/frame-inputs.ts';
import type { Scaler, TargetScaler } from '../features/scaler.ts';
import { compileGbdt, type GbdtModel } from './gbdt.ts';
import { loadModel, type ModelArtifact as NetworkArtifact } from './io.ts';
import { predictor } from './predictor.ts';

/** Algorithm names a model family a TrainingJob can train. */
export type Algorithm = 'seasonalNaive' | 'linear' | 'mlp' | 'gbdt';

/**
 * ForecasterArtifact is a trained forecaster as plain JSON, stored in the
 * registry's weights blob. Every learned member predicts the residual to the
 * seasonal-naive anchor of each step (an input column of X), so a model that
 * learned nothing forecasts the baseline, never far from it.
 * - seasonalNaive: the anchor itself, optionally plus the level shift of the last day;
 * - linear, mlp: a network from z-scored X to z-scored residuals;
 * - gbdt: trees over one row per (origin, step): the step's view of X and the step number;
 * - ensemble: the mean of its members' forecasts.
 */
export type ForecasterArtifact =
  | { algorithm: 'seasonalNaive'; levelCorrected: boolean }
  | { algorithm: 'linear' | 'mlp'; networks: NetworkArtifact[]; inputScaler: Scaler; residualScaler: TargetScaler }
  | { algorithm: 'gbdt'; model: GbdtModel }
  | { algorithm: 'ensemble'; members: ForecasterArtifact[] };

/** Forecaster runs a stored forecaster: n rows of raw inputs in, n x horizon point forecasts (target units) out. */
export interface Forecaster {
  run(X: Float32Array, n: number): Float32Array;
  /** What runs, e.g. `gbdt`, `mlp(dense-js)`, `ensemble(gbdt+mlp)`. */
  kind: string;
}

/** AnchorLayout says where the anchor and each step's view sit in X; planInputs gives it. */
export type AnchorLayout = Pick<FramePlan, 'horizon' | 'names' | 'anchorStart' | 'stepNames' | 'stepView' | 'anchor'>;

/** anchorOf returns the seasonal-naive value of step s (0-based) of sample row i. */
export function anchorOf(X: Float32Array, width: number, layout: AnchorLayout, i: number, s: number): number {
  return X[i * width + layout.anchorStart + s];
}

/** stepRows turns wide samples into one row per (sample, step): the step's view of X, then the step number (1-based). */
export function stepRows(X: Float32Array, n: number, layout: AnchorLayout, out?: Float32Array): Float32Array {
  const width = layout.names.length;
  const view = layout.stepNames.length;
  const h = layout.horizon;
  const rowWidth = view + 1;
  const rows = out ?? new Float32Array(n * h * rowWidth);
  for (let i = 0; i < n; i++) {
    const base = i * width;
    for (let s = 0; s < h; s++) {
      const at = (i * h + s) * rowWidth;
      const columns = s * view;
      for (let j = 0; j < view; j++) rows[at + j] = X[base + layout.stepView[columns + j]];
      rows[at + view] = s + 1;
    }
  }
  return rows;
}

function requireAnchor(layout: AnchorLayout): void {
  if (!layout.anchor) throw new Error('forecaster: the pipeline has no seasonal-naive anchor (inputs planned without anchor)');
}

/**
 * loadForecaster turns an artifact into its forward pass, once at load time:
 * dense networks through the fastest dense pass (predictor), trees through
 * typed arrays. Training evaluates through the same function, so backtests
 * measure exactly what serving runs.
 */
export async function loadForecaster(artifact: ForecasterArtifact, layout: AnchorLayout): Promise<Forecaster> {
  requireAnchor(layout);
  const width = layout.names.length;
  const h = layout.horizon;
  const levelColumn = layout.anchorStart + h;
  const withAnchor = (n: number, X: Float32Array, residual: (i: number, s: number) => number): Float32Array => {
    const out = new Float32Array(n * h);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < h; s++) out[i * h + s] = anchorOf(X, width, layout, i, s) + residual(i, s);
    }
    return out;
  };
  switch (artifact.algorithm) {
    case 'seasonalNaive': {
      const level = artifact.levelCorrected;
      return {
        kind: level ? 'seasonalNaive(levelCorrected)' : 'seasonalNaive',
        run: (X, n) => withAnchor(n, X, (i) => (level ? X[i * width + levelColumn] : 0)),
      };
    }
    case 'linear':
    case 'mlp': {
      const { inputScaler, residualScaler } = artifact;
      if (inputScaler.mean.length !== width) throw new Error(`forecaster: the input scaler has ${inputScaler.mean.length} columns, the pipeline ${width}`);
      const passes: ReturnType<typeof predictor>[] = [];
      for (const network of artifact.networks) {
        const model = await loadModel(network);
        const pass = predictor(model, width);
        if (pass.kind !== 'tfjs') model.dispose();
        passes.push(pass);
      }
      if (passes.length === 0) throw new Error('forecaster: a network forecaster needs at least one network');
      const mean = Float32Array.from(inputScaler.mean);
      const std = Float32Array.from(inputScaler.std);
      let scratch = new Float32Array(0);
      return {
        kind: `${artifact.algorithm}(${passes[0].kind}${passes.length > 1 ? ` x${passes.length}` : ''})`,
        run(X, n) {
          if (scratch.length < n * width) scratch = new Float32Array(n * width);
          const scaled = scratch.subarray(0, n * width);
          for (let i = 0; i < n * width; i++) {
            const c = i % width;
            scaled[i] = (X[i] - mean[c]) / std[c];
          }
          const sum = new Float32Array(n * h);
          for (const pass of passes) {
            const out = pass.run(scaled, n);
            for (let k = 0; k < n * h; k++) sum[k] += out[k];
          }
          const scale = residualScaler.std / passes.length;
          return withAnchor(n, X, (i, s) => sum[i * h + s] * scale + residualScaler.mean);
        },
      };
    }
    case 'gbdt': {
      const rowWidth = layout.stepNames.length + 1;
      if (artifact.model.features !== rowWidth) {
        throw new Error(`forecaster: the trees read ${artifact.model.features} inputs per step, the pipeline gives ${rowWidth}`);
      }
      const trees = compileGbdt(artifact.model);
      let scratch = new Float32Array(0);
      return {
        kind: 'gbdt',
        run(X, n) {
          if (scratch.length < n * h * rowWidth) scratch = new Float32Array(n * h * rowWidth);
          const rows = stepRows(X, n, layout, scratch);
          return withAnchor(n, X, (i, s) => trees(rows, (i * h + s) * rowWidth));
        },
      };
    }
    case 'ensemble': {
      if (artifact.members.length === 0) throw new Error('forecaster: an ensemble needs at least one member');
      const members: Forecaster[] = [];
      for (const m of artifact.members) members.push(await loadForecaster(m, layout));
      return {
        kind: `ensemble(${members.map((m) => m.kind).join('+')})`,
        run(X, n) {
          const out = new Float32Array(n * h);
          for (const m of members) {
            const p = m.run(X, n);
            for (let k = 0; k < out.length; k++) out[k] += p[k] / members.length;
          }
          return out;
        },
      };
    }
    default:
      throw new Error(`forecaster: unknown algorithm "${(artifact as { algorithm: string }).algorithm}"`);
  }
}
