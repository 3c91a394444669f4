import type { Condition } from '../../crds/common.ts';
import { forecastInputNames } from '../features/forecast-frame.ts';
import type { DriftSummary, MaterializeSummary, ProfileSummary, TrainSummary } from '../contract/summaries.ts';
import type { DatasetResource, FeatureSetResource } from './resources.ts';
import { featureSetVersion } from './versions.ts';

/**
 * Health is the outcome of one pass for one resource, before it becomes
 * conditions: ready, progressing (with why), or stalled (a failure a retry
 * cannot fix until the spec or a reference changes).
 */
export type Health =
  | { state: 'Ready'; reason: string; message: string }
  | { state: 'Progressing'; reason: string; message: string }
  | { state: 'Stalled'; reason: string; message: string };

/**
 * conditionsFor renders kstatus-compatible conditions (Ready, Reconciling,
 * Stalled) for a health, keeping lastTransitionTime of conditions whose status did
 * not change, so a steady resource's status stays byte-identical.
 */
export function conditionsFor(health: Health, generation: number | undefined, previous: Condition[] | undefined, now: Date): Condition[] {
  const want: Condition[] = [
    { type: 'Ready', status: health.state === 'Ready' ? 'True' : 'False', reason: health.reason, message: health.message },
    {
      type: 'Reconciling',
      status: health.state === 'Progressing' ? 'True' : 'False',
      reason: health.state === 'Progressing' ? health.reason : 'Idle',
      message: health.state === 'Progressing' ? health.message : '',
    },
    {
      type: 'Stalled',
      status: health.state === 'Stalled' ? 'True' : 'False',
      reason: health.state === 'Stalled' ? health.reason : 'NotStalled',
      message: health.state === 'Stalled' ? health.message : '',
    },
  ];
  return want.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { ...c, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
  });
}

/** datasetFieldsFromProfile maps a profile summary onto Dataset status fields, and says whether it is healthy. */
export function datasetFieldsFromProfile(summary: ProfileSummary): { fields: Record<string, unknown>; health: Health } {
  const failed = summary.validation.checks.filter((c) => !c.passed);
  const fields = {
    version: summary.version,
    rows: summary.rows,
    rejectedRows: summary.rejectedRows,
    columnCount: summary.columns.length,
    timeRange: summary.timeRange,
    columns: summary.columns,
    validation: summary.validation,
  };
  const health: Health =
    failed.length === 0
      ? { state: 'Ready', reason: 'Profiled', message: `${summary.rows} rows, version ${summary.version}` }
      : {
          state: 'Stalled',
          reason: 'ValidationFailed',
          message: [
            ...failed.map((c) => c.message),
            ...summary.rejections.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`),
          ].join('; '),
        };
  return { fields, health };
}

/** trainingFieldsFromSummary maps a training summary onto TrainingJob status fields. */
export function trainingFieldsFromSummary(summary: TrainSummary): Record<string, unknown> {
  return {
    metrics: summary.metrics,
    baseline: summary.baseline,
    backtest: summary.backtest,
    model: summary.model,
    trials: summary.trials,
    datasetVersion: summary.datasetVersion,
    featureSetVersion: summary.featureSetVersion,
  };
}

/** driftFieldsFromSummary maps a drift summary onto DriftMonitor status fields. */
export function driftFieldsFromSummary(summary: DriftSummary): Record<string, unknown> {
  return {
    lastRunTime: summary.ranAt.replace(/\.\d{3}Z$/, 'Z'),
    result: summary.result,
    drifted: summary.drifted,
    driftedShare: summary.driftedShare,
    samples: summary.samples,
    model: summary.model,
    features: summary.features.slice(0, 64),
  };
}

/** failureHealth turns a role's failure message into a Stalled health with a reason. */
export function failureHealth(reason: string, message: string): Health {
  return { state: 'Stalled', reason, message: message.slice(0, 1024) };
}

/**
 * featureSetStatus builds a FeatureSet's status from its resolved Dataset: the
 * model inputs of the first forecast step and a version that changes with the
 * Dataset's content or the feature spec. Pure; the FeatureSet has no children.
 */
export function featureSetStatus(fs: FeatureSetResource, dataset: DatasetResource): { health: Health; fields: Record<string, unknown> } {
  const datasetVersion = dataset.status?.version ?? '';
  const features = forecastInputNames(fs.spec, 1);
  return {
    health: { state: 'Ready', reason: 'Resolved', message: `${features.length} features from Dataset ${dataset.name}` },
    fields: { version: featureSetVersion(datasetVersion, fs.spec), datasetVersion, features, featureCount: features.length },
  };
}

/**
 * materializedStatus is a resolved FeatureSet's status once its features are
 * stored: Ready, with status.materialized from the materialize role's summary
 * (and the Job that ran it, in a cluster). Shared by the operator and `run`.
 */
export function materializedStatus(
  resolved: { health: Health; fields: Record<string, unknown> },
  summary: MaterializeSummary,
  run: { jobName?: string; completionTime?: string },
): { health: Health; fields: Record<string, unknown> } {
  return {
    health: { state: 'Ready', reason: 'Materialized', message: `${resolved.health.message}; ${summary.rows} rows of version ${summary.version} in ${summary.table}` },
    fields: { ...resolved.fields, materialized: { version: summary.version, rows: summary.rows, table: summary.table, ...run } },
  };
}
