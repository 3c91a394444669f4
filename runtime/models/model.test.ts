import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { buildModel } from './model.ts';

beforeAll(async () => {
  await initBackend();
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('buildModel', () => {
  it('builds a linear model: one dense layer from inputs to the horizon', () => {
    const model = buildModel({ type: 'linear' }, 10, 24);
    expect(model.inputs[0].shape).toEqual([null, 10]);
    expect(model.outputs[0].shape).toEqual([null, 24]);
    expect(model.countParams()).toBe(10 * 24 + 24);
    model.dispose();
  });

  it('builds an MLP with the default hidden layers [64, 32] and a direct multi-step output', () => {
    const model = buildModel({ type: 'mlp' }, 16, 24);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dense', 'Dense']);
    expect(model.countParams()).toBe(16 * 64 + 64 + 64 * 32 + 32 + 32 * 24 + 24);
    model.dispose();
  });

  it('adds seeded dropout after every hidden layer and honours the activation', () => {
    const model = buildModel({ type: 'mlp', hiddenUnits: [8, 4], dropout: 0.3, activation: 'gelu' }, 3, 2);
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Dense',
      'FluxoraSeededDropout',
      'Dense',
      'FluxoraSeededDropout',
      'Dense',
    ]);
    expect(model.layers[0].getConfig()['activation']).toBe('gelu');
    model.dispose();
  });

  it('rejects shapes no network can have', () => {
    expect(() => buildModel({ type: 'mlp' }, 0, 24)).toThrow(/nInputs/);
    expect(() => buildModel({ type: 'linear' }, 4, 0)).toThrow(/horizon/);
  });

  it('initialises the same weights for the same seed and different ones for another', () => {
    for (const type of ['mlp', 'linear'] as const) {
      const config = { type, hiddenUnits: [8] };
      const [a, b, c] = [1, 1, 2].map((seed) => buildModel(config, 8, 3, { seed }));
      expect(weightsOf(a)).toEqual(weightsOf(b));
      expect(weightsOf(a)[0]).not.toEqual(weightsOf(c)[0]);
      for (const m of [a, b, c]) m.dispose();
    }
  });

  it('adds an L2 penalty when asked', () => {
    const model = buildModel({ type: 'linear', l2: 0.01 }, 4, 2);
    expect(model.layers[0].getConfig()['kernelRegularizer']).toMatchObject({ config: { l2: 0.01 } });
    model.dispose();
  });
});
