import { isWaiting, resolveFeatureSetInputs } from '../../../runtime/pipeline/resolve.ts';
import type { FeatureSetResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { createJobIfAbsent, observeJob, parseSpec, waitingHealth, writeStatus } from '../shared/kit.ts';
import { materializeJobName, renderMaterializeJob } from './render.ts';
import { featureSetStatus, materializationStatus } from './status.ts';

/**
 * reconcileFeatureSet resolves a FeatureSet's Dataset and records its version and
 * features. Features are computed by the same code at training and serving time,
 * so it creates nothing, unless `materialize.enabled` asks for the features to be
 * stored: then a Job per FeatureSet version writes them, and the FeatureSet is
 * Ready once it has.
 */
export async function reconcileFeatureSet(ctx: ReconcileContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.FeatureSet.get(namespace ?? '', name);
  if (!live) return;
  const fs = await parseSpec<FeatureSetResource['spec']>(ctx, live);
  if (!fs) return;
  const inputs = resolveFeatureSetInputs(fs, ctx.lookup);
  if (isWaiting(inputs)) {
    await writeStatus(ctx, live, fs, waitingHealth(fs, inputs.reason, inputs.message, ctx.clock.now()), {});
    return;
  }
  let { health, fields } = featureSetStatus(fs, inputs.dataset);
  if (fs.spec.materialize?.enabled) {
    const version = String(fields.version);
    let job = observeJob(ctx, ctx.informers.Job.get(fs.namespace, materializeJobName(fs, version)));
    // A Job just created is reported from the API server's answer (one status write, not two).
    if (!job) job = observeJob(ctx, await createJobIfAbsent(ctx, renderMaterializeJob(fs, inputs.dataset, version, ctx.options)));
    ({ health, fields } = materializationStatus({ health, fields }, version, job, fs.status?.materialized as Record<string, unknown> | undefined));
  }
  await writeStatus(ctx, live, fs, health, fields);
}
