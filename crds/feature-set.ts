import { z } from 'zod';
import {
  ageColumn,
  baseStatus,
  columnName,
  d,
  type KindDefinition,
  localObjectRef,
  readyColumn,
  reasonColumn,
  resources,
  withRules,
} from './common.ts';

/** calendarFeatures lists the calendar features a FeatureSet can ask for. */
export const calendarFeatures = ['hourOfDay', 'dayOfWeek', 'month', 'dayOfYear', 'holiday', 'weekend'] as const;

const lag = d(
  z.strictObject({
    column: d(columnName, 'Numeric column to lag (usually the target).'),
    steps: d(z.array(z.number().int().min(1).max(100000)).min(1).max(64), 'Lags in series steps, each at least 1.'),
  }),
  'Lagged values of a column.',
);

const rolling = d(
  z.strictObject({
    column: d(columnName, 'Numeric column to summarise.'),
    windows: d(z.array(z.number().int().min(2).max(100000)).min(1).max(32), 'Window lengths in steps (past-only).'),
    stats: d(z.array(z.enum(['mean', 'std', 'min', 'max'])).min(1).max(4).default(['mean']), 'Statistics over each window.'),
  }),
  'Rolling statistics over past-only windows.',
);

const covariate = d(
  z.strictObject({
    column: d(columnName, 'Numeric column of the Dataset.'),
    availability: d(
      z.enum(['knownInAdvance', 'observed']),
      'knownInAdvance: its future values are known at forecast time (a calendar plan, a weather forecast column); observed: only measured values up to the forecast origin (measured temperature).',
    ),
  }),
  'An exogenous column.',
);

/** featureSetSpec is the desired state of a FeatureSet: the target and the features computed from a Dataset. */
export const featureSetSpec = withRules(
  z.strictObject({
    datasetRef: localObjectRef('Dataset'),
    target: d(columnName, 'Numeric column to forecast.'),
    calendar: d(
      z.array(z.enum(calendarFeatures)).max(6),
      'Calendar features of the local time; hour, day of week, month and day of year are cyclic sin/cos pairs.',
    ).optional(),
    holidays: d(
      z.strictObject({
        dates: d(z.array(z.string().max(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')).max(2000), 'Holiday dates (local).'),
      }),
      'Holiday dates for the holiday flag.',
    ).optional(),
    lags: d(z.array(lag).max(16), 'Lag features.').optional(),
    rolling: d(z.array(rolling).max(16), 'Rolling-window features.').optional(),
    covariates: d(
      z.array(covariate).max(32),
      'Exogenous numeric columns and when their values are known. knownInAdvance ones are inputs at every forecast step and a forecast request must send them for the horizon; observed ones enter only through their lags and rolling windows.',
    ).optional(),
    materialize: d(
      z.strictObject({
        enabled: d(z.boolean(), 'Write the features of every row to the store (table feature_rows) for each new FeatureSet version.'),
        resources: resources.optional(),
      }),
      'Materialization: a Job stores the computed features for other tools (SQL, notebooks, batch scoring). Training and serving never need it.',
    ).optional(),
  }),
  [
    {
      cel: "!has(self.calendar) || !('holiday' in self.calendar) || has(self.holidays)",
      message: 'the holiday calendar feature needs holidays.dates',
      field: ['holidays'],
      check: (s) => !s.calendar?.includes('holiday') || s.holidays !== undefined,
    },
    {
      cel: '!has(self.covariates) || self.covariates.all(c, c.column != self.target)',
      message: 'the target cannot also be a covariate',
      field: ['covariates'],
      check: (s) => !s.covariates?.some((c) => c.column === s.target),
    },
    {
      cel: '!has(self.covariates) || self.covariates.all(c, self.covariates.exists_one(o, o.column == c.column))',
      message: 'covariate columns must be unique',
      field: ['covariates'],
      check: (s) => !s.covariates || new Set(s.covariates.map((c) => c.column)).size === s.covariates.length,
    },
    {
      cel: "!has(self.covariates) || self.covariates.all(c, c.availability != 'observed' || (has(self.lags) && self.lags.exists(l, l.column == c.column)) || (has(self.rolling) && self.rolling.exists(r, r.column == c.column)))",
      message: 'an observed covariate enters the model only through lags or rolling windows: add a lag or rolling entry for its column',
      field: ['covariates'],
      check: (s) =>
        !s.covariates ||
        s.covariates.every(
          (c) => c.availability !== 'observed' || s.lags?.some((l) => l.column === c.column) || s.rolling?.some((r) => r.column === c.column),
        ),
    },
    {
      cel: '!has(self.calendar) || self.calendar.all(c, self.calendar.exists_one(o, o == c))',
      message: 'calendar features must be unique',
      field: ['calendar'],
      check: (s) => !s.calendar || new Set(s.calendar).size === s.calendar.length,
    },
  ],
);

/** featureSetStatus reports the resolved features and their version. */
export const featureSetStatus = z.object({
  ...baseStatus,
  version: d(z.string().max(64), 'Hash of the dataset version and the feature spec.').optional(),
  datasetVersion: z.string().max(64).optional(),
  features: d(z.array(z.string().max(256)).max(4096), 'Names of the model inputs per forecast step.').optional(),
  featureCount: z.number().int().optional(),
  materialized: d(
    z.object({
      version: z.string().max(64).optional(),
      rows: z.number().int().optional(),
      table: z.string().max(63).optional(),
      jobName: z.string().max(253).optional(),
      completionTime: z.string().max(64).optional(),
    }),
    'The last materialization: the FeatureSet version stored and its row count.',
  ).optional(),
});

/** FeatureSetSpec is the TypeScript type of a FeatureSet's spec (after defaults). */
export type FeatureSetSpec = z.output<typeof featureSetSpec>;
/** FeatureSetStatus is the TypeScript type of a FeatureSet's status. */
export type FeatureSetStatus = z.output<typeof featureSetStatus>;

/** featureSet describes the FeatureSet kind. */
export const featureSet: KindDefinition = {
  kind: 'FeatureSet',
  plural: 'featuresets',
  singular: 'featureset',
  shortNames: ['fs'],
  description: 'FeatureSet declares the forecasting target and the calendar, lag, rolling and covariate features computed from a Dataset, identically at training and serving time.',
  spec: featureSetSpec,
  status: featureSetStatus,
  printerColumns: [
    readyColumn,
    { name: 'Dataset', type: 'string', jsonPath: '.spec.datasetRef.name' },
    { name: 'Target', type: 'string', jsonPath: '.spec.target' },
    { name: 'Features', type: 'integer', jsonPath: '.status.featureCount' },
    { name: 'Version', type: 'string', jsonPath: '.status.version' },
    reasonColumn,
    ageColumn,
  ],
};

