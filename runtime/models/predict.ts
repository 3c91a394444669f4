import * as tf from '@tensorflow/tfjs';
import { modelHorizon, toModelInput } from './input-tensor.ts';

/**
 * PREDICT_BATCH_ROWS is how many samples `predict` pushes through the model at
 * once: large enough to amortise per-call overhead, small enough to stay in cache
 * (on the wasm backend, batches of 8,192 or 50,000 rows measured slower per row).
 */
export const PREDICT_BATCH_ROWS = 1024;

/**
 * predict runs a model on row-major samples (`nInputs` values each) and returns the forecasts row-major, samples x horizon. It
 * works in batches of `batchRows` so large inputs never build one huge tensor,
 * and disposes every tensor it makes. Synchronous: on the wasm and cpu backends
 * the work happens on the calling thread anyway.
 */
export function predict(model: tf.LayersModel, X: Float32Array, nInputs: number, batchRows = PREDICT_BATCH_ROWS): Float32Array {
  if (X.length % nInputs !== 0) {
    throw new RangeError(`predict: ${X.length} values is not a whole number of rows of ${nInputs}`);
  }
  const samples = X.length / nInputs;
  const horizon = modelHorizon(model);
  const out = new Float32Array(samples * horizon);
  for (let start = 0; start < samples; start += batchRows) {
    const end = Math.min(samples, start + batchRows);
    const batch = X.subarray(start * nInputs, end * nInputs);
    const values = tf.tidy(() => (model.predict(toModelInput(model, batch, nInputs)) as tf.Tensor).dataSync());
    out.set(values, start * horizon);
  }
  return out;
}

/**
 * warmUp runs a freshly loaded model a few times on zero rows so the first real
 * request does not pay for kernel set-up and JIT compilation, and returns the
 * last single-row latency in milliseconds (for a start-up log line).
 */
export function warmUp(model: tf.LayersModel, nInputs: number, rounds = 5): number {
  predict(model, new Float32Array(64 * nInputs), nInputs);
  const row = new Float32Array(nInputs);
  let elapsed = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    predict(model, row, nInputs);
    elapsed = performance.now() - started;
  }
  return elapsed;
}
