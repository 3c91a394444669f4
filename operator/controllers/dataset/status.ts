import { datasetFieldsFromProfile, failureHealth, type Health } from '../../../runtime/pipeline/status.ts';
import { type ProfileSummary, profileSummary } from '../../../runtime/contract/summaries.ts';
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
  const read = succeededSummary(job, profileSummary);
  if (!('summary' in read)) return { health: failureHealth(read.reason, read.message), fields: { ...base, phase: 'Failed' } };
  const summary: ProfileSummary = read.summary;
  const { fields, health } = datasetFieldsFromProfile(summary);
  return { health, fields: { ...base, ...fields, phase: health.state === 'Ready' ? 'Ready' : 'Failed', lastProfileTime: job.completionTime } };
}

