import { isWaiting, resolveTrainingInputs } from '../../../runtime/pipeline/resolve.ts';
import type { TrainingJobResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { createJobIfAbsent, observeJob, parseSpec, waitingHealth, writeStatus } from '../shared/kit.ts';
import type { ObservedJob } from '../shared/observed.ts';
import { readProgress } from './progress-reader.ts';
import { renderTrainingJob, trainJobName, trialsJobName } from './render.ts';
import { trainingJobStatus } from './status.ts';

/** PROGRESS_PERIOD_MS is how often a running TrainingJob's pods are asked for their progress. */
export const PROGRESS_PERIOD_MS = 10_000;

const running = (job: ObservedJob | undefined) => job !== undefined && !job.complete && !job.failed;

/**
 * reconcileTrainingJob runs a TrainingJob: once its FeatureSet and Dataset are
 * Ready it creates the tuning trials' Indexed Job, then (trials done) the final
 * training Job, and reports progress, metrics and the registered model. A
 * finished TrainingJob is left alone: its Jobs are named by generation, so only a
 * spec change trains again. While a Job runs, its pods' live progress (epoch,
 * losses) is read every PROGRESS_PERIOD_MS into status.progress.
 */
export async function reconcileTrainingJob(ctx: ReconcileContext, key: string): Promise<{ requeueAfterMs?: number } | undefined> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.TrainingJob.get(namespace ?? '', name);
  if (!live) return undefined;
  const tj = await parseSpec<TrainingJobResource['spec']>(ctx, live);
  if (!tj) return undefined;
  let trials = observeJob(ctx, ctx.informers.Job.get(tj.namespace, trialsJobName(tj)));
  let train = observeJob(ctx, ctx.informers.Job.get(tj.namespace, trainJobName(tj)));
  // A Job just created is reported from the API server's answer: one status write, not a
  // "creating" one the Job's watch event would replace at once.
  const create = async (job: Parameters<typeof createJobIfAbsent>[1]) => {
    const created = await createJobIfAbsent(ctx, job);
    if (job.metadata.name === trainJobName(tj)) train = observeJob(ctx, created);
    else if (job.metadata.name === trialsJobName(tj)) trials = observeJob(ctx, created);
  };
  if (!trials && !train) {
    const inputs = resolveTrainingInputs(tj, ctx.lookup);
    if (isWaiting(inputs)) {
      await writeStatus(ctx, live, tj, waitingHealth(tj, inputs.reason, inputs.message, ctx.clock.now()), { phase: 'Pending' });
      return undefined;
    }
    for (const job of renderTrainingJob(tj, inputs, ctx.options, false)) await create(job);
  } else if (tj.spec.tuning && trials && !train && (trials.complete || (trials.failed && trials.succeeded > 0))) {
    const inputs = resolveTrainingInputs(tj, ctx.lookup);
    if (!isWaiting(inputs)) {
      for (const job of renderTrainingJob(tj, inputs, ctx.options, true)) await create(job);
    }
  }
  const active = running(train) ? train : train === undefined && running(trials) ? trials : undefined;
  const polling = active !== undefined && active.running.length > 0;
  const progress = polling ? await readProgress(active) : undefined;
  const { health, fields } = trainingJobStatus(tj, trials, train, progress);
  await writeStatus(ctx, live, tj, health, fields);
  return polling ? { requeueAfterMs: PROGRESS_PERIOD_MS } : undefined;
}
