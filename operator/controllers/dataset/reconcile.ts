import { splitKey } from '../../kube/object-key.ts';
import type { DatasetResource } from '../../../runtime/pipeline/resources.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { applyChild, createJobIfAbsent, observeJob, parseSpec, writeStatus } from '../shared/kit.ts';
import { profileJobName, renderDataset } from './render.ts';
import { datasetStatus } from './status.ts';

/** reconcileDataset makes a Dataset's profiling Job (and refresh CronJob) exist and writes what it found to status. */
export async function reconcileDataset(ctx: ReconcileContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.Dataset.get(namespace ?? '', name);
  if (!live) return;
  const ds = await parseSpec<DatasetResource['spec']>(ctx, live);
  if (!ds) return;
  let profile = ctx.informers.Job.get(ds.namespace, profileJobName(ds));
  for (const child of renderDataset(ds, ctx.options)) {
    if (child.kind !== 'Job') await applyChild(ctx, child, ctx.informers.CronJob.get(namespace ?? '', child.metadata.name));
    else {
      // A Job just created is reported from the API server's answer (one status write, not two).
      const job = await createJobIfAbsent(ctx, child);
      if (child.metadata.name === profileJobName(ds)) profile = job;
    }
  }
  const { health, fields } = datasetStatus(observeJob(ctx, profile));
  await writeStatus(ctx, live, ds, health, fields);
}
