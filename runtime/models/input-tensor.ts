import * as tf from '@tensorflow/tfjs';

/**
 * toModelInput wraps row-major samples (each `nInputs` wide) as the [samples,
 * nInputs] input tensor of a dense model. Training and prediction both go
 * through it, so the two cannot disagree on layout.
 */
export function toModelInput(model: tf.LayersModel, x: Float32Array, nInputs: number): tf.Tensor {
  if (x.length % nInputs !== 0) {
    throw new RangeError(`model input: ${x.length} values is not a whole number of rows of ${nInputs}`);
  }
  const samples = x.length / nInputs;
  const shape = model.inputs[0].shape;
  if (shape[1] !== nInputs) {
    throw new RangeError(`model input: the model takes ${shape[1]} inputs per sample, not ${nInputs}`);
  }
  return tf.tensor2d(x, [samples, nInputs], 'float32');
}

/** modelHorizon is the number of forecast steps a model outputs per sample (its last layer's width). */
export function modelHorizon(model: tf.LayersModel): number {
  return model.outputs[0].shape[1] as number;
}
