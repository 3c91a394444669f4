import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { modelHorizon, toModelInput } from './input-tensor.ts';
import { buildModel } from './model.ts';

beforeAll(async () => {
  await initBackend();
});

describe('toModelInput', () => {
  it('makes [samples, nInputs] input and rejects rows of another width', () => {
    const mlp = buildModel({ type: 'mlp', hiddenUnits: [2] }, 4, 3);
    const x = Float32Array.from({ length: 8 }, (_, i) => i);
    const flat = toModelInput(mlp, x, 4);
    expect(flat.shape).toEqual([2, 4]);
    expect((flat.arraySync() as number[][])[1]).toEqual([4, 5, 6, 7]);
    expect(modelHorizon(mlp)).toBe(3);
    expect(() => toModelInput(mlp, new Float32Array(7), 4)).toThrow(/not a whole number of rows of 4/);
    expect(() => toModelInput(mlp, new Float32Array(6), 3)).toThrow(/takes 4 inputs per sample, not 3/);
    tf.dispose(flat);
    mlp.dispose();
  });
});
