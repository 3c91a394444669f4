import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { loadModel, saveModel } from './io.ts';
import { buildModel } from './model.ts';
import { predict } from './predict.ts';
import { seededRandom } from './random.ts';
import { trainModel } from './train.ts';

beforeAll(async () => {
  await initBackend();
});

function rows(samples: number, width: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: samples * width }, () => 2 * random() - 1);
}

describe('saveModel and loadModel', () => {
  it('round-trip a trained MLP through JSON text with identical predictions', async () => {
    const X = rows(300, 5, 1);
    const Y = Float32Array.from({ length: 300 * 3 }, (_, i) => Math.tanh(X[Math.floor(i / 3) * 5 + (i % 3)]));
    const { model } = await trainModel({
      config: { type: 'mlp', hiddenUnits: [8, 4], dropout: 0.1, activation: 'gelu', epochs: 3, batchSize: 32 },
      X,
      Y,
      nInputs: 5,
      horizon: 3,
      split: { validation: 0.2, test: 0 },
      seed: 4,
    });
    const artifact = await saveModel(model);
    expect(artifact.format).toBe('layers-model');
    expect(typeof artifact.weightData).toBe('string');
    const text = JSON.stringify(artifact);
    const loaded = await loadModel(JSON.parse(text));
    expect(predict(loaded, X, 5)).toEqual(predict(model, X, 5));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    model.dispose();
    loaded.dispose();
  });

  it('stores the float32 weights as base64 bytes and rejects foreign artifacts', async () => {
    const model = buildModel({ type: 'linear' }, 2, 1);
    const artifact = await saveModel(model);
    expect(artifact.weightSpecs).toEqual([
      expect.objectContaining({ shape: [2, 1], dtype: 'float32' }),
      expect.objectContaining({ shape: [1], dtype: 'float32' }),
    ]);
    expect(Buffer.from(artifact.weightData, 'base64').byteLength).toBe(3 * 4);
    await expect(loadModel({ ...artifact, format: 'graph-model' } as never)).rejects.toThrow(/not a layers-model artifact/);
    model.dispose();
  });
});
