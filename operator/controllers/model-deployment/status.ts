import type { ModelSelector } from '../../../runtime/pipeline/resolve.ts';
import type { ModelDeploymentResource } from '../../../runtime/pipeline/resources.ts';
import type { Health } from '../../../runtime/pipeline/status.ts';

/** ObservedDeployment is what the status function reads of the apps/v1 Deployment. */
export interface ObservedDeployment {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Ready pods made from the current template (the requested model version). */
  currentReady: number;
  /** Ready pods of an earlier template, still serving during a rollout. */
  previousReady: number;
  /** The Deployment's Progressing condition reason (ProgressDeadlineExceeded when a rollout failed). */
  progressingReason?: string;
  progressingMessage?: string;
}

/**
 * modelDeploymentStatus tells the truth about serving: Ready only when every
 * desired pod runs the current template (the requested model version) and is
 * Ready; a rollout past its deadline is Stalled, saying the old version keeps
 * serving; otherwise Progressing with the counts.
 */
export function modelDeploymentStatus(
  md: ModelDeploymentResource,
  model: ModelSelector,
  desired: number,
  dep: ObservedDeployment | undefined,
  selector: string,
): { health: Health; fields: Record<string, unknown> } {
  const version = model.version !== undefined ? `version ${model.version}` : `alias ${model.alias}`;
  const fields = {
    replicas: desired,
    readyReplicas: dep ? dep.currentReady : 0,
    selector,
    model: { name: model.name, ...(model.version !== undefined ? { version: model.version } : {}) },
    url: `http://${md.name}.${md.namespace}.svc.cluster.local`,
    deploymentName: md.name,
  };
  if (!dep) return { health: { state: 'Progressing', reason: 'DeploymentPending', message: 'creating the Deployment' }, fields };
  if (dep.progressingReason === 'ProgressDeadlineExceeded') {
    return {
      health: {
        state: 'Stalled',
        reason: 'RolloutFailed',
        message: `pods of ${version} did not become Ready within ${md.spec.progressDeadlineSeconds}s; ${dep.previousReady} pod(s) of the previous version keep serving. ${dep.progressingMessage ?? ''}`.trim(),
      },
      fields,
    };
  }
  const current = dep.observedGeneration >= dep.generation && dep.updatedReplicas >= desired && dep.replicas === desired;
  if (current && dep.currentReady >= desired) {
    return { health: { state: 'Ready', reason: 'Serving', message: `${fields.readyReplicas}/${desired} replicas serving ${model.name} ${version}` }, fields };
  }
  return {
    health: { state: 'Progressing', reason: 'RollingOut', message: `${fields.readyReplicas}/${desired} replicas of ${version} Ready (${dep.updatedReplicas} updated, ${dep.previousReady} of the previous version serving)` },
    fields,
  };
}
