import type { KubernetesObject } from '@kubernetes/client-node';

/** ObjectName is where an object lives: namespace ('' when cluster-scoped) and name. */
export interface ObjectName {
  namespace: string;
  name: string;
}

/** keyOf builds a work-queue key: `namespace/name`, or `name` for a cluster-scoped object (client-go's format). */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** objectKey is the work-queue key of an object. */
export function objectKey(obj: KubernetesObject): string {
  return keyOf(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** splitKey parses a work-queue key back into namespace and name. */
export function splitKey(key: string): ObjectName {
  const slash = key.indexOf('/');
  if (slash < 0) return { namespace: '', name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
