import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { buildModel } from './model.ts';
import { predict, warmUp } from './predict.ts';
import { seededRandom } from './random.ts';

beforeAll(async () => {
  await initBackend();
});

function rows(samples: number, width: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: samples * width }, () => 2 * random() - 1);
}

describe('predict', () => {
  it('returns samples x horizon, the same in batches as in one go, and leaks nothing', () => {
    const model = buildModel({ type: 'mlp', hiddenUnits: [16] }, 6, 4, { seed: 1 });
    const X = rows(1001, 6, 3);
    const before = tf.memory().numTensors;
    const whole = predict(model, X, 6);
    const batched = predict(model, X, 6, 100);
    expect(tf.memory().numTensors).toBe(before);
    expect(whole).toBeInstanceOf(Float32Array);
    expect(whole.length).toBe(1001 * 4);
    for (let i = 0; i < whole.length; i++) expect(batched[i]).toBeCloseTo(whole[i], 5);
    // One row gives that row's forecast.
    expect(Array.from(predict(model, X.subarray(6 * 500, 6 * 501), 6))).toEqual(
      Array.from(predict(model, X.subarray(6 * 500, 6 * 502), 6).subarray(0, 4)),
    );
    expect(predict(model, new Float32Array(0), 6)).toEqual(new Float32Array(0));
    expect(() => predict(model, new Float32Array(7), 6)).toThrow(/not a whole number of rows of 6/);
    expect(() => predict(model, new Float32Array(7), 7)).toThrow(/takes 6 inputs per sample, not 7/);
    model.dispose();
  });

  it('answers one row quickly once warmed up', () => {
    const model = buildModel({ type: 'mlp' }, 32, 24, { seed: 1 });
    const firstLatency = warmUp(model, 32);
    expect(firstLatency).toBeGreaterThan(0);
    const row = rows(1, 32, 9);
    const started = performance.now();
    for (let i = 0; i < 100; i++) predict(model, row, 32);
    const perRow = (performance.now() - started) / 100;
    expect(perRow).toBeLessThan(20);
    model.dispose();
  });
});
