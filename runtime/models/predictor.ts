import type * as tf from '@tensorflow/tfjs';
import { compileDense } from './dense-forward.ts';
import { compileDenseSimd } from './dense-simd.ts';
import { predict } from './predict.ts';

/** PredictorKind says which forward pass a predictor runs. */
export type PredictorKind = 'dense-wasm-simd' | 'dense-js' | 'tfjs';

/**
 * predictor returns the fastest forward pass for a model: for dense models (linear,
 * MLP) the WebAssembly SIMD kernel where the runtime has SIMD, else the compiled
 * typed-array pass; TensorFlow.js `predict` for the rest. Built once at load time,
 * so serving does no per-request model work that can be done once.
 */
export function predictor(model: tf.LayersModel, nInputs: number): { run: (X: Float32Array, n: number) => Float32Array; kind: PredictorKind } {
  const simd = compileDenseSimd(model);
  if (simd) return { run: simd, kind: 'dense-wasm-simd' };
  const dense = compileDense(model);
  if (dense) return { run: dense, kind: 'dense-js' };
  return { run: (X, n) => predict(model, X.subarray(0, n * nInputs), nInputs), kind: 'tfjs' };
}
