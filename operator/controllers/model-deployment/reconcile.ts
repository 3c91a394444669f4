import type { KubernetesObject } from '@kubernetes/client-node';
import { isWaiting, resolveModelSelector } from '../../../runtime/pipeline/resolve.ts';
import type { ModelDeploymentResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { applyChild, parseSpec, waitingHealth, writeStatus } from '../shared/kit.ts';
import { scrapeGauges } from '../shared/pod-metrics.ts';
import { type Recommendation, recommendReplicas, stabilize } from './autoscale.ts';
import { renderModelDeployment, SERVE_PORT, servingLabels, TEMPLATE_HASH_ANNOTATION } from './render.ts';
import { modelDeploymentStatus, type ObservedDeployment } from './status.ts';

/** AUTOSCALE_PERIOD_MS is how often an autoscaled ModelDeployment is re-evaluated. */
export const AUTOSCALE_PERIOD_MS = 15_000;
const history = new Map<string, Recommendation[]>();
const INFLIGHT_METRIC = 'fluxora_inflight_requests';

type PodLike = KubernetesObject & { status?: { podIP?: string; conditions?: { type: string; status: string }[] } };
const isReady = (p: PodLike) => !p.metadata?.deletionTimestamp && Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** observeDeployment reads the Deployment's status and counts its Ready pods by template: the current one (`templateHash`) or an earlier one. */
function observeDeployment(dep: KubernetesObject | undefined, pods: PodLike[], templateHash: string): ObservedDeployment | undefined {
  if (!dep) return undefined;
  const ready = pods.filter(isReady);
  const currentReady = ready.filter((p) => p.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] === templateHash).length;
  const d = dep as KubernetesObject & { spec?: { replicas?: number }; status?: Record<string, unknown> };
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

async function inflightOf(ip: string): Promise<number | undefined> {
  return (await scrapeGauges(ip, SERVE_PORT, [INFLIGHT_METRIC]))?.[INFLIGHT_METRIC];
}

/**
 * reconcileModelDeployment serves the resolved model version with a Deployment
 * and a Service; replicas are fixed (spec.replicas, also set through the scale
 * subresource) or decided from the Ready pods' in-flight requests within the
 * autoscaling bounds, with a scale-down stabilisation window.
 */
export async function reconcileModelDeployment(ctx: ReconcileContext, key: string): Promise<{ requeueAfterMs?: number } | undefined> {
  const { namespace, name } = splitKey(key);
  const live = ctx.informers.ModelDeployment.get(namespace ?? '', name);
  if (!live) {
    history.delete(key);
    return undefined;
  }
  const md = await parseSpec<ModelDeploymentResource['spec']>(ctx, live);
  if (!md) return undefined;
  const model = resolveModelSelector(md, ctx.lookup);
  if (isWaiting(model)) {
    await writeStatus(ctx, live, md, waitingHealth(md, model.reason, model.message, ctx.clock.now()), {});
    return undefined;
  }
  const depLive = ctx.informers.Deployment.get(md.namespace, md.name);
  const selector = servingLabels(md);
  const pods = ctx.informers.Pod.list(md.namespace).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v)) as PodLike[];
  const current = (depLive as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? md.spec.autoscaling?.minReplicas ?? 1;
  let desired = md.spec.replicas ?? 1;
  const auto = md.spec.autoscaling;
  if (auto) {
    const ips = pods
      .filter(isReady)
      .map((p) => p.status?.podIP)
      .filter((ip): ip is string => Boolean(ip));
    const inflight = (await Promise.all(ips.map(inflightOf))).filter((v): v is number => v !== undefined);
    const next = stabilize(history.get(key) ?? [], { at: ctx.clock.now(), replicas: recommendReplicas(inflight, current, auto) }, auto.stabilizationWindowSeconds);
    history.set(key, next.history);
    desired = next.replicas;
  }
  const [deployment, service] = renderModelDeployment(md, model, desired, ctx.options);
  await applyChild(ctx, deployment, depLive);
  await applyChild(ctx, service, ctx.informers.Service.get(md.namespace, md.name));
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const templateHash = String((deployment as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations[TEMPLATE_HASH_ANNOTATION]);
  const observed = observeDeployment(ctx.informers.Deployment.get(md.namespace, md.name), pods, templateHash);
  const { health, fields } = modelDeploymentStatus(md, model, desired, observed, labelSelector);
  await writeStatus(ctx, live, md, health, fields);
  return auto ? { requeueAfterMs: AUTOSCALE_PERIOD_MS } : undefined;
}
