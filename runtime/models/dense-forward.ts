import type * as tf from '@tensorflow/tfjs';

/** DenseForward runs a model's forward pass on n rows of X (row-major) and returns n x outputs. */
export type DenseForward = (X: Float32Array, n: number) => Float32Array;

const LINEAR = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;

const ACTIVATIONS: Record<string, number> = { linear: LINEAR, relu: RELU, tanh: TANH, sigmoid: SIGMOID };

interface DenseLayer {
  inputs: number;
  units: number;
  /** The kernel, inputs x units row-major, widened to doubles once. */
  kernel: Float64Array;
  /** The bias (zeros without one). */
  bias: Float64Array;
  activation: number;
}

/**
 * compileDense turns a model made only of Dense layers (and dropout, an identity
 * at inference) into a plain typed-array forward pass: the serving hot path for
 * linear and MLP forecasters, where a small batch costs less in a JIT-compiled
 * loop than a round trip through TensorFlow.js kernels. Returns undefined for any
 * other model (an unknown activation, a layer it does not know), which then runs through tfjs.
 *
 * Per row and layer it adds each input times its kernel row into a double
 * accumulator (skipping zero inputs, which ReLU makes common), then applies the
 * activation inline and rounds to FP32 as TensorFlow.js does between layers.
 * Weights are widened to doubles at compile time and rows are addressed by
 * offset, so the pass allocates nothing but its output.
 */
export function compileDense(model: tf.LayersModel): DenseForward | undefined {
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'Dropout' || cls === 'FluxoraSeededDropout') continue;
    if (cls !== 'Dense') return undefined;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = ACTIVATIONS[config.activation ?? 'linear'];
    if (activation === undefined) return undefined;
    const [kernel, bias] = layer.getWeights();
    const [inputs, units] = kernel.shape as [number, number];
    layers.push({
      inputs,
      units,
      kernel: Float64Array.from(kernel.dataSync() as Float32Array),
      bias: bias ? Float64Array.from(bias.dataSync() as Float32Array) : new Float64Array(units),
      activation,
    });
  }
  if (layers.length === 0) return undefined;
  const widest = Math.max(layers[0].inputs, ...layers.map((l) => l.units));
  const input = new Float64Array(widest);
  const sum = new Float64Array(widest);
  const last = layers.length - 1;
  const nInputs = layers[0].inputs;
  const nOutputs = layers[last].units;
  return (X, n) => {
    const out = new Float32Array(n * nOutputs);
    for (let r = 0; r < n; r++) {
      const at = r * nInputs;
      for (let k = 0; k < nInputs; k++) input[k] = X[at + k];
      for (let l = 0; l < last; l++) {
        const { units } = layers[l];
        denseLayer(layers[l], input, sum);
        for (let j = 0; j < units; j++) input[j] = Math.fround(sum[j]);
      }
      denseLayer(layers[last], input, sum);
      const o = r * nOutputs;
      for (let j = 0; j < nOutputs; j++) out[o + j] = sum[j];
    }
    return out;
  };
}

/** denseLayer writes activation(bias + input · kernel) for each unit into sum. */
function denseLayer(layer: DenseLayer, input: Float64Array, sum: Float64Array): void {
  const { inputs, units, kernel, bias, activation } = layer;
  for (let j = 0; j < units; j++) sum[j] = bias[j];
  for (let k = 0; k < inputs; k++) {
    const x = input[k];
    if (x === 0) continue;
    const row = k * units;
    let j = 0;
    for (; j + 3 < units; j += 4) {
      sum[j] += x * kernel[row + j];
      sum[j + 1] += x * kernel[row + j + 1];
      sum[j + 2] += x * kernel[row + j + 2];
      sum[j + 3] += x * kernel[row + j + 3];
    }
    for (; j < units; j++) sum[j] += x * kernel[row + j];
  }
  switch (activation) {
    case RELU:
      for (let j = 0; j < units; j++) if (sum[j] < 0) sum[j] = 0;
      break;
    case TANH:
      for (let j = 0; j < units; j++) sum[j] = Math.tanh(sum[j]);
      break;
    case SIGMOID:
      for (let j = 0; j < units; j++) sum[j] = 1 / (1 + Math.exp(-sum[j]));
      break;
  }
}
