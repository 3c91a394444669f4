import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, resolveModelConfig } from './config.ts';
import { toModelInput } from './input-tensor.ts';
import { buildModel } from './model.ts';
import { seededRandom, shuffleInPlace } from './random.ts';
import { type SplitFractions, type SplitIndex, timeOrderedSplit } from './split.ts';

/** EarlyStoppingOptions stop training once validation loss has not improved by `minDelta` for `patience` epochs. */
export interface EarlyStoppingOptions {
  patience: number;
  /** Smallest decrease of validation loss that counts as an improvement (default 0). */
  minDelta?: number;
}

/** EpochLog is one epoch's training and validation loss, on scaled targets. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean over the epoch's batches of MSE plus the L2 penalty (if any). */
  loss: number;
  /** MSE on the validation split after the epoch, without the L2 penalty; NaN without validation. */
  valLoss: number;
}

/** TrainOptions are the inputs of `trainModel`. */
export interface TrainOptions {
  config: ModelConfig;
  /** Scaled features, row-major, samples x nInputs, in time order. */
  X: Float32Array;
  /** Scaled targets, row-major, samples x horizon, aligned with X. */
  Y: Float32Array;
  nInputs: number;
  horizon: number;
  split: SplitFractions;
  earlyStopping?: EarlyStoppingOptions;
  /** Seeds initial weights, dropout masks and the per-epoch shuffle. */
  seed: number;
  /** Called after every epoch, awaited (progress reporting, cancellation by throwing). */
  onEpoch?: (log: EpochLog) => void | Promise<void>;
}

/** TrainResult is a fitted model and how the fit went. */
export interface TrainResult {
  model: tf.LayersModel;
  history: EpochLog[];
  /** The epoch whose weights `model` holds: the best validation epoch with early stopping, else the last. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Where the time-ordered split cut the samples; validation and test rows are [trainEnd, valEnd) and [valEnd, n). */
  splitIndex: SplitIndex;
}

/**
 * trainModel fits a fresh model (see `buildModel`) with Adam on mean squared
 * error. Samples are split in time order (train, then validation, then test, see
 * `timeOrderedSplit`); only the train part is shuffled, once per epoch, with a
 * generator seeded from `seed`, so the same seed, data and backend give the same
 * weights. With `earlyStopping` it stops when validation loss stalls and restores
 * the weights of the best epoch. Test rows are never looked at. Each epoch's
 * tensors are disposed before the next, so memory stays flat however many epochs
 * run, and the optimizer's state is released at the end: the returned model is
 * ready for `predict` and `saveModel`, and must be compiled again (as a loaded one
 * must) before any further training. Throws if the loss becomes NaN or infinite (a learning rate too high for
 * the data, or unscaled inputs).
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { X, Y, nInputs, horizon, seed } = options;
  const config = resolveModelConfig(options.config);
  const samples = X.length / nInputs;
  if (!Number.isInteger(samples) || Y.length !== samples * horizon) {
    throw new RangeError(`train: X has ${X.length} values and Y ${Y.length}, not samples x ${nInputs} and samples x ${horizon}`);
  }
  const splitIndex = timeOrderedSplit(samples, options.split);
  const { trainEnd, valEnd } = splitIndex;
  const hasValidation = valEnd > trainEnd;
  const stopping = options.earlyStopping;
  if (stopping && !hasValidation) throw new RangeError('earlyStopping: needs a validation split with at least one sample');
  if (stopping && !(Number.isInteger(stopping.patience) && stopping.patience > 0)) {
    throw new RangeError(`earlyStopping.patience: expected a positive integer, got ${stopping.patience}`);
  }
  const minDelta = stopping?.minDelta ?? 0;

  const model = buildModel(config, nInputs, horizon, { seed });
  const optimizer = tf.train.adam(config.learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const validation = hasValidation
    ? ([
        toModelInput(model, X.subarray(trainEnd * nInputs, valEnd * nInputs), nInputs),
        tf.tensor2d(Y.subarray(trainEnd * horizon, valEnd * horizon), [valEnd - trainEnd, horizon]),
      ] as [tf.Tensor, tf.Tensor])
    : undefined;

  const random = seededRandom((seed ^ 0x9e3779b9) >>> 0);
  const order = new Int32Array(trainEnd);
  for (let i = 0; i < trainEnd; i++) order[i] = i;

  const history: EpochLog[] = [];
  let best = { valLoss: Number.POSITIVE_INFINITY, epoch: 0, weights: undefined as tf.Tensor[] | undefined };
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      shuffleInPlace(order, random);
      const xs = gatherRows(X, nInputs, order);
      const ys = tf.tensor2d(gatherRows(Y, horizon, order), [trainEnd, horizon]);
      const xsTensor = toModelInput(model, xs, nInputs);
      let fitted: tf.History;
      try {
        fitted = await model.fit(xsTensor, ys, {
          epochs: 1,
          batchSize: config.batchSize,
          shuffle: false,
          verbose: 0,
          validationData: validation,
        });
      } finally {
        xsTensor.dispose();
        ys.dispose();
      }
      const log: EpochLog = {
        epoch,
        loss: Number(fitted.history['loss'][0]),
        valLoss: hasValidation ? Number(fitted.history['val_loss'][0]) : Number.NaN,
      };
      history.push(log);
      if (!Number.isFinite(log.loss)) {
        throw new Error(`train: loss became ${log.loss} at epoch ${epoch}; lower model.learningRate or check the scaling`);
      }
      await options.onEpoch?.(log);
      if (!stopping) continue;
      if (log.valLoss < best.valLoss - minDelta) {
        for (const w of best.weights ?? []) w.dispose();
        best = { valLoss: log.valLoss, epoch, weights: model.getWeights().map((w) => tf.clone(w)) };
      } else if (epoch - best.epoch >= stopping.patience) {
        stoppedEarly = epoch < config.epochs;
        break;
      }
    }
    if (best.weights) model.setWeights(best.weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    // The model does not own an optimizer passed in as an object, so its Adam
    // moments would outlive model.dispose(); the returned model is for inference.
    optimizer.dispose();
    for (const w of best.weights ?? []) w.dispose();
    for (const t of validation ?? []) t.dispose();
  }
  return {
    model,
    history,
    bestEpoch: stopping && best.epoch > 0 ? best.epoch : history.length,
    stoppedEarly,
    splitIndex,
  };
}

/** gatherRows copies rows `order[0], order[1], ...` of a row-major matrix into a new contiguous array. */
function gatherRows(matrix: Float32Array, width: number, order: Int32Array): Float32Array {
  const out = new Float32Array(order.length * width);
  for (let i = 0; i < order.length; i++) {
    const from = order[i] * width;
    out.set(matrix.subarray(from, from + width), i * width);
  }
  return out;
}
