/**
 * The render functions as they were before cdk8s (main at 917e0bd): plain
 * object literals, no constructs. Kept only as bench/render.ts's same-process
 * baseline; the operator does not import this file.
 */
import { API_VERSION } from '../crds/common.ts';
import { PROFILE_DEADLINE_SECONDS, profileJobName } from '../operator/controllers/dataset/render.ts';
import { MATERIALIZE_DEADLINE_SECONDS, materializeJobName } from '../operator/controllers/feature-set/render.ts';
import { driftCronJobName, retrainName } from '../operator/controllers/drift-monitor/render.ts';
import { SERVE_PORT, MODEL_VERSION_ANNOTATION, servingLabels } from '../operator/controllers/model-deployment/render.ts';
import { childLabels, childName, datasetSources, identity, type KubeObject, ownerReference, workloadPod } from '../operator/controllers/shared/children.ts';
import type { OperatorOptions } from '../operator/controllers/shared/options.ts';
import { trainJobName, trialsJobName } from '../operator/controllers/training-job/render.ts';
import type { ModelSelector } from '../runtime/pipeline/resolve.ts';
import type { DatasetResource, DriftMonitorResource, FeatureSetResource, ModelDeploymentResource, TrainingJobResource } from '../runtime/pipeline/resources.ts';
import type { DriftConfig, MaterializeConfig, ProfileConfig, ServeConfig, TrainConfig } from '../runtime/roles/config.ts';

function datasetJobSpec(ds: DatasetResource, opts: OperatorOptions) {
  const config: ProfileConfig = { role: 'profile', dataset: identity(ds), dataDir: opts.dataDir };
  const src = datasetSources(ds.spec);
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: PROFILE_DEADLINE_SECONDS,
    template: workloadPod(opts, config, ['profile'], {
      labels: childLabels(ds, 'profile'),
      env: src.env,
      volumes: src.volumes,
      mounts: src.mounts,
      resources: ds.spec.resources,
      restartPolicy: 'Never',
    }),
  };
}

/**
 * renderDataset returns the Dataset's children: a profiling Job named after the
 * spec's hash (a changed spec profiles again), and a CronJob re-profiling on the
 * refresh schedule when one is set. Pure: no I/O, no clock.
 */
export function baselineRenderDataset(ds: DatasetResource, opts: OperatorOptions): KubeObject[] {
  const meta = (name: string, component: string) => ({
    name,
    namespace: ds.namespace,
    labels: childLabels(ds, component),
    ownerReferences: [ownerReference(ds)],
  });
  const children: KubeObject[] = [{ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(profileJobName(ds), 'profile'), spec: datasetJobSpec(ds, opts) }];
  if (ds.spec.refresh) {
    children.push({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(childName(ds.name, 'refresh'), 'profile'),
      spec: {
        schedule: ds.spec.refresh.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels: childLabels(ds, 'profile') }, spec: datasetJobSpec(ds, opts) },
      },
    });
  }
  return children;
}

export function baselineRenderTrainingJob(
  tj: TrainingJobResource,
  inputs: { featureSet: FeatureSetResource; dataset: DatasetResource },
  opts: OperatorOptions,
  trialsDone: boolean,
): KubeObject[] {
  const config: TrainConfig = {
    role: 'train',
    trainingJob: identity(tj),
    featureSet: identity(inputs.featureSet),
    dataset: identity(inputs.dataset),
    dataDir: opts.dataDir,
  };
  const src = datasetSources(inputs.dataset.spec);
  const pod = (component: string, args: string[]) =>
    workloadPod(opts, config, args, {
      labels: childLabels(tj, component),
      env: src.env,
      volumes: src.volumes,
      mounts: src.mounts,
      resources: tj.spec.resources,
      restartPolicy: 'Never',
    });
  const job = (name: string, component: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: tj.namespace, labels: childLabels(tj, component), ownerReferences: [ownerReference(tj)] },
    spec: { backoffLimit: tj.spec.backoffLimit, activeDeadlineSeconds: tj.spec.activeDeadlineSeconds, ...spec },
  });
  const children: KubeObject[] = [];
  const tuning = tj.spec.tuning;
  if (tuning) {
    children.push(
      job(trialsJobName(tj), 'tuning', {
        completionMode: 'Indexed',
        completions: tuning.trials,
        parallelism: tuning.parallelism,
        backoffLimitPerIndex: tj.spec.backoffLimit,
        maxFailedIndexes: Math.max(0, tuning.trials - 1),
        backoffLimit: undefined,
        template: pod('tuning', ['train', '--trial', '$(JOB_COMPLETION_INDEX)']),
      }),
    );
  }
  if (!tuning || trialsDone) children.push(job(trainJobName(tj), 'train', { template: pod('train', ['train']) }));
  for (const c of children) {
    const spec = c.spec as Record<string, unknown>;
    if (spec.backoffLimit === undefined) delete spec.backoffLimit;
  }
  return children;
}

export function baselineRenderModelDeployment(md: ModelDeploymentResource, model: ModelSelector, replicas: number, opts: OperatorOptions): KubeObject[] {
  const config: ServeConfig = { role: 'serve', deployment: identity(md), model };
  const labels = { ...childLabels(md, 'inference'), ...servingLabels(md) };
  const auth = md.spec.auth?.apiKeySecretRef;
  const meta = { name: md.name, namespace: md.namespace, labels, ownerReferences: [ownerReference(md)] };
  const probe = (path: string, period: number) => ({ httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
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
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas,
        selector: { matchLabels: servingLabels(md) },
        progressDeadlineSeconds: md.spec.progressDeadlineSeconds,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { ...template, spec: { ...template.spec, terminationGracePeriodSeconds: 35 } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: { selector: servingLabels(md), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
  ];
}

export function baselineRenderDriftMonitor(dm: DriftMonitorResource, deployment: ModelDeploymentResource, model: ModelSelector, opts: OperatorOptions): KubeObject[] {
  const config: DriftConfig = { role: 'drift', monitor: identity(dm), deployment: identity(deployment), model };
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: driftCronJobName(dm), namespace: dm.namespace, labels: childLabels(dm, 'drift'), ownerReferences: [ownerReference(dm)] },
      spec: {
        schedule: dm.spec.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: childLabels(dm, 'drift') },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 1800,
            template: workloadPod(opts, config, ['drift'], { labels: childLabels(dm, 'drift'), resources: dm.spec.resources, restartPolicy: 'Never' }),
          },
        },
      },
    },
  ];
}

/**
 * renderRetrain returns the TrainingJob a drift starts: the spec of the
 * TrainingJob that registered the served model, owned by the monitor, under a
 * deterministic name so a repeated reconcile cannot start it twice.
 */
export function baselineRenderRetrain(dm: DriftMonitorResource, source: TrainingJobResource, version: number): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'TrainingJob',
    metadata: {
      name: retrainName(dm, version),
      namespace: dm.namespace,
      labels: { ...childLabels(dm, 'retrain'), 'fluxora.io/retrain-of': source.name },
      ownerReferences: [ownerReference(dm)],
    },
    spec: source.spec,
  };
}

export function baselineRenderMaterializeJob(fs: FeatureSetResource, dataset: DatasetResource, version: string, opts: OperatorOptions): KubeObject {
  const config: MaterializeConfig = { role: 'materialize', featureSet: identity(fs), dataset: identity(dataset), dataDir: opts.dataDir };
  const src = datasetSources(dataset.spec);
  const labels = childLabels(fs, 'materialize');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: materializeJobName(fs, version), namespace: fs.namespace, labels, ownerReferences: [ownerReference(fs)] },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: MATERIALIZE_DEADLINE_SECONDS,
      template: workloadPod(opts, config, ['materialize'], {
        labels,
        env: src.env,
        volumes: src.volumes,
        mounts: src.mounts,
        resources: fs.spec.materialize?.resources,
        restartPolicy: 'Never',
      }),
    },
  };
}
