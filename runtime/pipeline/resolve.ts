import type {
  DatasetResource,
  DriftMonitorResource,
  FeatureSetResource,
  Lookup,
  ModelDeploymentResource,
  TrainingJobResource,
} from './resources.ts';
import { isReady } from './resources.ts';

/** Waiting says why a resource cannot proceed yet: a missing or not-ready reference. It is a condition reason, not an error. */
export interface Waiting {
  waiting: true;
  reason: 'DatasetNotFound' | 'DatasetNotReady' | 'FeatureSetNotFound' | 'FeatureSetNotReady' | 'TrainingJobNotFound' | 'TrainingJobNotReady' | 'ModelDeploymentNotFound' | 'ModelDeploymentNotReady' | 'ModelVersionUnknown';
  message: string;
}

function waiting(reason: Waiting['reason'], message: string): Waiting {
  return { waiting: true, reason, message };
}

/** isWaiting narrows a resolution result to Waiting. */
export function isWaiting<T>(r: T | Waiting): r is Waiting {
  return (r as Waiting).waiting === true;
}

/** resolveFeatureSetInputs finds the Dataset a FeatureSet reads; it must be Ready. */
export function resolveFeatureSetInputs(fs: FeatureSetResource, lookup: Lookup): { dataset: DatasetResource } | Waiting {
  const dataset = lookup.get('Dataset', fs.namespace, fs.spec.datasetRef.name);
  if (!dataset) return waiting('DatasetNotFound', `Dataset "${fs.spec.datasetRef.name}" does not exist in namespace ${fs.namespace}`);
  if (!isReady(dataset)) return waiting('DatasetNotReady', `Dataset "${dataset.name}" is not Ready yet`);
  return { dataset };
}

/** resolveTrainingInputs finds the FeatureSet and Dataset a TrainingJob trains on; both must be Ready. */
export function resolveTrainingInputs(
  tj: TrainingJobResource,
  lookup: Lookup,
): { featureSet: FeatureSetResource; dataset: DatasetResource } | Waiting {
  const featureSet = lookup.get('FeatureSet', tj.namespace, tj.spec.featureSetRef.name);
  if (!featureSet) return waiting('FeatureSetNotFound', `FeatureSet "${tj.spec.featureSetRef.name}" does not exist in namespace ${tj.namespace}`);
  if (!isReady(featureSet)) return waiting('FeatureSetNotReady', `FeatureSet "${featureSet.name}" is not Ready yet`);
  const inputs = resolveFeatureSetInputs(featureSet, lookup);
  if (isWaiting(inputs)) return inputs;
  return { featureSet, dataset: inputs.dataset };
}

/** ModelSelector names a registered model version, or an alias the serving pod resolves. */
export interface ModelSelector {
  name: string;
  version?: number;
  alias?: string;
}

/**
 * resolveModelSelector turns a ModelDeployment's model reference into a registered
 * model version. A trainingJobRef needs that TrainingJob to have registered its
 * model. An alias is pinned to the version the newest succeeded TrainingJob in
 * the namespace registered under it, so a moved alias rolls out as a new pod
 * template; with no such TrainingJob the alias is left for the pod to resolve.
 */
export function resolveModelSelector(md: ModelDeploymentResource, lookup: Lookup): ModelSelector | Waiting {
  const ref = md.spec.model;
  if (ref.trainingJobRef) {
    const tj = lookup.get('TrainingJob', md.namespace, ref.trainingJobRef.name);
    if (!tj) return waiting('TrainingJobNotFound', `TrainingJob "${ref.trainingJobRef.name}" does not exist in namespace ${md.namespace}`);
    const model = tj.status?.model;
    if (!isReady(tj) || !model?.name || !model.version) {
      return waiting('TrainingJobNotReady', `TrainingJob "${tj.name}" has not registered a model yet`);
    }
    return { name: model.name, version: model.version };
  }
  const name = ref.name as string;
  if (ref.version !== undefined) return { name, version: ref.version };
  if (ref.alias !== undefined) {
    const registered = lookup
      .list('TrainingJob', md.namespace)
      .filter((tj) => tj.spec.registry.model === name && tj.spec.registry.alias === ref.alias && tj.status?.model?.version && isReady(tj))
      .sort((a, b) => (b.status?.model?.version ?? 0) - (a.status?.model?.version ?? 0));
    if (registered.length > 0) return { name, version: registered[0].status?.model?.version, alias: ref.alias };
    const pending = lookup.list('TrainingJob', md.namespace).find((tj) => tj.spec.registry.model === name && tj.spec.registry.alias === ref.alias);
    if (pending) return waiting('TrainingJobNotReady', `waiting for TrainingJob "${pending.name}" to register ${name}@${ref.alias}`);
    return { name, alias: ref.alias };
  }
  return { name, alias: 'latest' };
}

/** resolveDriftInputs finds the ModelDeployment a DriftMonitor watches and the model it serves. */
export function resolveDriftInputs(
  dm: DriftMonitorResource,
  lookup: Lookup,
): { deployment: ModelDeploymentResource; model: ModelSelector } | Waiting {
  const deployment = lookup.get('ModelDeployment', dm.namespace, dm.spec.modelDeploymentRef.name);
  if (!deployment) {
    return waiting('ModelDeploymentNotFound', `ModelDeployment "${dm.spec.modelDeploymentRef.name}" does not exist in namespace ${dm.namespace}`);
  }
  const model = resolveModelSelector(deployment, lookup);
  if (isWaiting(model)) return waiting('ModelDeploymentNotReady', `ModelDeployment "${deployment.name}": ${model.message}`);
  return { deployment, model };
}

/** trainingJobForModel finds the TrainingJob that registered a model version (to retrain from its spec on drift). */
export function trainingJobForModel(lookup: Lookup, namespace: string, model: ModelSelector): TrainingJobResource | undefined {
  return lookup
    .list('TrainingJob', namespace)
    .filter((tj) => tj.spec.registry.model === model.name)
    .sort((a, b) => (b.status?.model?.version ?? 0) - (a.status?.model?.version ?? 0))
    .find((tj) => model.version === undefined || tj.status?.model?.version === model.version);
}
