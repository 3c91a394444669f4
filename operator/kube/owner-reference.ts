import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';

/**
 * ownerReference makes `owner` the controller of a child: the garbage
 * collector deletes the child with its owner, foreground deletion waits for it
 * (blockOwnerDeletion), and mapToOwner routes the child's events to the owner.
 * The owner must have been read from the API server (it needs its uid).
 */
export function ownerReference(owner: KubernetesObject): V1OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error('ownerReference: the owner needs apiVersion, kind, metadata.name and metadata.uid');
  }
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}
