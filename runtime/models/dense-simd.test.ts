import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { compileDense } from './dense-forward.ts';
import { CHUNK_ROWS, compileDenseSimd } from './dense-simd.ts';
import { buildModel } from './model.ts';
import { predict } from './predict.ts';
import { seededRandom } from './random.ts';

describe('compileDenseSimd', () => {
  it.each([
    ['mlp relu', { type: 'mlp' as const, hiddenUnits: [16, 8], dropout: 0.2 }, 10, 4],
    ['mlp relu, units not a multiple of 16', { type: 'mlp' as const, hiddenUnits: [37, 20] }, 13, 5],
    ['mlp tanh', { type: 'mlp' as const, hiddenUnits: [12], activation: 'tanh' as const }, 10, 4],
    ['linear', { type: 'linear' as const }, 7, 24],
  ])('matches tfjs predictions for %s', async (_what, config, nInputs, horizon) => {
    await initBackend();
    const model = buildModel(config, nInputs, horizon, { seed: 7 });
    const forward = compileDenseSimd(model);
    expect(forward).toBeDefined();
    const rand = seededRandom(3);
    const X = Float32Array.from({ length: 50 * nInputs }, () => rand() * 4 - 2);
    const want = predict(model, X, nInputs);
    const got = forward?.(X, 50) as Float32Array;
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
    model.dispose();
  });

  it('agrees with the JavaScript pass on one row and on more rows than a chunk', async () => {
    await initBackend();
    const model = buildModel({ type: 'mlp', hiddenUnits: [64, 32] }, 32, 24, { seed: 1 });
    const simd = compileDenseSimd(model);
    const js = compileDense(model);
    const rand = seededRandom(5);
    const rows = CHUNK_ROWS * 2 + 3;
    const X = Float32Array.from({ length: rows * 32 }, () => rand() * 40 - 10);
    for (const n of [1, rows]) {
      const a = js?.(X, n) as Float32Array;
      const b = simd?.(X, n) as Float32Array;
      expect(b.length).toBe(n * 24);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(a[i])));
    }
    // Only X's first n rows count: a longer X (a view into a shared slab) is fine.
    expect(Array.from(simd?.(X, 2) as Float32Array)).toEqual(Array.from((simd?.(X.slice(0, 64), 2) as Float32Array)));
    model.dispose();
  });

  it('declines models it cannot run (an unknown activation, a layer other than Dense)', async () => {
    await initBackend();
    const softplus = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [6], activation: 'softplus' })] });
    const normalised = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6] }), tf.layers.batchNormalization()] });
    expect(compileDenseSimd(softplus)).toBeUndefined();
    expect(compileDenseSimd(normalised)).toBeUndefined();
    softplus.dispose();
    normalised.dispose();
  });
});
