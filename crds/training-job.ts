import { z } from 'zod';
import {
  ageColumn,
  baseStatus,
  d,
  dnsLabel,
  immutable,
  type KindDefinition,
  localObjectRef,
  readyColumn,
  reasonColumn,
  resources,
  withRules,
} from './common.ts';

/** algorithms lists the model families a TrainingJob can train. */
export const algorithms = ['seasonalNaive', 'linear', 'mlp', 'gbdt'] as const;

const hiddenUnits = z.array(z.number().int().min(1).max(4096)).min(1).max(8);

/** modelSpec is the model family and its hyperparameters; fields of other families are rejected. */
export const modelSpec = withRules(
  z.strictObject({
    algorithm: d(
      z.enum(algorithms),
      'Model family: seasonalNaive (the baseline: same step one season earlier, optionally level-corrected), linear, mlp, or gbdt (gradient-boosted trees, one row per forecast step). linear, mlp and gbdt learn the residual to the seasonal-naive forecast.',
    ),
    levelCorrected: d(z.boolean(), 'seasonalNaive: add the last day\'s level shift against the same day one season earlier.').optional(),
    hiddenUnits: d(hiddenUnits, 'mlp: units of each hidden dense layer (default [64, 32]).').optional(),
    activation: d(z.enum(['relu', 'tanh', 'gelu']), 'mlp: activation of hidden layers (default relu).').optional(),
    dropout: d(z.number().min(0).max(0.9), 'mlp: dropout rate after hidden layers (default 0).').optional(),
    epochs: d(z.number().int().min(1).max(10000), 'linear, mlp: most training epochs (default 50).').optional(),
    batchSize: d(z.number().int().min(1).max(65536), 'linear, mlp: mini-batch size (default 256).').optional(),
    learningRate: d(z.number().gt(0).max(1), 'Adam learning rate (linear, mlp; default 0.001) or tree shrinkage (gbdt; default 0.08).').optional(),
    l2: d(z.number().min(0).max(1000), 'L2 penalty: on every kernel (linear, mlp; default 0) or on leaf values (gbdt; default 1).').optional(),
    seeds: d(z.number().int().min(1).max(8), 'linear, mlp: networks trained from different seeds and averaged (default 1).').optional(),
    rounds: d(z.number().int().min(1).max(5000), 'gbdt: most boosting rounds (default 400; early stopping on validation).').optional(),
    numLeaves: d(z.number().int().min(2).max(1024), 'gbdt: leaves per tree (default 31).').optional(),
    minLeafSamples: d(z.number().int().min(1).max(100000), 'gbdt: fewest rows in a leaf (default 40).').optional(),
    featureFraction: d(z.number().gt(0).max(1), 'gbdt: share of features each tree may use (default 0.9).').optional(),
    sampleFraction: d(z.number().gt(0).max(1), 'gbdt: share of rows each tree is fitted on (default 0.7).').optional(),
  }),
  [
    {
      cel: "self.algorithm == 'mlp' || (!has(self.hiddenUnits) && !has(self.activation) && !has(self.dropout))",
      message: 'hiddenUnits, activation and dropout apply to mlp models only',
      check: (m) => m.algorithm === 'mlp' || (m.hiddenUnits === undefined && m.activation === undefined && m.dropout === undefined),
    },
    {
      cel: "self.algorithm == 'linear' || self.algorithm == 'mlp' || (!has(self.epochs) && !has(self.batchSize) && !has(self.seeds))",
      message: 'epochs, batchSize and seeds apply to linear and mlp models only',
      check: (m) => m.algorithm === 'linear' || m.algorithm === 'mlp' || (m.epochs === undefined && m.batchSize === undefined && m.seeds === undefined),
    },
    {
      cel: "self.algorithm == 'gbdt' || (!has(self.rounds) && !has(self.numLeaves) && !has(self.minLeafSamples) && !has(self.featureFraction) && !has(self.sampleFraction))",
      message: 'rounds, numLeaves, minLeafSamples, featureFraction and sampleFraction apply to gbdt models only',
      check: (m) =>
        m.algorithm === 'gbdt' ||
        (m.rounds === undefined && m.numLeaves === undefined && m.minLeafSamples === undefined && m.featureFraction === undefined && m.sampleFraction === undefined),
    },
    {
      cel: "self.algorithm == 'seasonalNaive' || !has(self.levelCorrected)",
      message: 'levelCorrected applies to seasonalNaive models only',
      check: (m) => m.algorithm === 'seasonalNaive' || m.levelCorrected === undefined,
    },
  ],
);

const range = withRules(
  z.strictObject({
    min: d(z.number(), 'Lower bound.').optional(),
    max: d(z.number(), 'Upper bound.').optional(),
    scale: d(z.enum(['linear', 'log']).default('linear'), 'Sample uniformly on this scale.'),
    values: d(z.array(z.number()).min(1).max(64), 'Explicit choices instead of a range.').optional(),
  }),
  [
    {
      cel: 'has(self.values) != (has(self.min) && has(self.max))',
      message: 'set either values or both min and max',
      check: (r) => (r.values !== undefined) !== (r.min !== undefined && r.max !== undefined),
    },
    {
      cel: '!has(self.min) || !has(self.max) || self.min < self.max',
      message: 'min must be below max',
      field: ['min'],
      check: (r) => r.min === undefined || r.max === undefined || r.min < r.max,
    },
    {
      cel: "self.scale != 'log' || !has(self.min) || self.min > 0.0",
      message: 'a log scale needs min > 0',
      field: ['min'],
      check: (r) => r.scale !== 'log' || r.min === undefined || r.min > 0,
    },
  ],
);

const tuning = withRules(
  z.strictObject({
    trials: d(z.number().int().min(1).max(1000), 'Number of trials.'),
    parallelism: d(z.number().int().min(1).max(64).default(1), 'Trials run at once (pods of an Indexed Job, processes locally).'),
    algorithm: d(
      z.enum(['random', 'tpe']).default('tpe'),
      'Search algorithm: random search, or TPE (tree-structured Parzen estimator) after random start-up trials.',
    ),
    objective: d(
      z.strictObject({
        metric: d(z.enum(['mae', 'rmse', 'mape']).default('mae'), 'Validation metric to optimise.'),
        goal: d(z.enum(['minimize', 'maximize']).default('minimize'), 'Direction of optimisation.'),
      }),
      'What the search optimises.',
    ).default({ metric: 'mae', goal: 'minimize' }),
    searchSpace: d(
      z.strictObject({
        learningRate: range.optional(),
        batchSize: range.optional(),
        dropout: range.optional(),
        l2: range.optional(),
        epochs: range.optional(),
        rounds: range.optional(),
        numLeaves: range.optional(),
        minLeafSamples: range.optional(),
        featureFraction: range.optional(),
        sampleFraction: range.optional(),
        hiddenUnits: d(
          z.strictObject({ values: z.array(hiddenUnits).min(1).max(32) }),
          'Choices of hidden layer sizes.',
        ).optional(),
      }),
      'Hyperparameters to search; the others come from model.',
    ),
  }),
  [
    {
      cel: 'self.parallelism <= self.trials',
      message: 'parallelism must not exceed trials',
      field: ['parallelism'],
      check: (t) => t.parallelism <= t.trials,
    },
  ],
);

/** trainingJobSpec is the desired state of a TrainingJob: one training run, optionally tuned, registered in the model registry. */
export const trainingJobSpec = withRules(
  z.strictObject({
    featureSetRef: immutable(localObjectRef('FeatureSet'), 'featureSetRef'),
    horizon: d(z.number().int().min(1).max(1000).default(24), 'Steps ahead to forecast (direct multi-step).'),
    model: modelSpec,
    candidates: d(
      z.array(modelSpec).max(8),
      'Other models trained and backtested next to model on the same folds; the best by backtest MAE (or their ensemble) is registered.',
    ).optional(),
    ensemble: d(
      z.enum(['auto', 'always', 'never']).default('auto'),
      'Register the mean of model and candidates: auto when its backtest MAE beats the best single model, always, or never.',
    ),
    split: d(
      z.strictObject({
        validation: d(z.number().gt(0).lt(1).default(0.15), 'Share of each fit\'s training samples (the latest) held out for early stopping.'),
      }),
      'Early-stopping split of every fit, in time order.',
    ).default({ validation: 0.15 }),
    backtest: d(
      z.strictObject({
        folds: d(z.number().int().min(1).max(10).default(5), 'Forecast origins blocks evaluated, each by a model fitted only on data before it.'),
        fraction: d(z.number().gt(0).max(0.5).default(0.15), 'Share of the latest samples the folds cover.'),
      }),
      'Rolling-origin backtest: every candidate is refitted before each fold and scored on it; metrics, selection and interval calibration come from these out-of-sample forecasts.',
    ).default({ folds: 5, fraction: 0.15 }),
    earlyStopping: d(
      z.strictObject({
        patience: d(z.number().int().min(1).max(1000).default(5), 'Epochs (linear, mlp) without improvement before stopping; gbdt stops after 30 rounds without improvement.'),
        minDelta: d(z.number().min(0).default(0), 'Smallest validation-loss improvement that counts.'),
      }),
      'Stop when the validation loss stops improving; the best weights are kept.',
    ).optional(),
    intervals: d(
      z.strictObject({ coverage: d(z.number().min(0.5).max(0.995).default(0.9), 'Target coverage of the prediction intervals.') }),
      'Conformal prediction intervals and quantiles, calibrated per forecast step on the backtest residuals.',
    ).default({ coverage: 0.9 }),
    baseline: d(
      z.strictObject({
        seasonalPeriod: d(z.number().int().min(1).max(100000), 'Period in steps of the seasonal-naive baseline and anchor; one week of steps when unset.').optional(),
      }),
      'The seasonal-naive baseline the models are anchored to and compared with.',
    ).optional(),
    seed: d(z.number().int().min(0).max(2147483647).default(42), 'Random seed; the same seed and data reproduce a run.'),
    tuning: d(tuning, 'Hyperparameter search.').optional(),
    registry: d(
      z.strictObject({
        model: d(dnsLabel, 'Registered model name.'),
        alias: d(dnsLabel, 'Alias moved to the new version when training succeeds, e.g. production.').optional(),
      }),
      'Where the trained model is registered.',
    ),
    resources: resources.optional(),
    activeDeadlineSeconds: d(z.number().int().min(60).max(604800).default(3600), 'Deadline of the training Job.'),
    backoffLimit: d(z.number().int().min(0).max(10).default(1), 'Retries of a failed training pod.'),
  }),
  [
    {
      cel: 'self.split.validation < 0.9',
      message: 'split.validation must stay under 0.9 so something is left to train on',
      field: ['split'],
      check: (s) => s.split.validation < 0.9,
    },
  ],
);

const metrics = z.object({
  mae: z.number().optional(),
  rmse: z.number().optional(),
  mape: z.number().optional(),
  smape: z.number().optional(),
  mase: d(z.number(), 'MAE over the seasonal-naive MAE on the same forecasts (below 1 beats the baseline).').optional(),
  r2: z.number().optional(),
  intervalCoverage: z.number().optional(),
});

const fold = z.object({
  fold: z.number().int().optional(),
  from: d(z.string().max(64), 'Time of the first forecast origin.').optional(),
  to: d(z.string().max(64), 'Time of the last forecast origin.').optional(),
  samples: z.number().int().optional(),
  mae: z.number().optional(),
  smape: z.number().optional(),
  mase: z.number().optional(),
  baselineMae: z.number().optional(),
  intervalCoverage: d(z.number(), 'Coverage of intervals calibrated on the other folds only.').optional(),
});

const candidate = z.object({
  name: z.string().max(256).optional(),
  mae: z.number().optional(),
  mase: z.number().optional(),
  intervalCoverage: z.number().optional(),
});

/** trainingJobStatus reports progress, metrics and the registered model. */
export const trainingJobStatus = z.object({
  ...baseStatus,
  phase: d(z.enum(['Pending', 'Running', 'Succeeded', 'Failed']), 'Summary of the state.').optional(),
  jobName: z.string().max(253).optional(),
  startTime: z.string().max(64).optional(),
  completionTime: z.string().max(64).optional(),
  progress: d(
    z.object({
      epoch: z.number().int().optional(),
      epochs: z.number().int().optional(),
      loss: z.number().optional(),
      valLoss: z.number().optional(),
      trial: z.number().int().optional(),
      trials: z.number().int().optional(),
      bestMetric: z.number().optional(),
    }),
    'Live progress while training runs.',
  ).optional(),
  trials: z
    .object({
      completed: z.number().int().optional(),
      total: z.number().int().optional(),
      best: z.object({ index: z.number().int().optional(), metric: z.number().optional(), params: z.string().max(2048).optional() }).optional(),
    })
    .optional(),
  metrics: d(metrics, 'Backtest metrics of the registered model over all folds.').optional(),
  baseline: d(z.object({ method: z.string().max(64).optional(), mae: z.number().optional() }), 'Seasonal-naive baseline on the same backtest forecasts.').optional(),
  backtest: d(
    z.object({
      selected: d(z.string().max(256), 'The registered forecaster, e.g. gbdt or ensemble(gbdt+mlp).').optional(),
      folds: z.array(fold).max(10).optional(),
      candidates: d(z.array(candidate).max(16), 'Every candidate and the ensemble, with its backtest score.').optional(),
    }),
    'Rolling-origin backtest: per fold, and per candidate.',
  ).optional(),
  model: z.object({ name: z.string().max(63).optional(), version: z.number().int().optional() }).optional(),
  datasetVersion: z.string().max(64).optional(),
  featureSetVersion: z.string().max(64).optional(),
});

/** TrainingJobSpec is the TypeScript type of a TrainingJob's spec (after defaults). */
export type TrainingJobSpec = z.output<typeof trainingJobSpec>;
/** TrainingJobStatus is the TypeScript type of a TrainingJob's status. */
export type TrainingJobStatus = z.output<typeof trainingJobStatus>;
/** ModelSpec is the model part of a TrainingJob spec. */
export type ModelSpec = z.output<typeof modelSpec>;

/** trainingJob describes the TrainingJob kind. */
export const trainingJob: KindDefinition = {
  kind: 'TrainingJob',
  plural: 'trainingjobs',
  singular: 'trainingjob',
  shortNames: ['tj'],
  description: 'TrainingJob trains (and optionally tunes) forecasting models on a FeatureSet, backtests them on rolling origins against a seasonal-naive baseline, picks the best model or ensemble, calibrates conformal prediction intervals and registers it.',
  spec: trainingJobSpec,
  status: trainingJobStatus,
  printerColumns: [
    readyColumn,
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Model', type: 'string', jsonPath: '.status.model.name' },
    { name: 'Version', type: 'integer', jsonPath: '.status.model.version' },
    { name: 'Selected', type: 'string', jsonPath: '.status.backtest.selected', priority: 1 },
    { name: 'MAE', type: 'number', jsonPath: '.status.metrics.mae' },
    { name: 'MASE', type: 'number', jsonPath: '.status.metrics.mase' },
    { name: 'Baseline', type: 'number', jsonPath: '.status.baseline.mae', description: 'Seasonal-naive MAE.' },
    { name: 'Coverage', type: 'number', jsonPath: '.status.metrics.intervalCoverage', priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
