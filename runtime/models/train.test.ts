import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { mae, r2 } from './metrics.ts';
import { predict } from './predict.ts';
import { seededGaussian, seededRandom } from './random.ts';
import { trainModel } from './train.ts';

beforeAll(async () => {
  await initBackend();
});

/** uniformMatrix fills samples x width with seeded uniform values in [-1, 1). */
function uniformMatrix(samples: number, width: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: samples * width }, () => 2 * random() - 1);
}

function meanSquaredError(actual: Float32Array, predicted: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i] - predicted[i]) ** 2;
  return sum / actual.length;
}

describe('trainModel', () => {
  it('recovers a linear function with the linear model (two steps, two slopes)', async () => {
    const samples = 1000;
    const X = uniformMatrix(samples, 3, 1);
    const Y = new Float32Array(samples * 2);
    for (let i = 0; i < samples; i++) {
      const [a, b, c] = X.subarray(i * 3, i * 3 + 3);
      Y[i * 2] = 2 * a - 3 * b + 0.5;
      Y[i * 2 + 1] = -a + 0.25 * c - 1;
    }
    const { model, splitIndex } = await trainModel({
      config: { type: 'linear', epochs: 40, batchSize: 50, learningRate: 0.1 },
      X,
      Y,
      nInputs: 3,
      horizon: 2,
      split: { validation: 0.1, test: 0.1 },
      seed: 3,
    });
    expect(splitIndex).toEqual({ trainEnd: 800, valEnd: 900 });
    const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
    // kernel is [inputs, steps] row-major.
    const expectedKernel = [2, -1, -3, 0, 0, 0.25];
    for (const [i, w] of kernel.entries()) expect(w).toBeCloseTo(expectedKernel[i], 2);
    expect(bias[0]).toBeCloseTo(0.5, 2);
    expect(bias[1]).toBeCloseTo(-1, 2);
    model.dispose();
  });

  it('fits a daily sine with an MLP far better than the mean does', async () => {
    // Hourly series with daily seasonality; the input is the hour of day, scaled.
    const samples = 24 * 120;
    const horizon = 3;
    const noise = seededGaussian(seededRandom(11));
    const X = new Float32Array(samples);
    const Y = new Float32Array(samples * horizon);
    for (let t = 0; t < samples; t++) {
      X[t] = (t % 24) / 23;
      for (let s = 1; s <= horizon; s++) Y[t * horizon + s - 1] = Math.sin((2 * Math.PI * (t + s)) / 24) + 0.1 * noise();
    }
    const { model, splitIndex } = await trainModel({
      config: { type: 'mlp', hiddenUnits: [32, 32], activation: 'tanh', epochs: 40, batchSize: 64, learningRate: 0.02 },
      X,
      Y,
      nInputs: 1,
      horizon,
      split: { validation: 0.15, test: 0.15 },
      earlyStopping: { patience: 8 },
      seed: 5,
    });
    const testX = X.subarray(splitIndex.valEnd);
    const testY = Y.subarray(splitIndex.valEnd * horizon);
    const forecast = predict(model, testX, 1);
    let trainMean = 0;
    for (let i = 0; i < splitIndex.trainEnd * horizon; i++) trainMean += Y[i];
    trainMean /= splitIndex.trainEnd * horizon;
    const meanForecast = new Float32Array(testY.length).fill(trainMean);
    expect(mae(testY, forecast)).toBeLessThan(0.3 * mae(testY, meanForecast));
    expect(r2(testY, forecast)).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('gives identical weights and history for the same seed, different ones for another', async () => {
    const X = uniformMatrix(600, 4, 2);
    const Y = Float32Array.from({ length: 600 }, (_, i) => Math.sin(3 * X[i * 4]) + X[i * 4 + 1] * X[i * 4 + 2]);
    const run = (seed: number) =>
      trainModel({
        config: { type: 'mlp', hiddenUnits: [16], dropout: 0.2, epochs: 5, batchSize: 32, learningRate: 0.01 },
        X,
        Y,
        nInputs: 4,
        horizon: 1,
        split: { validation: 0.2, test: 0 },
        seed,
      });
    const [a, b, c] = [await run(9), await run(9), await run(10)];
    const weights = (r: typeof a) => r.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(b)).toEqual(weights(a));
    expect(b.history).toEqual(a.history);
    expect(weights(c)).not.toEqual(weights(a));
    for (const r of [a, b, c]) r.model.dispose();
  });

  it('stops early when validation loss stops improving, restores the best weights, and leaks no tensors', async () => {
    // A linear signal in heavy noise, 200 training rows, a wide MLP: validation
    // loss falls while the signal is learned, then rises as the net memorises the
    // noise (training loss keeps falling).
    const samples = 400;
    const X = uniformMatrix(samples, 8, 4);
    const noise = seededGaussian(seededRandom(8));
    const Y = Float32Array.from({ length: samples }, (_, i) => 2 * X[i * 8] + 0.5 * noise());
    const tensorsAfterEpoch: number[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const patience = 5;
    const result = await trainModel({
      config: { type: 'mlp', hiddenUnits: [128, 128], epochs: 300, batchSize: 20, learningRate: 0.003 },
      X,
      Y,
      nInputs: 8,
      horizon: 1,
      split: { validation: 0.5, test: 0 },
      earlyStopping: { patience },
      seed: 1,
      onEpoch: () => {
        tensorsAfterEpoch.push(tf.memory().numTensors);
      },
    });
    const { history, bestEpoch, stoppedEarly, model, splitIndex } = result;
    expect(stoppedEarly).toBe(true);
    expect(bestEpoch).toBeGreaterThan(1);
    expect(history.length).toBeLessThan(300);
    expect(history.length).toBe(bestEpoch + patience);
    expect(history[0].valLoss).toBeGreaterThan(history[bestEpoch - 1].valLoss);
    expect(history.at(-1)!.loss).toBeLessThan(history[0].loss);
    const bestValLoss = Math.min(...history.map((h) => h.valLoss));
    expect(history[bestEpoch - 1].valLoss).toBe(bestValLoss);
    // The returned model is the best epoch's, not the last one's.
    const valForecast = predict(model, X.subarray(splitIndex.trainEnd * 8, splitIndex.valEnd * 8), 8);
    const valLoss = meanSquaredError(Y.subarray(splitIndex.trainEnd, splitIndex.valEnd), valForecast);
    expect(valLoss).toBeCloseTo(bestValLoss, 4);
    // Tensor count is flat from the second epoch on (the first holds the best-weights copy).
    expect(new Set(tensorsAfterEpoch.slice(1)).size).toBe(1);
    // Nothing outlives the model: no optimizer state, no best-weights copy, no validation tensors.
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('rejects misshapen data and early stopping without validation', async () => {
    const base = { config: { type: 'linear' as const, epochs: 1 }, nInputs: 2, horizon: 1, seed: 0 };
    await expect(
      trainModel({ ...base, X: new Float32Array(10), Y: new Float32Array(4), split: { validation: 0.2, test: 0 } }),
    ).rejects.toThrow(/not samples x 2/);
    await expect(
      trainModel({
        ...base,
        X: new Float32Array(20),
        Y: new Float32Array(10),
        split: { validation: 0, test: 0.2 },
        earlyStopping: { patience: 2 },
      }),
    ).rejects.toThrow(/earlyStopping/);
  });
});
