import type { V1JobSpec, V1ObjectMeta } from '@kubernetes/client-node';
import type { DatasetResource } from '../../../runtime/pipeline/resources.ts';
import type { ProfileConfig } from '../../../runtime/contract/config.ts';
import { childLabels, childName, datasetSources, identity, type KubeObject, ownerReference, specHash, workloadPod } from '../shared/children.ts';
import { KubeCronJob, KubeJob } from '../../manifests/k8s.ts';
import { synth } from '../../manifests/synth.ts';
import type { OperatorOptions } from '../shared/options.ts';

/** PROFILE_DEADLINE_SECONDS bounds a profiling Job; past it the Job fails and the Dataset is Stalled. */
export const PROFILE_DEADLINE_SECONDS = 1800;

/** profileJobName is the deterministic name of the profiling Job for the Dataset's current spec. */
export function profileJobName(ds: DatasetResource): string {
  return childName(ds.name, `profile-${specHash(ds.spec)}`);
}

function jobSpec(ds: DatasetResource, opts: OperatorOptions): V1JobSpec {
  const config: ProfileConfig = { role: 'profile', dataset: identity(ds), dataDir: opts.dataDir };
  const src = datasetSources(ds.spec);
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: PROFILE_DEADLINE_SECONDS,
    template: workloadPod(opts, config, ['profile'], {
      labels: childLabels(ds, 'profile'),
      env: src.env,
      volumes: src.volumes,
      mounts: src.mounts,
      resources: ds.spec.resources,
      restartPolicy: 'Never',
    }),
  };
}

/**
 * renderDataset returns the Dataset's children: a profiling Job named after the
 * spec's hash (a changed spec profiles again), and a CronJob re-profiling on the
 * refresh schedule when one is set. Pure: no I/O, no clock.
 */
export function renderDataset(ds: DatasetResource, opts: OperatorOptions): KubeObject[] {
  const meta = (name: string, component: string) => ({
    name,
    namespace: ds.namespace,
    labels: childLabels(ds, component),
    ownerReferences: [ownerReference(ds)],
  }) satisfies V1ObjectMeta;
  return synth((chart) => {
    new KubeJob(chart, 'profile', { metadata: meta(profileJobName(ds), 'profile'), spec: jobSpec(ds, opts) });
    if (ds.spec.refresh) {
      new KubeCronJob(chart, 'refresh', {
        metadata: meta(childName(ds.name, 'refresh'), 'profile'),
        spec: {
          schedule: ds.spec.refresh.schedule,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: { metadata: { labels: childLabels(ds, 'profile') }, spec: jobSpec(ds, opts) },
        },
      });
    }
  });
}
