import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResilientInformer } from './informer.ts';
import { keyOf, objectKey } from './object-key.ts';

/** MapFunction turns an object that changed into the keys of the objects to reconcile (controller-runtime's handler.MapFunc). */
export type MapFunction<T extends KubernetesObject> = (obj: T) => string[];

/** mapToSelf enqueues the object itself: the watch of a controller's own kind (handler.EnqueueRequestForObject). */
export function mapToSelf<T extends KubernetesObject>(obj: T): string[] {
  return [objectKey(obj)];
}

/** OwnerMatch selects which owner references mapToOwner follows. */
export interface OwnerMatch {
  /** The owner's kind, e.g. `TrainingJob`. */
  kind: string;
  /** The owner's API group (`fluxora.io`; '' for core). Any group if omitted. */
  group?: string;
  /** Follow only the reference with controller=true (default), as handler.OnlyControllerOwner. */
  controllerOnly?: boolean;
}

/**
 * mapToOwner enqueues a child's owner, read from its ownerReferences
 * (handler.EnqueueRequestForOwner): a Job owned by a TrainingJob enqueues the
 * TrainingJob. Owners are in the child's namespace (owner references cannot
 * cross namespaces).
 */
export function mapToOwner<T extends KubernetesObject>(match: OwnerMatch): MapFunction<T> {
  const controllerOnly = match.controllerOnly ?? true;
  return (obj) => {
    const keys: string[] = [];
    for (const ref of obj.metadata?.ownerReferences ?? []) {
      if (ref.kind !== match.kind) continue;
      if (controllerOnly && ref.controller !== true) continue;
      if (match.group !== undefined && groupOf(ref.apiVersion) !== match.group) continue;
      keys.push(keyOf(obj.metadata?.namespace, ref.name));
    }
    return keys;
  };
}

/**
 * mapByIndex enqueues the objects that reference the changed one, found
 * through an index of the referencing kind's informer: e.g. a FeatureSet
 * informer indexed by `namespace/datasetName` maps a changed Dataset to every
 * FeatureSet that reads it.
 */
export function mapByIndex<T extends KubernetesObject, R extends KubernetesObject>(
  referencing: ResilientInformer<R>,
  indexName: string,
  indexValueOf: (obj: T) => string = objectKey,
): MapFunction<T> {
  return (obj) => referencing.byIndex(indexName, indexValueOf(obj)).map(objectKey);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
