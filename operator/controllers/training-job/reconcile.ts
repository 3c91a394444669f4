import { isWaiting, resolveTrainingInputs } from '../../../runtime/pipeline/resolve.ts';
import type { TrainingJobResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import { type ReconcileContext, toResource } from '../shared/context.ts';
import { createJobIfAbsent, observeJob, waitingHealth, writeStatus } from '../shared/kit.ts';
import { renderTrainingJob, trainJobName, trialsJobName } from './render.ts';
import { trainingJobStatus } from './status.ts';

/**
 * reconcileTrainingJob runs a TrainingJob: once its FeatureSet and Dataset are
 * Ready it creates the tuning trials' Indexed Job, then (trials done) the final
 * training Job, and reports progress, metrics and the registered model. A
 * finished TrainingJob is left alone: its Jobs are named by generation, so only a
 * spec change trains again.
 */
export async function reconcileTrainingJob(ctx: ReconcileContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.TrainingJob.get(namespace ?? '', name);
  if (!live) return;
  const parsed = toResource<TrainingJobResource['spec']>(live);
  if ('problems' in parsed) return;
  const tj = parsed.resource as TrainingJobResource;
  const trials = observeJob(ctx, ctx.informers.Job.get(tj.namespace, trialsJobName(tj)));
  const train = observeJob(ctx, ctx.informers.Job.get(tj.namespace, trainJobName(tj)));
  if (!trials && !train) {
    const inputs = resolveTrainingInputs(tj, ctx.lookup);
    if (isWaiting(inputs)) {
      await writeStatus(ctx, live, tj, waitingHealth(tj, inputs.reason, inputs.message, ctx.clock.now()), { phase: 'Pending' });
      return;
    }
    for (const job of renderTrainingJob(tj, inputs, ctx.options, false)) await createJobIfAbsent(ctx, job);
  } else if (tj.spec.tuning && trials && !train && (trials.complete || (trials.failed && trials.succeeded > 0))) {
    const inputs = resolveTrainingInputs(tj, ctx.lookup);
    if (!isWaiting(inputs)) {
      for (const job of renderTrainingJob(tj, inputs, ctx.options, true)) await createJobIfAbsent(ctx, job);
    }
  }
  const { health, fields } = trainingJobStatus(tj, trials, train);
  await writeStatus(ctx, live, tj, health, fields);
}
