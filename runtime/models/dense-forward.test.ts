import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { compileDense } from './dense-forward.ts';
import { buildModel } from './model.ts';
import { predict } from './predict.ts';
import { seededRandom } from './random.ts';

describe('compileDense', () => {
  it.each([
    ['mlp relu', { type: 'mlp' as const, hiddenUnits: [16, 8], dropout: 0.2 }],
    ['mlp tanh', { type: 'mlp' as const, hiddenUnits: [12], activation: 'tanh' as const }],
    ['linear', { type: 'linear' as const }],
  ])('matches tfjs predictions for %s', async (_what, config) => {
    await initBackend();
    const model = buildModel(config, 10, 4, { seed: 7 });
    const forward = compileDense(model);
    expect(forward).toBeDefined();
    const rand = seededRandom(3);
    const X = Float32Array.from({ length: 50 * 10 }, () => rand() * 4 - 2);
    const want = predict(model, X, 10);
    const got = forward?.(X, 50) as Float32Array;
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
    model.dispose();
  });

  it('declines models it cannot run (an unknown activation, a layer other than Dense)', async () => {
    await initBackend();
    const softplus = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [6], activation: 'softplus' })] });
    const normalised = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6] }), tf.layers.batchNormalization()] });
    expect(compileDense(softplus)).toBeUndefined();
    expect(compileDense(normalised)).toBeUndefined();
    softplus.dispose();
    normalised.dispose();
  });
});
