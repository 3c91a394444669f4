import type * as tf from '@tensorflow/tfjs';

/** DenseForward runs a model's forward pass on n rows of X (row-major) and returns n x outputs. */
export type DenseForward = (X: Float32Array, n: number) => Float32Array;

interface DenseLayer {
  inputs: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array | undefined;
  activation: (v: number) => number;
}

const ACTIVATIONS: Record<string, (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => Math.max(v, 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
};

/**
 * compileDense turns a model made only of Dense layers (and dropout, an identity
 * at inference) into a plain typed-array forward pass: the serving hot path for
 * linear and MLP forecasters, where a small batch costs less in a JIT-compiled
 * loop than a round trip through TensorFlow.js kernels. Returns undefined for any
 * other model (an LSTM, an unknown activation), which then runs through tfjs.
 */
export function compileDense(model: tf.LayersModel): DenseForward | undefined {
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'Dropout' || cls === 'FluxoraSeededDropout') continue;
    if (cls !== 'Dense') return undefined;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = ACTIVATIONS[config.activation ?? 'linear'];
    if (!activation) return undefined;
    const [kernel, bias] = layer.getWeights();
    const [inputs, units] = kernel.shape as [number, number];
    layers.push({ inputs, units, kernel: kernel.dataSync() as Float32Array, bias: bias ? (bias.dataSync() as Float32Array) : undefined, activation });
  }
  if (layers.length === 0) return undefined;
  const widest = Math.max(...layers.map((l) => l.units));
  let a = new Float32Array(widest);
  let b = new Float32Array(widest);
  return (X, n) => {
    const first = layers[0];
    const last = layers[layers.length - 1];
    const out = new Float32Array(n * last.units);
    for (let r = 0; r < n; r++) {
      let input: Float32Array = X.subarray(r * first.inputs, (r + 1) * first.inputs);
      for (let l = 0; l < layers.length; l++) {
        const { inputs, units, kernel, bias, activation } = layers[l];
        const target = l === layers.length - 1 ? out.subarray(r * units, (r + 1) * units) : b.subarray(0, units);
        if (bias) target.set(bias);
        else target.fill(0);
        for (let k = 0; k < inputs; k++) {
          const x = input[k];
          if (x === 0) continue;
          const row = k * units;
          for (let j = 0; j < units; j++) target[j] += x * kernel[row + j];
        }
        for (let j = 0; j < units; j++) target[j] = activation(target[j]);
        if (l < layers.length - 1) {
          input = target;
          [a, b] = [b, a];
        }
      }
    }
    return out;
  };
}
