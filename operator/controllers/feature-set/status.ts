import { failureHealth, type Health, materializedStatus } from '../../../runtime/pipeline/status.ts';
import { materializeSummary } from '../../../runtime/contract/summaries.ts';
import type { ObservedJob } from '../shared/observed.ts';
import { failureText, succeededSummary } from '../shared/observed.ts';

/**
 * The FeatureSet's resolved status is a pure function of its spec and its
 * resolved Dataset, shared with `fluxora run`; it lives beside the other status
 * builders.
 */
export { featureSetStatus } from '../../../runtime/pipeline/status.ts';

/**
 * materializationStatus refines a resolved FeatureSet's status when it asks for
 * materialization: Ready only once the Job storing the current version has
 * succeeded (status.materialized then names version and rows); Progressing while
 * it runs, keeping the last materialization it reported; Stalled with the pod's
 * message when it failed.
 */
export function materializationStatus(
  resolved: { health: Health; fields: Record<string, unknown> },
  version: string,
  job: ObservedJob | undefined,
  previous: Record<string, unknown> | undefined,
): { health: Health; fields: Record<string, unknown> } {
  const keep = previous ? { materialized: previous } : {};
  if (!job || (!job.complete && !job.failed)) {
    return {
      health: { state: 'Progressing', reason: 'Materializing', message: `Job ${job?.name ?? '(creating)'} is storing version ${version}` },
      fields: { ...resolved.fields, ...keep },
    };
  }
  if (job.failed) return { health: failureHealth('MaterializationFailed', failureText(job)), fields: { ...resolved.fields, ...keep } };
  const read = succeededSummary(job, materializeSummary);
  if (!('summary' in read)) return { health: failureHealth(read.reason, read.message), fields: { ...resolved.fields, ...keep } };
  return materializedStatus(resolved, read.summary, { jobName: job.name, completionTime: job.completionTime });
}
