import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { SeededDropout } from './seeded-dropout.ts';

beforeAll(async () => {
  await initBackend();
});

function mask(layer: SeededDropout, training: boolean): number[] {
  return tf.tidy(() => Array.from((layer.apply(tf.ones([4, 16]), { training }) as tf.Tensor).dataSync()));
}

describe('SeededDropout', () => {
  it('is the identity at inference', () => {
    expect(mask(new SeededDropout({ rate: 0.5, seed: 1 }), false)).toEqual(new Array(64).fill(1));
  });

  it('draws a new mask per training call, and the same sequence for the same seed', () => {
    const a = new SeededDropout({ rate: 0.5, seed: 7 });
    const b = new SeededDropout({ rate: 0.5, seed: 7 });
    const [a1, a2] = [mask(a, true), mask(a, true)];
    expect(a1).not.toEqual(a2);
    expect([mask(b, true), mask(b, true)]).toEqual([a1, a2]);
    // Kept units are scaled by 1 / (1 - rate).
    expect(new Set(a1)).toEqual(new Set([0, 2]));
  });

  it('serialises its rate and seed', () => {
    const config = new SeededDropout({ rate: 0.25, seed: 3, name: 'drop' }).getConfig();
    expect(config).toMatchObject({ rate: 0.25, seed: 3, name: 'drop' });
  });
});
