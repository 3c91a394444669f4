/** Recommendation is one autoscaling recommendation at a time. */
export interface Recommendation {
  at: number;
  replicas: number;
}

/** AutoscalePolicy is a ModelDeployment's autoscaling spec. */
export interface AutoscalePolicy {
  minReplicas: number;
  maxReplicas: number;
  targetConcurrency: number;
  stabilizationWindowSeconds: number;
}

/**
 * recommendReplicas is the replica count that brings in-flight requests per pod
 * to the target: ceil(total in-flight / target), within the bounds, as the
 * Kubernetes HPA computes it for an average-value target. With no measurement
 * (no Ready pods) it keeps the current count.
 */
export function recommendReplicas(inflight: number[], current: number, policy: AutoscalePolicy): number {
  if (inflight.length === 0) return Math.min(policy.maxReplicas, Math.max(policy.minReplicas, current));
  const total = inflight.reduce((a, b) => a + b, 0);
  const ratio = total / (inflight.length * policy.targetConcurrency);
  // A 10% tolerance around the target avoids flapping on noise, as the HPA does.
  const wanted = Math.abs(ratio - 1) <= 0.1 ? inflight.length : Math.ceil(total / policy.targetConcurrency);
  return Math.min(policy.maxReplicas, Math.max(policy.minReplicas, wanted));
}

/**
 * stabilize applies the scale-down stabilisation window: scaling up follows the
 * newest recommendation at once; scaling down goes only to the highest
 * recommendation seen within the window, so a brief dip does not remove pods.
 * Returns the decision and the history to keep (pure; the caller owns the clock).
 */
export function stabilize(history: Recommendation[], next: Recommendation, windowSeconds: number): { replicas: number; history: Recommendation[] } {
  const kept = [...history.filter((r) => next.at - r.at <= windowSeconds * 1000), next];
  return { replicas: Math.max(...kept.map((r) => r.replicas)), history: kept };
}
