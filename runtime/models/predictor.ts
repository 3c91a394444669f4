import type * as tf from '@tensorflow/tfjs';
import { compileDense } from './dense-forward.ts';
import { predict } from './predict.ts';

/**
 * predictor returns the fastest forward pass for a model: the compiled typed-array
 * pass for dense models (linear, MLP), else TensorFlow.js `predict`. Built once
 * at load time, so serving does no per-request model work that can be done once.
 */
export function predictor(model: tf.LayersModel, nInputs: number): { run: (X: Float32Array, n: number) => Float32Array; kind: 'dense-js' | 'tfjs' } {
  const dense = compileDense(model);
  if (dense) return { run: dense, kind: 'dense-js' };
  return { run: (X, n) => predict(model, X.subarray(0, n * nInputs), nInputs), kind: 'tfjs' };
}
