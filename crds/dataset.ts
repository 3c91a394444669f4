import { z } from 'zod';
import {
  ageColumn,
  baseStatus,
  columnName,
  cronSchedule,
  d,
  exactlyOne,
  type KindDefinition,
  readyColumn,
  reasonColumn,
  resources,
  secretKeyRef,
  withRules,
} from './common.ts';

const configMapKeyRef = d(
  z.strictObject({
    name: d(z.string().min(1).max(253), 'Name of the ConfigMap in the same namespace.'),
    key: d(z.string().min(1).max(253), 'Key of the ConfigMap holding the file.'),
  }),
  'A file stored as a key of a ConfigMap (mounted into the pods).',
);

const fileSource = withRules(
  z.strictObject({
    path: d(z.string().min(1).max(4096), 'Path of the file: relative to the manifest for `fluxora run`, a mounted volume path in the cluster.').optional(),
    url: d(z.string().max(4096).regex(/^https?:\/\//, 'must be an http(s) URL'), 'http(s) URL to fetch the file from.').optional(),
    configMapRef: configMapKeyRef.optional(),
  }),
  [exactlyOne(['path', 'url', 'configMapRef'])],
);

const csvSource = fileSource;

const postgresSource = d(
  z.strictObject({
    secretRef: d(secretKeyRef, 'Secret key holding the PostgreSQL connection URI.'),
    query: d(z.string().min(1).max(16384), 'SQL query returning the declared columns; run in a read-only transaction.'),
    timeoutSeconds: d(z.number().int().min(1).max(86400).default(300), 'Statement timeout of the query.'),
  }),
  'Read the data from PostgreSQL.',
);

const source = withRules(
  z.strictObject({
    csv: d(csvSource, 'A CSV file with a header row.').optional(),
    jsonLines: d(fileSource, 'A JSON-lines file, one object per line.').optional(),
    postgres: postgresSource.optional(),
  }),
  [exactlyOne(['csv', 'jsonLines', 'postgres'], 'exactly one data source (csv, jsonLines or postgres) must be set')],
);

const columnSpec = withRules(
  z.strictObject({
    name: d(columnName, 'Column name as it appears in the source.'),
    type: d(z.enum(['number', 'integer', 'string', 'boolean']).default('number'), 'Value type of the column.'),
    nullable: d(z.boolean().default(false), 'Whether empty values are allowed.'),
    min: d(z.number(), 'Smallest allowed value (numbers).').optional(),
    max: d(z.number(), 'Largest allowed value (numbers).').optional(),
  }),
  [
    {
      cel: '!has(self.min) || !has(self.max) || self.min <= self.max',
      message: 'min must not exceed max',
      field: ['min'],
      check: (c) => c.min === undefined || c.max === undefined || c.min <= c.max,
    },
  ],
);

/** datasetSpec is the desired state of a Dataset: where its data is and what it must look like. */
export const datasetSpec = withRules(
  z.strictObject({
    source: d(source, 'Where the data is: exactly one of csv, jsonLines or postgres.'),
    timestampColumn: d(columnName.default('timestamp'), 'Column holding ISO-8601 timestamps with UTC offsets.'),
    entityColumn: d(columnName, 'Optional column naming the series (entity) each row belongs to.').optional(),
    columns: d(z.array(columnSpec).min(1).max(128), 'Declared columns besides the timestamp and entity columns.'),
    validation: d(
      z.strictObject({
        minRows: d(z.number().int().min(0).default(1), 'Fewest accepted rows.'),
        maxNullFraction: d(z.number().min(0).max(1).default(0.05), 'Largest fraction of nulls in any column.'),
        maxRejectedFraction: d(z.number().min(0).max(1).default(0), 'Largest fraction of rejected (malformed) rows.'),
      }),
      'Rules the loaded data must pass for the Dataset to be Ready.',
    ).optional(),
    refresh: d(
      z.strictObject({ schedule: d(cronSchedule, 'Cron schedule of re-profiling.') }),
      'Re-profile the data on a schedule (a CronJob).',
    ).optional(),
    resources: resources.optional(),
  }),
  [
    {
      cel: 'self.columns.all(c, self.columns.exists_one(o, o.name == c.name))',
      message: 'column names must be unique',
      field: ['columns'],
      check: (s) => new Set(s.columns.map((c) => c.name)).size === s.columns.length,
    },
    {
      cel: '!self.columns.exists(c, c.name == self.timestampColumn)',
      message: 'timestampColumn must not be repeated in columns',
      field: ['columns'],
      check: (s) => !s.columns.some((c) => c.name === s.timestampColumn),
    },
  ],
);

const columnStats = z.object({
  name: z.string().max(128),
  type: z.string().max(16),
  nulls: z.number().int().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  mean: z.number().optional(),
  std: z.number().optional(),
});

/** datasetStatus is what the profiling Job found. */
export const datasetStatus = z.object({
  ...baseStatus,
  phase: d(z.enum(['Pending', 'Profiling', 'Ready', 'Failed']), 'Summary of the state.').optional(),
  version: d(z.string().max(64), 'Content hash of the accepted data.').optional(),
  rows: d(z.number().int(), 'Accepted rows.').optional(),
  rejectedRows: d(z.number().int(), 'Rows rejected as malformed.').optional(),
  columnCount: d(z.number().int(), 'Number of columns.').optional(),
  timeRange: z.object({ start: z.string().max(64).optional(), end: z.string().max(64).optional() }).optional(),
  columns: d(z.array(columnStats).max(128), 'Per-column profile summary.').optional(),
  validation: z
    .object({
      passed: z.boolean().optional(),
      checks: z
        .array(z.object({ name: z.string().max(128), passed: z.boolean(), message: z.string().max(1024).optional() }))
        .max(64)
        .optional(),
    })
    .optional(),
  lastProfileTime: z.string().max(64).optional(),
  jobName: z.string().max(253).optional(),
});

/** DatasetSpec is the TypeScript type of a Dataset's spec (after defaults). */
export type DatasetSpec = z.output<typeof datasetSpec>;
/** DatasetStatus is the TypeScript type of a Dataset's status. */
export type DatasetStatus = z.output<typeof datasetStatus>;

/** dataset describes the Dataset kind. */
export const dataset: KindDefinition = {
  kind: 'Dataset',
  plural: 'datasets',
  singular: 'dataset',
  shortNames: ['ds'],
  description: 'Dataset declares time-series data (CSV, JSON lines or a PostgreSQL query), its schema and validation rules; the operator profiles it.',
  spec: datasetSpec,
  status: datasetStatus,
  printerColumns: [
    readyColumn,
    { name: 'Rows', type: 'integer', jsonPath: '.status.rows' },
    { name: 'Version', type: 'string', jsonPath: '.status.version' },
    { name: 'From', type: 'string', jsonPath: '.status.timeRange.start', priority: 1 },
    { name: 'To', type: 'string', jsonPath: '.status.timeRange.end', priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
