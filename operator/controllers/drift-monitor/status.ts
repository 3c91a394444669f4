import { driftFieldsFromSummary, failureHealth, type Health } from '../../../runtime/pipeline/status.ts';
import { type DriftSummary, driftSummary } from '../../../runtime/contract/summaries.ts';
import { failureText, type ObservedJob, succeededSummary } from '../shared/observed.ts';

/**
 * driftMonitorStatus builds a DriftMonitor's status from the newest finished
 * check Job: Ready once a check ran (whatever it found: Drift, NoDrift or
 * InsufficientData, shown in `result`), Stalled when the newest check failed,
 * Progressing before the first check.
 */
export function driftMonitorStatus(cronJobName: string, latest: ObservedJob | undefined, retrainJob?: string): { health: Health; fields: Record<string, unknown> } {
  const base = { cronJobName, ...(retrainJob ? { retrainJob } : {}) };
  if (!latest) return { health: { state: 'Progressing', reason: 'Scheduled', message: 'waiting for the first scheduled check' }, fields: base };
  if (latest.failed) return { health: failureHealth('CheckFailed', failureText(latest)), fields: base };
  if (!latest.complete) return { health: { state: 'Progressing', reason: 'Checking', message: `Job ${latest.name} is running` }, fields: base };
  const read = succeededSummary(latest, driftSummary);
  if (!('summary' in read)) return { health: failureHealth(read.reason, read.message), fields: base };
  const summary: DriftSummary = read.summary;
  return {
    health: { state: 'Ready', reason: summary.result, message: `${summary.result}: ${summary.samples} samples, ${Math.round(summary.driftedShare * 100)}% of features drifted` },
    fields: { ...base, ...driftFieldsFromSummary(summary) },
  };
}
