import type { KubernetesObject } from '@kubernetes/client-node';
import { TEMPLATE_HASH_ANNOTATION } from './render.ts';
import type { ObservedDeployment } from './status.ts';

/** ServingPod is the part of a cached serving Pod the controller reads. */
export type ServingPod = KubernetesObject & { status?: { podIP?: string; conditions?: { type: string; status: string }[] } };

/** isReady tells whether a pod is Ready and not being deleted. */
export function isReady(pod: ServingPod): boolean {
  return !pod.metadata?.deletionTimestamp && Boolean(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** readyPodIPs lists the IPs of the Ready pods. */
export function readyPodIPs(pods: readonly ServingPod[]): string[] {
  return pods
    .filter(isReady)
    .map((p) => p.status?.podIP)
    .filter((ip): ip is string => Boolean(ip));
}

/** observeDeployment reads the Deployment's status and counts its Ready pods by template: the current one (`templateHash`) or an earlier one. */
export function observeDeployment(dep: KubernetesObject | undefined, pods: readonly ServingPod[], templateHash: string): ObservedDeployment | undefined {
  if (!dep) return undefined;
  const ready = pods.filter(isReady);
  const currentReady = ready.filter((p) => p.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] === templateHash).length;
  const d = dep as KubernetesObject & { status?: Record<string, unknown> };
  const s = (d.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; reason?: string; message?: string }[];
  };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  return {
    generation: d.metadata?.generation ?? 0,
    observedGeneration: s.observedGeneration ?? 0,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    currentReady,
    previousReady: ready.length - currentReady,
    progressingReason: progressing?.reason,
    progressingMessage: progressing?.message,
  };
}
