import type { Condition } from '../../crds/common.ts';

/** Condition is metav1.Condition as the CRDs define it (crds/common.ts), re-exported for reconcilers. */
export type { Condition };

/** ConditionStatus is a metav1.Condition status. */
export type ConditionStatus = Condition['status'];

/** READY is the kstatus summary condition: True once the resource does what its spec asks. */
export const READY = 'Ready';
/** RECONCILING is True while the operator is working toward the spec (kstatus: in progress). */
export const RECONCILING = 'Reconciling';
/** STALLED is True when the operator cannot make progress without a spec change (kstatus: failed). */
export const STALLED = 'Stalled';

/** ConditionUpdate is a condition as a reconciler computes it; the transition time is filled in by setCondition. */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  observedGeneration?: number;
}

/** formatTime renders a metav1.Time: RFC 3339 in UTC, whole seconds (`2026-11-26T11:22:33Z`). */
export function formatTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** findCondition returns the condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** isConditionTrue is true when the condition of `type` exists with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * setCondition returns a copy of `conditions` with `update` set (replacing the
 * condition of the same type, or appended). lastTransitionTime is kept when
 * the status did not change, so that re-asserting a condition on every pass
 * neither moves the timestamp nor causes a write; otherwise it is `nowMs`.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, nowMs: number): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const existing = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    existing && existing.status === update.status && existing.lastTransitionTime
      ? existing.lastTransitionTime
      : formatTime(nowMs);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    ...(update.message !== undefined ? { message: update.message } : {}),
    lastTransitionTime,
    ...(update.observedGeneration !== undefined ? { observedGeneration: update.observedGeneration } : {}),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** removeCondition returns a copy of `conditions` without the condition of `type`. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * mergeConditions rebuilds a condition list from the `desired` updates of this
 * pass, keeping each lastTransitionTime from `live` where the status is
 * unchanged. Conditions of `live` that are not desired are dropped: status is
 * rebuilt from the world on every pass.
 */
export function mergeConditions(
  live: readonly Condition[] | undefined,
  desired: readonly ConditionUpdate[],
  nowMs: number,
): Condition[] {
  const out: Condition[] = [];
  for (const update of desired) {
    const carried = findCondition(live, update.type);
    out.push(...setCondition(carried ? [carried] : [], update, nowMs));
  }
  return out;
}

/** StatusDetail is the reason, message and generation of a kstatus transition. */
export interface StatusDetail {
  reason: string;
  message?: string;
  observedGeneration?: number;
}

/**
 * markReconciling records work in progress (kstatus "InProgress"):
 * Reconciling=True, Ready=False with the same reason, Stalled removed.
 */
export function markReconciling(conditions: readonly Condition[] | undefined, detail: StatusDetail, nowMs: number): Condition[] {
  let list = removeCondition(conditions, STALLED);
  list = setCondition(list, { type: RECONCILING, status: 'True', ...detail }, nowMs);
  return setCondition(list, { type: READY, status: 'False', ...detail }, nowMs);
}

/**
 * markStalled records a failure that retrying cannot fix (kstatus "Failed",
 * the TerminalError case): Stalled=True, Ready=False, Reconciling removed.
 */
export function markStalled(conditions: readonly Condition[] | undefined, detail: StatusDetail, nowMs: number): Condition[] {
  let list = removeCondition(conditions, RECONCILING);
  list = setCondition(list, { type: STALLED, status: 'True', ...detail }, nowMs);
  return setCondition(list, { type: READY, status: 'False', ...detail }, nowMs);
}

/** markReady records success (kstatus "Current"): Ready=True, Reconciling and Stalled removed. */
export function markReady(conditions: readonly Condition[] | undefined, detail: StatusDetail, nowMs: number): Condition[] {
  const list = removeCondition(removeCondition(conditions, RECONCILING), STALLED);
  return setCondition(list, { type: READY, status: 'True', ...detail }, nowMs);
}
