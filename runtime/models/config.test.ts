import { describe, expect, it } from 'vitest';
import { MODEL_CONFIG_DEFAULTS, resolveModelConfig } from './config.ts';

describe('resolveModelConfig', () => {
  it('fills in every documented default', () => {
    expect(resolveModelConfig({ type: 'mlp' })).toEqual({ type: 'mlp', ...MODEL_CONFIG_DEFAULTS });
    expect(MODEL_CONFIG_DEFAULTS).toMatchObject({
      hiddenUnits: [64, 32],
      activation: 'relu',
      dropout: 0,
      epochs: 50,
      batchSize: 256,
      learningRate: 0.001,
      l2: 0,
    });
  });

  it('keeps given values and does not share the default hiddenUnits array', () => {
    const resolved = resolveModelConfig({ type: 'mlp', hiddenUnits: [8], activation: 'gelu', dropout: 0.2 });
    expect(resolved).toMatchObject({ hiddenUnits: [8], activation: 'gelu', dropout: 0.2 });
    resolveModelConfig({ type: 'mlp' }).hiddenUnits.push(1);
    expect(MODEL_CONFIG_DEFAULTS.hiddenUnits).toEqual([64, 32]);
  });

  it.each([
    [{ type: 'gbm' }, /model.type/],
    [{ type: 'mlp', hiddenUnits: [64, 0] }, /model.hiddenUnits\[1\]/],
    [{ type: 'mlp', activation: 'sigmoid' }, /model.activation/],
    [{ type: 'lstm' }, /model.type: expected one of linear, mlp, got lstm/],
    [{ type: 'mlp', dropout: 1 }, /model.dropout/],
    [{ type: 'mlp', learningRate: 0 }, /model.learningRate/],
    [{ type: 'mlp', l2: -1 }, /model.l2/],
    [{ type: 'mlp', epochs: 0 }, /model.epochs/],
    [{ type: 'mlp', batchSize: -5 }, /model.batchSize/],
  ])('rejects %j', (config, message) => {
    expect(() => resolveModelConfig(config as never)).toThrow(message);
  });
});
