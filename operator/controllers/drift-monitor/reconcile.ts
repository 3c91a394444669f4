import { isWaiting, resolveDriftInputs, trainingJobForModel } from '../../../runtime/pipeline/resolve.ts';
import type { DriftMonitorResource } from '../../../runtime/pipeline/resources.ts';
import { driftSummary } from '../../../runtime/contract/summaries.ts';
import { splitKey } from '../../kube/object-key.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { applyChild, observeJob, parseSpec, waitingHealth, writeStatus } from '../shared/kit.ts';
import { succeededSummary } from '../shared/observed.ts';
import { driftCronJobName, renderDriftMonitor, renderRetrain, retrainName } from './render.ts';
import { driftMonitorStatus } from './status.ts';

/**
 * reconcileDriftMonitor schedules drift checks of a ModelDeployment's model with
 * a CronJob, reports the newest finished check, and on drift with `retrain`
 * creates one TrainingJob (named by monitor and served version) from the spec
 * that trained the served model.
 */
export async function reconcileDriftMonitor(ctx: ReconcileContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.DriftMonitor.get(namespace ?? '', name);
  if (!live) return;
  const dm = await parseSpec<DriftMonitorResource['spec']>(ctx, live);
  if (!dm) return;
  const inputs = resolveDriftInputs(dm, ctx.lookup);
  if (isWaiting(inputs)) {
    await writeStatus(ctx, live, dm, waitingHealth(dm, inputs.reason, inputs.message, ctx.clock.now()), {});
    return;
  }
  const cronName = driftCronJobName(dm);
  for (const child of renderDriftMonitor(dm, inputs.deployment, inputs.model, ctx.options)) {
    await applyChild(ctx, child, ctx.informers.CronJob.get(dm.namespace, child.metadata.name));
  }
  const jobs = ctx.informers.Job.list(dm.namespace)
    .filter((j) => j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === cronName))
    .map((j) => observeJob(ctx, j))
    .filter((j) => j !== undefined)
    .filter((j) => j.complete || j.failed)
    .sort((a, b) => (b.completionTime ?? b.startTime ?? '').localeCompare(a.completionTime ?? a.startTime ?? ''));
  const latest = jobs[0];
  let retrainJob = (dm.status as { retrainJob?: string } | undefined)?.retrainJob;
  const read = latest?.complete ? succeededSummary(latest, driftSummary) : undefined;
  // An unreadable summary is reported on the status by driftMonitorStatus; it never triggers a retrain.
  const summary = read && 'summary' in read ? read.summary : undefined;
  if (summary?.drifted && dm.spec.onDrift.retrain) {
    const name = retrainName(dm, summary.model.version);
    const source = trainingJobForModel(ctx.lookup, dm.namespace, summary.model);
    if (source && !ctx.informers.TrainingJob.get(dm.namespace, name) && source.name !== name) {
      await ctx.applier.apply(renderRetrain(dm, source, summary.model.version) as never, { live: null });
      await ctx.events.record(live, 'Normal', 'Retraining', `drift in ${Math.round(summary.driftedShare * 100)}% of features: started TrainingJob ${name}`);
    }
    retrainJob = name;
  }
  const { health, fields } = driftMonitorStatus(cronName, latest, retrainJob);
  await writeStatus(ctx, live, dm, health, fields);
}
