import type {
  Condition,
  DatasetSpec,
  DatasetStatus,
  DriftMonitorSpec,
  DriftMonitorStatus,
  FeatureSetSpec,
  FeatureSetStatus,
  ModelDeploymentSpec,
  ModelDeploymentStatus,
  TrainingJobSpec,
  TrainingJobStatus,
} from '../../crds/index.ts';

/** Resource is a Fluxora object as both executors see it: identity, defaulted spec, status. */
export interface Resource<Spec, Status = Record<string, unknown>> {
  kind: string;
  name: string;
  namespace: string;
  generation?: number;
  uid?: string;
  spec: Spec;
  status?: Status & { conditions?: Condition[]; observedGeneration?: number };
}

/** DatasetResource is a Dataset with its spec and status. */
export type DatasetResource = Resource<DatasetSpec, DatasetStatus>;
/** FeatureSetResource is a FeatureSet with its spec and status. */
export type FeatureSetResource = Resource<FeatureSetSpec, FeatureSetStatus>;
/** TrainingJobResource is a TrainingJob with its spec and status. */
export type TrainingJobResource = Resource<TrainingJobSpec, TrainingJobStatus>;
/** ModelDeploymentResource is a ModelDeployment with its spec and status. */
export type ModelDeploymentResource = Resource<ModelDeploymentSpec, ModelDeploymentStatus>;
/** DriftMonitorResource is a DriftMonitor with its spec and status. */
export type DriftMonitorResource = Resource<DriftMonitorSpec, DriftMonitorStatus>;

/**
 * Lookup finds a resource by kind and name in a namespace: the operator's informer
 * caches and `fluxora run`'s in-memory state both implement it, so reference
 * resolution is one piece of code.
 */
export interface Lookup {
  get(kind: 'Dataset', namespace: string, name: string): DatasetResource | undefined;
  get(kind: 'FeatureSet', namespace: string, name: string): FeatureSetResource | undefined;
  get(kind: 'TrainingJob', namespace: string, name: string): TrainingJobResource | undefined;
  get(kind: 'ModelDeployment', namespace: string, name: string): ModelDeploymentResource | undefined;
  get(kind: 'DriftMonitor', namespace: string, name: string): DriftMonitorResource | undefined;
  /** list returns every resource of a kind in a namespace. */
  list(kind: 'TrainingJob', namespace: string): TrainingJobResource[];
}

/** isReady tells whether a resource's Ready condition is True for its current generation. */
export function isReady(r: Resource<unknown> | undefined): boolean {
  if (!r?.status?.conditions) return false;
  const ready = r.status.conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  return r.generation === undefined || r.status.observedGeneration === undefined || r.status.observedGeneration === r.generation;
}
