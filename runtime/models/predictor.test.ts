import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { buildModel } from './model.ts';
import { predict } from './predict.ts';
import { predictor, warmUpPredictor } from './predictor.ts';
import { seededRandom } from './random.ts';

describe('predictor', () => {
  it('keeps its own weights for a dense model: it predicts the same after the TensorFlow.js model is disposed', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const model = buildModel({ type: 'mlp', hiddenUnits: [16, 8] }, 10, 4, { seed: 11 });
    const rand = seededRandom(2);
    const X = Float32Array.from({ length: 20 * 10 }, () => rand() * 2 - 1);
    const want = predict(model, X, 10);
    const p = predictor(model, 10);
    expect(p.kind).not.toBe('tfjs');
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const got = p.run(X, 20);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });

  it('warms up the pass that serves: a batch of zero rows, then single rows', () => {
    const calls: number[] = [];
    const latency = warmUpPredictor(
      {
        kind: 'dense-js',
        run: (X, n) => {
          calls.push(n);
          expect(X.length).toBeGreaterThanOrEqual(n * 3);
          return new Float32Array(n * 2);
        },
      },
      3,
      4,
    );
    expect(calls).toEqual([64, 1, 1, 1, 1]);
    expect(latency).toBeGreaterThanOrEqual(0);
  });
});
