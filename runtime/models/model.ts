import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, type ResolvedModelConfig, resolveModelConfig } from './config.ts';
import { seededInteger, seededRandom } from './random.ts';
import { SeededDropout } from './seeded-dropout.ts';

/** BuildOptions tunes `buildModel`. */
export interface BuildOptions {
  /** Seed for every initialiser and dropout mask (default 0): same seed, same initial weights. */
  seed?: number;
}

/**
 * buildModel creates the (uncompiled) network a ModelConfig describes, for
 * `nInputs` features per sample and a direct multi-step forecast of `horizon`
 * steps: one output layer of `horizon` linear units, no recursion.
 *
 * - `linear`: one dense layer, inputs -> horizon (dropout does not apply).
 * - `mlp`: dense hidden layers (`hiddenUnits`, `activation`, dropout after each).
 *
 * Every kernel initialiser gets its own seed drawn from `options.seed`, so the same
 * seed builds the same initial weights; `l2` penalises every kernel.
 */
export function buildModel(config: ModelConfig, nInputs: number, horizon: number, options: BuildOptions = {}): tf.Sequential {
  const resolved = resolveModelConfig(config);
  requirePositiveInteger('nInputs', nInputs);
  requirePositiveInteger('horizon', horizon);
  const nextSeed = seedStream(options.seed ?? 0);
  const model = tf.sequential();
  switch (resolved.type) {
    case 'linear':
      model.add(outputLayer(resolved, horizon, nextSeed(), [nInputs]));
      break;
    case 'mlp':
      addMlpLayers(model, resolved, nInputs, nextSeed);
      model.add(outputLayer(resolved, horizon, nextSeed()));
      break;
  }
  return model;
}

function addMlpLayers(model: tf.Sequential, config: ResolvedModelConfig, nInputs: number, nextSeed: () => number): void {
  for (const [i, units] of config.hiddenUnits.entries()) {
    model.add(
      tf.layers.dense({
        units,
        activation: config.activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
        kernelRegularizer: kernelPenalty(config),
        ...(i === 0 ? { inputShape: [nInputs] } : {}),
      }),
    );
    if (config.dropout > 0) model.add(new SeededDropout({ rate: config.dropout, seed: nextSeed() }));
  }
}

function outputLayer(config: ResolvedModelConfig, horizon: number, seed: number, inputShape?: number[]): tf.layers.Layer {
  return tf.layers.dense({
    units: horizon,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    kernelRegularizer: kernelPenalty(config),
    ...(inputShape ? { inputShape } : {}),
  });
}

function kernelPenalty(config: ResolvedModelConfig): ReturnType<typeof tf.regularizers.l2> | undefined {
  return config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined;
}

function seedStream(seed: number): () => number {
  const random = seededRandom(seed);
  return () => seededInteger(random);
}

function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name}: expected a positive integer, got ${value}`);
}
