import { isWaiting, resolveFeatureSetInputs } from '../../../runtime/pipeline/resolve.ts';
import type { FeatureSetResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import { type ReconcileContext, toResource } from '../shared/context.ts';
import { waitingHealth, writeStatus } from '../shared/kit.ts';
import { featureSetStatus } from './status.ts';

/**
 * reconcileFeatureSet resolves a FeatureSet's Dataset and records its version and
 * features. It creates nothing: features are computed by the same code at
 * training and serving time.
 */
export async function reconcileFeatureSet(ctx: ReconcileContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.FeatureSet.get(namespace ?? '', name);
  if (!live) return;
  const parsed = toResource<FeatureSetResource['spec']>(live);
  if ('problems' in parsed) return;
  const fs = parsed.resource as FeatureSetResource;
  const inputs = resolveFeatureSetInputs(fs, ctx.lookup);
  if (isWaiting(inputs)) {
    await writeStatus(ctx, live, fs, waitingHealth(fs, inputs.reason, inputs.message, ctx.clock.now()), {});
    return;
  }
  const { health, fields } = featureSetStatus(fs, inputs.dataset);
  await writeStatus(ctx, live, fs, health, fields);
}
