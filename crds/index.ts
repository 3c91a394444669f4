import { dataset } from './dataset.ts';
import { driftMonitor } from './drift-monitor.ts';
import { featureSet } from './feature-set.ts';
import { modelDeployment } from './model-deployment.ts';
import { trainingJob } from './training-job.ts';

export * from './common.ts';
export * from './dataset.ts';
export * from './drift-monitor.ts';
export * from './feature-set.ts';
export * from './model-deployment.ts';
export * from './training-job.ts';

/** kinds lists every Fluxora kind in dependency order (a kind only references kinds before it). */
export const kinds = [dataset, featureSet, trainingJob, modelDeployment, driftMonitor] as const;

/** kindByName finds a kind's definition by its `kind` string. */
export function kindByName(kind: string) {
  return kinds.find((k) => k.kind === kind);
}
