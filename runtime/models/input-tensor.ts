import * as tf from '@tensorflow/tfjs';

/**
 * toLstmInput turns a row-major Float32Array of `samples` windows into the 3-D
 * tensor [samples, lookback, featuresPerStep] an LSTM model takes. Each sample's
 * row holds `lookback * featuresPerStep` values, time-major and oldest step first:
 * `x[i * lookback * featuresPerStep + k * featuresPerStep + j]` is feature j at
 * step k of sample i's window (k = lookback - 1 is the forecast origin). Building
 * rows this way makes the conversion a reshape, with no copy or transpose. The
 * caller owns (and must dispose) the tensor.
 */
export function toLstmInput(x: Float32Array, samples: number, lookback: number, featuresPerStep: number): tf.Tensor3D {
  if (x.length !== samples * lookback * featuresPerStep) {
    throw new RangeError(
      `LSTM input: expected ${samples} x ${lookback} x ${featuresPerStep} = ${samples * lookback * featuresPerStep} values, got ${x.length}`,
    );
  }
  return tf.tensor3d(x, [samples, lookback, featuresPerStep], 'float32');
}

/**
 * toModelInput wraps row-major samples (each `nInputs` wide) as the input tensor
 * a model expects: [samples, nInputs] for dense models, [samples, lookback,
 * featuresPerStep] (see `toLstmInput`) for a model whose input is 3-D. Training
 * and prediction both go through it, so the two cannot disagree on layout.
 */
export function toModelInput(model: tf.LayersModel, x: Float32Array, nInputs: number): tf.Tensor {
  if (x.length % nInputs !== 0) {
    throw new RangeError(`model input: ${x.length} values is not a whole number of rows of ${nInputs}`);
  }
  const samples = x.length / nInputs;
  const shape = model.inputs[0].shape;
  if (shape.length === 3) {
    const lookback = shape[1] as number;
    const featuresPerStep = shape[2] as number;
    if (lookback * featuresPerStep !== nInputs) {
      throw new RangeError(`model input: the model takes ${lookback} x ${featuresPerStep} per sample, not ${nInputs}`);
    }
    return toLstmInput(x, samples, lookback, featuresPerStep);
  }
  if (shape[1] !== nInputs) {
    throw new RangeError(`model input: the model takes ${shape[1]} inputs per sample, not ${nInputs}`);
  }
  return tf.tensor2d(x, [samples, nInputs], 'float32');
}

/** modelHorizon is the number of forecast steps a model outputs per sample (its last layer's width). */
export function modelHorizon(model: tf.LayersModel): number {
  return model.outputs[0].shape[1] as number;
}
