import { isWaiting, resolveModelSelector } from '../../../runtime/pipeline/resolve.ts';
import type { ModelDeploymentResource } from '../../../runtime/pipeline/resources.ts';
import { splitKey } from '../../kube/object-key.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { applyChild, parseSpec, waitingHealth, writeStatus } from '../shared/kit.ts';
import type { Autoscaler } from './autoscaler.ts';
import { observeDeployment, readyPodIPs, type ServingPod } from './observe.ts';
import { renderModelDeployment, servingLabels, TEMPLATE_HASH_ANNOTATION } from './render.ts';
import { modelDeploymentStatus } from './status.ts';

/** AUTOSCALE_PERIOD_MS is how often an autoscaled ModelDeployment is re-evaluated. */
export const AUTOSCALE_PERIOD_MS = 15_000;

/** Reconcile is a controller's reconcile function. */
type Reconcile = (ctx: ReconcileContext, key: string) => Promise<{ requeueAfterMs?: number } | undefined>;

/**
 * modelDeploymentReconciler returns the reconcile of ModelDeployments: serve the
 * resolved model version with a Deployment and a Service; replicas are fixed
 * (spec.replicas, also set through the scale subresource) or decided by the
 * `autoscaler` within the autoscaling bounds.
 */
export function modelDeploymentReconciler(autoscaler: Autoscaler): Reconcile {
  return async (ctx, key) => {
    const { namespace, name } = splitKey(key);
    const live = ctx.informers.ModelDeployment.get(namespace ?? '', name);
    if (!live) {
      autoscaler.forget(key);
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
    const pods = ctx.informers.Pod.list(md.namespace).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v)) as ServingPod[];
    const auto = md.spec.autoscaling;
    const current = (depLive as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? auto?.minReplicas ?? 1;
    const desired = auto ? await autoscaler.desiredReplicas(key, readyPodIPs(pods), current, auto, ctx.clock.now()) : (md.spec.replicas ?? 1);

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
  };
}
