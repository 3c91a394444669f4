import type { ModelSelector } from '../../../runtime/pipeline/resolve.ts';
import type { DriftMonitorResource, ModelDeploymentResource, TrainingJobResource } from '../../../runtime/pipeline/resources.ts';
import type { DriftConfig } from '../../../runtime/contract/config.ts';
import { childLabels, childName, identity, type KubeObject, ownerReference, workloadPod } from '../shared/children.ts';
import { TrainingJob } from '../../manifests/fluxora.ts';
import { KubeCronJob } from '../../manifests/k8s.ts';
import { synth } from '../../manifests/synth.ts';
import type { OperatorOptions } from '../shared/options.ts';

/** driftCronJobName is the CronJob running a DriftMonitor's checks. */
export const driftCronJobName = (dm: DriftMonitorResource) => childName(dm.name, 'drift');

/** retrainName is the TrainingJob a drifted model version starts: one per monitor and served version. */
export const retrainName = (dm: DriftMonitorResource, version: number) => childName(dm.name, `retrain-v${version}`);

/** renderDriftMonitor returns the CronJob that runs `fluxora drift` on the monitor's schedule. Pure. */
export function renderDriftMonitor(dm: DriftMonitorResource, deployment: ModelDeploymentResource, model: ModelSelector, opts: OperatorOptions): KubeObject[] {
  const config: DriftConfig = { role: 'drift', monitor: identity(dm), deployment: identity(deployment), model };
  return synth((chart) => {
    new KubeCronJob(chart, 'drift', {
      metadata: { name: driftCronJobName(dm), namespace: dm.namespace, labels: childLabels(dm, 'drift'), ownerReferences: [ownerReference(dm)] },
      spec: {
        schedule: dm.spec.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: childLabels(dm, 'drift') },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 1800,
            template: workloadPod(opts, config, ['drift'], { labels: childLabels(dm, 'drift'), resources: dm.spec.resources, restartPolicy: 'Never' }),
          },
        },
      },
    });
  });
}

/**
 * renderRetrain returns the TrainingJob a drift starts: the spec of the
 * TrainingJob that registered the served model, owned by the monitor, under a
 * deterministic name so a repeated reconcile cannot start it twice.
 */
export function renderRetrain(dm: DriftMonitorResource, source: TrainingJobResource, version: number): KubeObject {
  const [retrain] = synth((chart) => {
    new TrainingJob(chart, 'retrain', {
      metadata: {
        name: retrainName(dm, version),
        namespace: dm.namespace,
        labels: { ...childLabels(dm, 'retrain'), 'fluxora.io/retrain-of': source.name },
        ownerReferences: [ownerReference(dm)],
      },
      spec: source.spec,
    });
  });
  return retrain;
}
