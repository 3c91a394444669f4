import type { V1Probe } from '@kubernetes/client-node';
import type { ModelSelector } from '../../../runtime/pipeline/resolve.ts';
import type { ModelDeploymentResource } from '../../../runtime/pipeline/resources.ts';
import type { ServeConfig } from '../../../runtime/contract/config.ts';
import { childLabels, identity, type KubeObject, ownerReference, specHash, workloadPod } from '../shared/children.ts';
import { KubeDeployment, KubeService } from '../../manifests/k8s.ts';
import { synth } from '../../manifests/synth.ts';
import type { OperatorOptions } from '../shared/options.ts';

/** SERVE_PORT is the inference server's container port. */
export const SERVE_PORT = 8080;
/** MODEL_VERSION_ANNOTATION records on the pod template which model version its pods serve. */
export const MODEL_VERSION_ANNOTATION = 'fluxora.io/model-version';
/**
 * TEMPLATE_HASH_ANNOTATION marks each pod with a hash of the template it was
 * made from, so status counts the Ready pods of the current template (the
 * requested version) apart from the previous ones still serving.
 */
export const TEMPLATE_HASH_ANNOTATION = 'fluxora.io/template-hash';

/** servingLabels select the pods of a ModelDeployment (the Service and the scale subresource use them). */
export function servingLabels(md: ModelDeploymentResource): Record<string, string> {
  return { 'app.kubernetes.io/name': 'fluxora', 'app.kubernetes.io/instance': md.name, 'app.kubernetes.io/component': 'inference' };
}

/**
 * renderModelDeployment returns the Deployment and Service serving a model. The
 * resolved model version is in the pod template (config and annotation), so a new
 * version rolls out as a rolling update that keeps old pods until new ones are
 * Ready (maxUnavailable 0). `replicas` is the fixed count or the autoscaler's
 * decision. Pure.
 */
export function renderModelDeployment(md: ModelDeploymentResource, model: ModelSelector, replicas: number, opts: OperatorOptions): KubeObject[] {
  const config: ServeConfig = { role: 'serve', deployment: identity(md), model };
  const labels = { ...childLabels(md, 'inference'), ...servingLabels(md) };
  const auth = md.spec.auth?.apiKeySecretRef;
  const meta = { name: md.name, namespace: md.namespace, labels, ownerReferences: [ownerReference(md)] };
  const probe = (path: string, period: number): V1Probe => ({ httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  const template = workloadPod(opts, config, ['serve', '--port', String(SERVE_PORT)], {
    labels,
    annotations: { [MODEL_VERSION_ANNOTATION]: model.version !== undefined ? String(model.version) : `alias:${model.alias}` },
    env: auth ? [{ name: 'FLUXORA_API_KEY_FILE', value: `/etc/fluxora/auth/${auth.key}` }] : [],
    volumes: auth ? [{ name: 'api-key', secret: { secretName: auth.name, items: [{ key: auth.key, path: auth.key }] } }] : [],
    mounts: auth ? [{ name: 'api-key', mountPath: '/etc/fluxora/auth', readOnly: true }] : [],
    resources: md.spec.resources,
    container: {
      ports: [{ name: 'http', containerPort: SERVE_PORT, protocol: 'TCP' }],
      readinessProbe: probe('/v2/health/ready', 5),
      livenessProbe: probe('/v2/health/live', 10),
      lifecycle: { preStop: { sleep: { seconds: 5 } } },
    },
  });
  const podTemplate = { ...template, spec: { ...template.spec, containers: template.spec?.containers ?? [], terminationGracePeriodSeconds: 35 } };
  const hash = specHash(podTemplate);
  podTemplate.metadata = { ...podTemplate.metadata, annotations: { ...podTemplate.metadata?.annotations, [TEMPLATE_HASH_ANNOTATION]: hash } };
  return synth((chart) => {
    new KubeDeployment(chart, 'deployment', {
      metadata: meta,
      spec: {
        replicas,
        selector: { matchLabels: servingLabels(md) },
        progressDeadlineSeconds: md.spec.progressDeadlineSeconds,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: podTemplate,
      },
    });
    new KubeService(chart, 'service', {
      metadata: meta,
      spec: { selector: servingLabels(md), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
  });
}
