import { z } from 'zod';
import type { TrialParams } from '../training/tuning.ts';
import { ContractError, checkVersion, issueText } from './version.ts';

/**
 * The summaries workload pods report (stdout, and in a pod the termination
 * message) and the operator builds status from: schemas first, types inferred.
 * Writers add `contract` (cli/roles.ts); readers parse with readSummary, which
 * checks the version and the schema. A summary shortened to fit the 4 KiB
 * termination message has `truncated: true` and shorter lists.
 */

/** A number that JSON may have turned into null (NaN, ±Infinity): read back as NaN. */
const num = z.union([z.number(), z.null().transform(() => Number.NaN)]);
/** An optional statistic: absent, or null for NaN. */
const optNum = z
  .number()
  .nullish()
  .transform((v) => v ?? undefined);
const modelRef = z.object({ name: z.string(), version: z.number().int() });

/** profileSummary is what `fluxora profile` reports for a Dataset. */
export const profileSummary = z.object({
  version: z.string().min(1),
  rows: z.number().int(),
  rejectedRows: z.number().int(),
  timeRange: z.object({ start: z.string().optional(), end: z.string().optional() }),
  columns: z.array(z.object({ name: z.string(), type: z.string(), nulls: optNum, min: optNum, max: optNum, mean: optNum, std: optNum })),
  validation: z.object({ passed: z.boolean(), checks: z.array(z.object({ name: z.string(), passed: z.boolean(), message: z.string() })) }),
  rejections: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});
/** ProfileSummary is a Dataset's profile. */
export type ProfileSummary = z.output<typeof profileSummary>;

/** materializeSummary is what `fluxora materialize` reports for a FeatureSet version. */
export const materializeSummary = z.object({
  /** The FeatureSet version the rows belong to (dataset version + spec). */
  version: z.string().min(1),
  datasetVersion: z.string(),
  rows: z.number().int(),
  features: z.number().int(),
  /** The store's table the rows are in. */
  table: z.string(),
});
/** MaterializeSummary is a materialized FeatureSet version. */
export type MaterializeSummary = z.output<typeof materializeSummary>;

/** trialSummary is what one tuning trial (`fluxora train --trial N`) reports. */
export const trialSummary = z.object({
  trial: z.number().int(),
  params: z.custom<TrialParams>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object of hyperparameters'),
  objective: z.object({ metric: z.string(), value: num }),
});
/** TrialSummary is one tuning trial's outcome. */
export type TrialSummary = z.output<typeof trialSummary>;

const foldReport = z.object({
  fold: z.number().int(),
  from: z.string(),
  to: z.string(),
  samples: z.number().int(),
  mae: num,
  smape: num,
  mase: num,
  baselineMae: num,
  intervalCoverage: optNum,
});
const candidateReport = z.object({ name: z.string(), mae: num, mase: num, intervalCoverage: optNum });

/** trainSummary is what the final training (`fluxora train`) reports: what TrainingJob status is built from. */
export const trainSummary = z.object({
  model: modelRef,
  metrics: z.object({ mae: num, rmse: num, mape: num, smape: num, mase: num, r2: num, intervalCoverage: optNum }),
  baseline: z.object({ method: z.string(), mae: num }),
  backtest: z.object({ selected: z.string(), folds: z.array(foldReport), candidates: z.array(candidateReport) }),
  trials: z
    .object({
      completed: z.number().int(),
      total: z.number().int(),
      best: z.object({ index: z.number().int(), metric: num, params: z.string() }).optional(),
    })
    .optional(),
  datasetVersion: z.string(),
  featureSetVersion: z.string(),
  iterations: z.number().int(),
  samples: z.object({ train: z.number().int(), backtest: z.number().int(), skipped: z.number().int() }),
});
/** TrainSummary is a finished training: the registered model, its backtest and baseline. */
export type TrainSummary = z.output<typeof trainSummary>;

/** driftSummary is what `fluxora drift` reports for a DriftMonitor run. */
export const driftSummary = z.object({
  result: z.enum(['Drift', 'NoDrift', 'InsufficientData']),
  drifted: z.boolean(),
  driftedShare: num,
  samples: z.number().int(),
  minSamples: z.number().int(),
  model: modelRef,
  features: z.array(z.object({ name: z.string(), method: z.string(), score: num, threshold: num, drifted: z.boolean() })),
  ranAt: z.string(),
});
/** DriftSummary is one drift check's result. */
export type DriftSummary = z.output<typeof driftSummary>;

/** SUMMARY_OF names each schema's writer, for messages. */
const WRITERS = new Map<z.ZodType, string>([
  [profileSummary, 'the profiling pod'],
  [materializeSummary, 'the materialization pod'],
  [trialSummary, 'the tuning-trial pod'],
  [trainSummary, 'the training pod'],
  [driftSummary, 'the drift-check pod'],
]);

/**
 * readSummary checks a parsed summary's contract version and schema and returns
 * it typed; throws a ContractError (ContractMismatch or InvalidSummary, with the
 * field path) otherwise.
 */
export function readSummary<S extends z.ZodType>(schema: S, value: unknown, reader = 'this operator'): z.output<S> {
  const writer = WRITERS.get(schema) ?? 'the pod';
  checkVersion(value, writer, reader);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ContractError('InvalidSummary', `${writer} reported a summary this operator cannot read: ${issueText(parsed.error.issues)}`);
  return parsed.data;
}
