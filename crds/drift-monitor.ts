import { z } from 'zod';
import {
  ageColumn,
  baseStatus,
  columnName,
  cronSchedule,
  d,
  duration,
  immutable,
  type KindDefinition,
  localObjectRef,
  readyColumn,
  reasonColumn,
  resources,
} from './common.ts';

/** driftMethods lists the statistics a DriftMonitor can use per feature. */
export const driftMethods = ['ks', 'wasserstein', 'psi', 'jensenshannon'] as const;

/** driftMonitorSpec is the desired state of a DriftMonitor: what to compare, when, and what to do on drift. */
export const driftMonitorSpec = z.strictObject({
  modelDeploymentRef: immutable(localObjectRef('ModelDeployment'), 'modelDeploymentRef'),
  schedule: d(cronSchedule.default('0 * * * *'), 'Cron schedule of drift checks.'),
  window: d(duration.default('24h'), 'How far back in the prediction log each check reads.'),
  baseline: d(
    z.strictObject({ source: d(z.enum(['training']).default('training'), 'The training data profile stored with the model.') }),
    'What the recent inputs are compared with.',
  ).default({ source: 'training' }),
  methods: d(
    z
      .array(
        z.strictObject({
          feature: d(columnName, 'Feature the override applies to; all features when unset.').optional(),
          method: d(z.enum(driftMethods), 'Statistic.'),
          threshold: d(z.number().gt(0).max(1000), 'Drift when the p-value is below it (ks) or the distance above it.'),
        }),
      )
      .max(64),
    'Per-feature overrides of the defaults (ks p<0.05 up to 1000 samples, normalised Wasserstein > 0.1 above).',
  ).optional(),
  driftShare: d(z.number().gt(0).max(1).default(0.5), 'Share of drifted features that makes the dataset drift.'),
  minSamples: d(z.number().int().min(1).max(10000000).default(200), 'Fewer logged predictions give "insufficient data", not drift.'),
  onDrift: d(
    z.strictObject({ retrain: d(z.boolean().default(false), "Start a TrainingJob from the model's training spec.") }),
    'What to do when the dataset drifts.',
  ).default({ retrain: false }),
  resources: resources.optional(),
});

/** driftMonitorStatus reports the last drift check. */
export const driftMonitorStatus = z.object({
  ...baseStatus,
  cronJobName: z.string().max(253).optional(),
  lastRunTime: z.string().max(64).optional(),
  result: d(z.enum(['Drift', 'NoDrift', 'InsufficientData']), 'Outcome of the last check.').optional(),
  drifted: z.boolean().optional(),
  driftedShare: z.number().optional(),
  samples: z.number().int().optional(),
  model: z.object({ name: z.string().max(63).optional(), version: z.number().int().optional() }).optional(),
  features: z
    .array(
      z.object({
        name: z.string().max(256),
        method: z.string().max(32),
        score: z.number(),
        threshold: z.number(),
        drifted: z.boolean(),
      }),
    )
    .max(256)
    .optional(),
  retrainJob: d(z.string().max(253), 'The TrainingJob started on drift.').optional(),
});

/** DriftMonitorSpec is the TypeScript type of a DriftMonitor's spec (after defaults). */
export type DriftMonitorSpec = z.output<typeof driftMonitorSpec>;
/** DriftMonitorStatus is the TypeScript type of a DriftMonitor's status. */
export type DriftMonitorStatus = z.output<typeof driftMonitorStatus>;

/** driftMonitor describes the DriftMonitor kind. */
export const driftMonitor: KindDefinition = {
  kind: 'DriftMonitor',
  plural: 'driftmonitors',
  singular: 'driftmonitor',
  shortNames: ['dm'],
  description: 'DriftMonitor compares the inputs a ModelDeployment received with its training data on a schedule and can retrain on drift.',
  spec: driftMonitorSpec,
  status: driftMonitorStatus,
  printerColumns: [
    readyColumn,
    { name: 'Deployment', type: 'string', jsonPath: '.spec.modelDeploymentRef.name' },
    { name: 'Result', type: 'string', jsonPath: '.status.result' },
    { name: 'Drift Share', type: 'number', jsonPath: '.status.driftedShare' },
    { name: 'Last Run', type: 'date', jsonPath: '.status.lastRunTime' },
    { name: 'Retrain', type: 'string', jsonPath: '.status.retrainJob', priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
