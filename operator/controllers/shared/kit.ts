import type { KubernetesObject } from '@kubernetes/client-node';
import type { Resource } from '../../../runtime/pipeline/resources.ts';
import { conditionsFor, type Health } from '../../../runtime/pipeline/status.ts';
import type { KubeObject } from './children.ts';
import { type CustomObject, type ReconcileContext, toResource } from './context.ts';
import type { ObservedJob } from './observed.ts';
import { recordStatus } from './status-metrics.ts';

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** observeJob reads a batch/v1 Job and its pods (from the caches) into what status functions need. */
export function observeJob(ctx: ReconcileContext, job: KubernetesObject | undefined): ObservedJob | undefined {
  if (!job) return undefined;
  const j = job as Obj;
  const status = (j.status ?? {}) as {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    active?: number;
    succeeded?: number;
    startTime?: string | Date;
    completionTime?: string | Date;
  };
  const cond = (type: string) => status.conditions?.find((c) => c.type === type && c.status === 'True');
  const failed = cond('Failed');
  const name = j.metadata?.name ?? '';
  const pods = ctx.informers.Pod.list(j.metadata?.namespace).filter(
    (p) => p.metadata?.labels?.['batch.kubernetes.io/job-name'] === name || p.metadata?.labels?.['job-name'] === name,
  ) as Obj[];
  const terminated = pods
    .flatMap((p) => {
      const cs = (p.status as { containerStatuses?: { state?: { terminated?: Record<string, unknown> } }[] } | undefined)?.containerStatuses ?? [];
      const t = cs[0]?.state?.terminated;
      return t
        ? [{ pod: p.metadata?.name ?? '', exitCode: Number(t.exitCode), reason: t.reason as string | undefined, message: t.message as string | undefined, finishedAt: String(t.finishedAt ?? '') }]
        : [];
    })
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const running = pods.flatMap((p) => {
    const st = p.status as { phase?: string; podIP?: string } | undefined;
    if (st?.phase !== 'Running' || !st.podIP) return [];
    const index = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
    return [{ pod: p.metadata?.name ?? '', ip: st.podIP, index: index === undefined ? undefined : Number(index) }];
  });
  const iso = (v: string | Date | undefined) => (v === undefined ? undefined : new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return {
    name,
    complete: Boolean(cond('Complete')),
    failed: Boolean(failed),
    failureReason: failed?.reason,
    failureMessage: failed?.message,
    active: status.active ?? 0,
    succeeded: status.succeeded ?? 0,
    // Until the Job controller sets startTime (its first sync, within a second of
    // creation), the Job's creation time stands in: the status written right after
    // creating the Job is then final, not rewritten when startTime arrives.
    startTime: iso(status.startTime ?? (j.metadata?.creationTimestamp as string | Date | undefined)),
    completionTime: iso(status.completionTime),
    running,
    terminated,
  };
}

/**
 * writeStatus rebuilds the status from the world (fields + health) and writes it
 * through the status subresource, only when it differs from the live status.
 */
export async function writeStatus(ctx: ReconcileContext, live: CustomObject, r: Resource<unknown>, health: Health, fields: Record<string, unknown>): Promise<void> {
  const conditions = conditionsFor(health, r.generation, r.status?.conditions, new Date(ctx.clock.now()));
  const status = { ...fields, observedGeneration: r.generation, conditions };
  await ctx.applier.applyStatus(
    { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: r.name, namespace: r.namespace }, status } as CustomObject & { status: Record<string, unknown> },
    { live: live as CustomObject & { status?: Record<string, unknown> } },
  );
  if (ctx.metrics) recordStatus(ctx.metrics, r.kind, r.namespace, r.name, status);
  const before = r.status?.conditions?.find((c) => c.type === 'Ready');
  const after = conditions.find((c) => c.type === 'Ready');
  if (before?.status !== after?.status || before?.reason !== after?.reason) {
    // Not awaited, as client-go records events: the reconcile goes on while the
    // event waits for its (low-priority) token; the recorder logs a failure.
    void ctx.events.record(live, health.state === 'Stalled' ? 'Warning' : 'Normal', health.reason, health.message.slice(0, 1000));
  }
}

/** INVALID_SPEC is the reason of a resource whose spec its kind's schema rejects. */
export const INVALID_SPEC = 'InvalidSpec';

/**
 * parseSpec parses a live object's spec with its kind's schema. A spec the
 * schema rejects got past admission (an older CRD, or one installed without its
 * schema); it is reported, never skipped: Ready=False and Stalled=True with
 * reason InvalidSpec and the field paths in the message, a Warning event and one
 * log line when that verdict is new (not on every pass), the other status fields
 * kept. It returns undefined then, and the caller returns without a requeue:
 * only a change of the object (its watch event) reconciles it again.
 */
export async function parseSpec<S>(ctx: ReconcileContext, live: CustomObject): Promise<Resource<S> | undefined> {
  const parsed = toResource<S>(live);
  if ('resource' in parsed) return parsed.resource;
  const r: Resource<unknown> = {
    kind: live.kind ?? '',
    name: live.metadata?.name ?? '',
    namespace: live.metadata?.namespace ?? 'default',
    generation: live.metadata?.generation,
    uid: live.metadata?.uid,
    spec: live.spec,
    status: live.status as Resource<unknown>['status'],
  };
  const message = `the spec does not match the schema: ${parsed.problems}`;
  const stalled = r.status?.conditions?.find((c) => c.type === 'Stalled');
  const known = stalled?.status === 'True' && stalled.reason === INVALID_SPEC && stalled.message === message && live.status?.observedGeneration === r.generation;
  if (!known) ctx.logger.warn({ kind: r.kind, namespace: r.namespace, name: r.name, generation: r.generation, problems: parsed.problems }, 'Spec rejected by the schema');
  const { conditions: _conditions, observedGeneration: _observed, ...fields } = live.status ?? {};
  await writeStatus(ctx, live, r, { state: 'Stalled', reason: INVALID_SPEC, message }, fields);
  return undefined;
}

/** applyChild server-side-applies a child, comparing with the cached object first (no request when in sync). */
export async function applyChild(ctx: ReconcileContext, child: KubeObject, live: KubernetesObject | undefined): Promise<void> {
  await ctx.applier.apply(child as KubernetesObject, { live: (live as KubernetesObject | undefined) ?? null });
}

/**
 * createJobIfAbsent creates a batch Job once: a Job's template is immutable, and
 * its name already encodes what it runs (spec hash or generation), so an existing
 * Job is never updated. Returns the Job (the cached one, or the API server's
 * answer), so the caller's status can already report it instead of a status
 * write that the Job's watch event would supersede at once.
 */
export async function createJobIfAbsent(ctx: ReconcileContext, job: KubeObject): Promise<KubernetesObject> {
  const cached = ctx.informers.Job.get(job.metadata.namespace ?? '', job.metadata.name);
  if (cached) return cached;
  return (await ctx.applier.apply(job as KubernetesObject, { live: null })).object;
}

/** waitingHealth turns an unresolved reference into Progressing, or Stalled once it has waited past the deadline. */
export function waitingHealth(r: Resource<unknown>, reason: string, message: string, nowMs: number, deadlineMs = 15 * 60_000): Health {
  const reconciling = r.status?.conditions?.find((c) => c.type === 'Reconciling' && c.status === 'True' && c.reason === reason);
  const since = reconciling?.lastTransitionTime ? Date.parse(reconciling.lastTransitionTime) : nowMs;
  const stalledBefore = r.status?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === reason);
  if (stalledBefore || nowMs - since > deadlineMs) return { state: 'Stalled', reason, message: `${message} (waited over ${deadlineMs / 60_000} minutes)` };
  return { state: 'Progressing', reason, message };
}
