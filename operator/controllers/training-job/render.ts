import type { V1JobSpec } from '@kubernetes/client-node';
import type { DatasetResource, FeatureSetResource, TrainingJobResource } from '../../../runtime/pipeline/resources.ts';
import type { TrainConfig } from '../../../runtime/contract/config.ts';
import { childLabels, childName, datasetSources, identity, type KubeObject, ownerReference, workloadPod } from '../shared/children.ts';
import { KubeJob } from '../../manifests/k8s.ts';
import { synth } from '../../manifests/synth.ts';
import type { OperatorOptions } from '../shared/options.ts';

/** trialsJobName is the Indexed Job running a TrainingJob's tuning trials. */
export const trialsJobName = (tj: TrainingJobResource) => childName(tj.name, `trials-g${tj.generation ?? 1}`);
/** trainJobName is the Job training and registering the final model. */
export const trainJobName = (tj: TrainingJobResource) => childName(tj.name, `train-g${tj.generation ?? 1}`);

/**
 * renderTrainingJob returns the batch Jobs of a TrainingJob. With tuning: an
 * Indexed Job whose completion index selects the trial (`parallelism` pods at a
 * time), and, once it has completed (`trialsDone`), the Job that retrains the best
 * trial and registers it. Without tuning: that Job alone. The resolved FeatureSet
 * and Dataset travel in the config, so the pods need no API access. Pure.
 */
export function renderTrainingJob(
  tj: TrainingJobResource,
  inputs: { featureSet: FeatureSetResource; dataset: DatasetResource },
  opts: OperatorOptions,
  trialsDone: boolean,
): KubeObject[] {
  const config: TrainConfig = {
    role: 'train',
    trainingJob: identity(tj),
    featureSet: identity(inputs.featureSet),
    dataset: identity(inputs.dataset),
    dataDir: opts.dataDir,
  };
  const src = datasetSources(inputs.dataset.spec);
  const pod = (component: string, args: string[]) =>
    workloadPod(opts, config, args, {
      labels: childLabels(tj, component),
      env: src.env,
      volumes: src.volumes,
      mounts: src.mounts,
      resources: tj.spec.resources,
      restartPolicy: 'Never',
    });
  const jobSpec = (spec: V1JobSpec): V1JobSpec => ({ backoffLimit: tj.spec.backoffLimit, activeDeadlineSeconds: tj.spec.activeDeadlineSeconds, ...spec });
  const metadata = (name: string, component: string) => ({ name, namespace: tj.namespace, labels: childLabels(tj, component), ownerReferences: [ownerReference(tj)] });
  const tuning = tj.spec.tuning;
  return synth((chart) => {
    if (tuning) {
      new KubeJob(chart, 'trials', {
        metadata: metadata(trialsJobName(tj), 'tuning'),
        spec: jobSpec({
          completionMode: 'Indexed',
          completions: tuning.trials,
          parallelism: tuning.parallelism,
          backoffLimitPerIndex: tj.spec.backoffLimit,
          maxFailedIndexes: Math.max(0, tuning.trials - 1),
          // A per-index backoff limit replaces the Job-wide one (synthesis drops the undefined field).
          backoffLimit: undefined,
          template: pod('tuning', ['train', '--trial', '$(JOB_COMPLETION_INDEX)']),
        }),
      });
    }
    if (!tuning || trialsDone) new KubeJob(chart, 'train', { metadata: metadata(trainJobName(tj), 'train'), spec: jobSpec({ template: pod('train', ['train']) }) });
  });
}
