import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { modelHorizon, toLstmInput, toModelInput } from './input-tensor.ts';
import { buildModel } from './model.ts';

beforeAll(async () => {
  await initBackend();
});

describe('toLstmInput', () => {
  it('reads each row as lookback steps of features, oldest first', () => {
    // 2 samples, 3 steps, 2 features: value = 100 * sample + 10 * step + feature.
    const x = Float32Array.from([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
    const tensor = toLstmInput(x, 2, 3, 2);
    expect(tensor.shape).toEqual([2, 3, 2]);
    expect(tensor.arraySync()[1][2]).toEqual([120, 121]);
    tensor.dispose();
    expect(() => toLstmInput(x, 2, 3, 3)).toThrow(/expected 2 x 3 x 3 = 18 values, got 12/);
  });
});

describe('toModelInput', () => {
  it('makes 2-D input for dense models and 3-D for LSTMs', () => {
    const mlp = buildModel({ type: 'mlp', hiddenUnits: [2] }, 4, 3);
    const lstm = buildModel({ type: 'lstm', units: 2, lookback: 2 }, 4, 3);
    const x = new Float32Array(8);
    const flat = toModelInput(mlp, x, 4);
    const windows = toModelInput(lstm, x, 4);
    expect(flat.shape).toEqual([2, 4]);
    expect(windows.shape).toEqual([2, 2, 2]);
    expect(modelHorizon(mlp)).toBe(3);
    expect(() => toModelInput(lstm, new Float32Array(6), 3)).toThrow(/takes 2 x 2 per sample, not 3/);
    tf.dispose([flat, windows]);
    mlp.dispose();
    lstm.dispose();
  });
});
