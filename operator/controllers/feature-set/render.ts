import type { DatasetResource, FeatureSetResource } from '../../../runtime/pipeline/resources.ts';
import type { MaterializeConfig } from '../../../runtime/contract/config.ts';
import { childLabels, childName, datasetSources, identity, type KubeObject, ownerReference, workloadPod } from '../shared/children.ts';
import { KubeJob } from '../../manifests/k8s.ts';
import { synth } from '../../manifests/synth.ts';
import type { OperatorOptions } from '../shared/options.ts';

/** MATERIALIZE_DEADLINE_SECONDS bounds a materialization Job; past it the Job fails and the FeatureSet is Stalled. */
export const MATERIALIZE_DEADLINE_SECONDS = 1800;

/** materializeJobName names the Job storing one FeatureSet version, so a new version (data or spec) materializes again. */
export function materializeJobName(fs: FeatureSetResource, version: string): string {
  return childName(fs.name, `materialize-${version.slice(0, 10)}`);
}

/**
 * renderMaterializeJob returns the Job that writes the FeatureSet's features of
 * `version` to the store (`fluxora materialize`), with the Dataset's sources
 * mounted as for training. Pure.
 */
export function renderMaterializeJob(fs: FeatureSetResource, dataset: DatasetResource, version: string, opts: OperatorOptions): KubeObject {
  const config: MaterializeConfig = { role: 'materialize', featureSet: identity(fs), dataset: identity(dataset), dataDir: opts.dataDir };
  const src = datasetSources(dataset.spec);
  const labels = childLabels(fs, 'materialize');
  const [job] = synth((chart) => {
    new KubeJob(chart, 'materialize', {
      metadata: { name: materializeJobName(fs, version), namespace: fs.namespace, labels, ownerReferences: [ownerReference(fs)] },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: MATERIALIZE_DEADLINE_SECONDS,
        template: workloadPod(opts, config, ['materialize'], {
          labels,
          env: src.env,
          volumes: src.volumes,
          mounts: src.mounts,
          resources: fs.spec.materialize?.resources,
          restartPolicy: 'Never',
        }),
      },
    });
  });
  return job;
}
