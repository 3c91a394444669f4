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

/** modelTypes lists the model families a TrainingJob can train. */
export const modelTypes = ['linear', 'mlp', 'lstm'] as const;

const hiddenUnits = z.array(z.number().int().min(1).max(4096)).min(1).max(8);

/** modelSpec is the model family and its hyperparameters. */
export const modelSpec = d(
  z.strictObject({
    type: d(z.enum(modelTypes), 'Model family: linear, mlp or lstm.'),
    hiddenUnits: d(hiddenUnits, 'Units of each hidden dense layer (mlp).').optional(),
    units: d(z.number().int().min(1).max(1024), 'LSTM units (lstm).').optional(),
    lookback: d(z.number().int().min(2).max(2000), 'Past steps the LSTM reads (lstm).').optional(),
    activation: d(z.enum(['relu', 'tanh', 'gelu']).default('relu'), 'Activation of hidden layers.'),
    dropout: d(z.number().min(0).max(0.9).default(0), 'Dropout rate after hidden layers.'),
    epochs: d(z.number().int().min(1).max(10000).default(50), 'Most training epochs.'),
    batchSize: d(z.number().int().min(1).max(65536).default(256), 'Mini-batch size.'),
    learningRate: d(z.number().gt(0).max(1).default(0.001), 'Adam learning rate.'),
    l2: d(z.number().min(0).max(1).default(0), 'L2 weight regularisation.'),
  }),
  'The model to train.',
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
        units: range.optional(),
        lookback: range.optional(),
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
    split: d(
      z.strictObject({
        validation: d(z.number().gt(0).lt(1).default(0.15), 'Fraction of samples (after train) for validation.'),
        test: d(z.number().gt(0).lt(1).default(0.15), 'Fraction of samples (the latest) held out for test.'),
      }),
      'Time-ordered split: train, then validation, then test.',
    ).default({ validation: 0.15, test: 0.15 }),
    earlyStopping: d(
      z.strictObject({
        patience: d(z.number().int().min(1).max(1000).default(5), 'Epochs without improvement before stopping.'),
        minDelta: d(z.number().min(0).default(0), 'Smallest validation-loss improvement that counts.'),
      }),
      'Stop when the validation loss stops improving; the best weights are kept.',
    ).optional(),
    intervals: d(
      z.strictObject({ coverage: d(z.number().min(0.5).max(0.995).default(0.9), 'Target coverage of the prediction intervals.') }),
      'Split-conformal prediction intervals.',
    ).default({ coverage: 0.9 }),
    baseline: d(
      z.strictObject({
        seasonalPeriod: d(z.number().int().min(1).max(100000), 'Period in steps of the seasonal-naive baseline; one week of steps when unset.').optional(),
      }),
      'The seasonal-naive baseline the model is compared with.',
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
      cel: 'self.split.validation + self.split.test < 0.9',
      message: 'split.validation + split.test must stay under 0.9 so something is left to train on',
      field: ['split'],
      check: (s) => s.split.validation + s.split.test < 0.9,
    },
    {
      cel: "self.model.type != 'lstm' || !has(self.model.hiddenUnits)",
      message: 'hiddenUnits applies to mlp models; lstm uses units and lookback',
      field: ['model', 'hiddenUnits'],
      check: (s) => s.model.type !== 'lstm' || s.model.hiddenUnits === undefined,
    },
    {
      cel: "self.model.type == 'lstm' || (!has(self.model.units) && !has(self.model.lookback))",
      message: 'units and lookback apply to lstm models only',
      field: ['model'],
      check: (s) => s.model.type === 'lstm' || (s.model.units === undefined && s.model.lookback === undefined),
    },
  ],
);

const metrics = z.object({
  mae: z.number().optional(),
  rmse: z.number().optional(),
  mape: z.number().optional(),
  r2: z.number().optional(),
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
  metrics: d(metrics, 'Metrics on the held-out test split.').optional(),
  baseline: d(z.object({ method: z.string().max(64).optional(), mae: z.number().optional() }), 'Seasonal-naive baseline on the same split.').optional(),
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
  description: 'TrainingJob trains (and optionally tunes) a forecasting model on a FeatureSet, evaluates it on a held-out time split against a seasonal-naive baseline, calibrates prediction intervals and registers it.',
  spec: trainingJobSpec,
  status: trainingJobStatus,
  printerColumns: [
    readyColumn,
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Model', type: 'string', jsonPath: '.status.model.name' },
    { name: 'Version', type: 'integer', jsonPath: '.status.model.version' },
    { name: 'MAE', type: 'number', jsonPath: '.status.metrics.mae' },
    { name: 'Baseline', type: 'number', jsonPath: '.status.baseline.mae', description: 'Seasonal-naive MAE.' },
    { name: 'Coverage', type: 'number', jsonPath: '.status.metrics.intervalCoverage', priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
