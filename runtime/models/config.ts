/**
 * ModelConfig is the model part of a TrainingJob spec: which network to build and
 * how to fit it. Every field but `type` is optional; `resolveModelConfig` fills in
 * the defaults documented on each field.
 */
export interface ModelConfig {
  type: 'linear' | 'mlp';
  /** Hidden layer sizes of an MLP, input side first (default [64, 32]). */
  hiddenUnits?: number[];
  /** Activation of the MLP's hidden layers (default relu). */
  activation?: 'relu' | 'tanh' | 'gelu';
  /** Dropout rate after each hidden layer, 0 to 1 (default 0). */
  dropout?: number;
  /** Maximum number of passes over the training split (default 50). */
  epochs?: number;
  /** Samples per gradient step (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 0.001). */
  learningRate?: number;
  /** L2 penalty on every kernel (default 0). */
  l2?: number;
}

/** ResolvedModelConfig is a ModelConfig with every default filled in. */
export type ResolvedModelConfig = Required<ModelConfig>;

/** MODEL_CONFIG_DEFAULTS are the values used for fields a ModelConfig leaves out. */
export const MODEL_CONFIG_DEFAULTS: Readonly<Omit<ResolvedModelConfig, 'type'>> = Object.freeze({
  hiddenUnits: [64, 32],
  activation: 'relu',
  dropout: 0,
  epochs: 50,
  batchSize: 256,
  learningRate: 0.001,
  l2: 0,
});

/**
 * resolveModelConfig fills in defaults and rejects values no network can be built
 * from (a RangeError naming the field), so builders and trainers never see a hole.
 */
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig {
  const resolved: ResolvedModelConfig = {
    type: config.type,
    hiddenUnits: [...(config.hiddenUnits ?? MODEL_CONFIG_DEFAULTS.hiddenUnits)],
    activation: config.activation ?? MODEL_CONFIG_DEFAULTS.activation,
    dropout: config.dropout ?? MODEL_CONFIG_DEFAULTS.dropout,
    epochs: config.epochs ?? MODEL_CONFIG_DEFAULTS.epochs,
    batchSize: config.batchSize ?? MODEL_CONFIG_DEFAULTS.batchSize,
    learningRate: config.learningRate ?? MODEL_CONFIG_DEFAULTS.learningRate,
    l2: config.l2 ?? MODEL_CONFIG_DEFAULTS.l2,
  };
  if (!['linear', 'mlp'].includes(resolved.type)) {
    throw new RangeError(`model.type: expected one of linear, mlp, got ${String(resolved.type)}`);
  }
  if (!['relu', 'tanh', 'gelu'].includes(resolved.activation)) {
    throw new RangeError(`model.activation: expected one of relu, tanh, gelu, got ${String(resolved.activation)}`);
  }
  for (const [i, units] of resolved.hiddenUnits.entries()) {
    requirePositiveInteger(`model.hiddenUnits[${i}]`, units);
  }
  requirePositiveInteger('model.epochs', resolved.epochs);
  requirePositiveInteger('model.batchSize', resolved.batchSize);
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) {
    throw new RangeError(`model.dropout: expected a number in [0, 1), got ${resolved.dropout}`);
  }
  if (!(resolved.learningRate > 0 && Number.isFinite(resolved.learningRate))) {
    throw new RangeError(`model.learningRate: expected a positive number, got ${resolved.learningRate}`);
  }
  if (!(resolved.l2 >= 0 && Number.isFinite(resolved.l2))) {
    throw new RangeError(`model.l2: expected a number >= 0, got ${resolved.l2}`);
  }
  return resolved;
}

function requirePositiveInteger(path: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${path}: expected a positive integer, got ${value}`);
  }
}
