import type * as tf from '@tensorflow/tfjs';
import { compileDense } from './dense-forward.ts';
import { predict } from './predict.ts';

/** Predictor is a model's forward pass: `run` maps n rows of inputs to n rows of outputs. */
export interface Predictor {
  run: (X: Float32Array, n: number) => Float32Array;
  kind: PredictorKind;
}

/** PredictorKind says which forward pass a predictor runs. */
export type PredictorKind = 'dense-js' | 'tfjs';

/**
 * predictor returns the fastest forward pass for a model: for dense models (linear,
 * MLP) the compiled typed-array pass (dense-forward.ts), TensorFlow.js `predict`
 * for the rest. Built once at load time,
 * so serving does no per-request model work that can be done once.
 */
export function predictor(model: tf.LayersModel, nInputs: number): Predictor {
  const dense = compileDense(model);
  if (dense) return { run: dense, kind: 'dense-js' };
  return { run: (X, n) => predict(model, X.subarray(0, n * nInputs), nInputs), kind: 'tfjs' };
}

/**
 * warmUpPredictor runs the forward pass that will serve (not necessarily
 * TensorFlow.js) on a batch of zero rows and then single rows, so the first real
 * request does not pay for JIT or kernel set-up; returns the last single-row
 * latency in milliseconds.
 */
export function warmUpPredictor(p: Predictor, nInputs: number, rounds = 5): number {
  p.run(new Float32Array(64 * nInputs), 64);
  const row = new Float32Array(nInputs);
  let elapsed = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    p.run(row, 1);
    elapsed = performance.now() - started;
  }
  return elapsed;
}
