import { datasetFieldsFromProfile, failureHealth, type Health } from '../../../runtime/pipeline/status.ts';
import type { ProfileSummary } from '../../../runtime/roles/profile.ts';
import { failureText, type ObservedJob, succeededSummary } from '../shared/observed.ts';

/**
 * datasetStatus builds a Dataset's status from its current profiling Job: Ready
 * with the profile once the Job's pod reported a passing profile; Stalled with
 * the validation failures or the pod's error; Progressing while it runs.
 */
export function datasetStatus(job: ObservedJob | undefined): { health: Health; fields: Record<string, unknown> } {
  if (!job) return { health: { state: 'Progressing', reason: 'JobPending', message: 'creating the profiling Job' }, fields: { phase: 'Pending' } };
  const base = { jobName: job.name };
  if (job.failed) return { health: failureHealth('ProfileFailed', failureText(job)), fields: { ...base, phase: 'Failed' } };
  if (!job.complete) return { health: { state: 'Progressing', reason: 'Profiling', message: `Job ${job.name} is running` }, fields: { ...base, phase: 'Profiling' } };
  const summary = succeededSummary<ProfileSummary>(job);
  if (!summary?.version) {
    return { health: failureHealth('NoProfile', `Job ${job.name} completed without a profile in its termination message`), fields: { ...base, phase: 'Failed' } };
  }
  const { fields, health } = datasetFieldsFromProfile(summary);
  return { health, fields: { ...base, ...fields, phase: health.state === 'Ready' ? 'Ready' : 'Failed', lastProfileTime: job.completionTime } };
}

