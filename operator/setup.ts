import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { Applier } from './kube/apply.ts';
import { type ClientLimits, configureClient, DEFAULT_CLIENT_LIMITS } from './kube/client.ts';
import { type Clock, systemClock } from './kube/clock.ts';
import { Controller } from './kube/controller.ts';
import { EventRecorder, kubeEventSink } from './kube/events.ts';
import { kubeLeaseStore } from './kube/lease-store.ts';
import type { KubeLogger } from './kube/logger.ts';
import { Manager } from './kube/manager.ts';
import { mapByIndex, mapToOwner } from './kube/map-functions.ts';
import { keyOf } from './kube/object-key.ts';
import { JsonObjectApi } from './kube/object-api.ts';
import { reconcileDataset } from './controllers/dataset/reconcile.ts';
import { reconcileDriftMonitor } from './controllers/drift-monitor/reconcile.ts';
import { reconcileFeatureSet } from './controllers/feature-set/reconcile.ts';
import { Autoscaler } from './controllers/model-deployment/autoscaler.ts';
import { modelDeploymentReconciler } from './controllers/model-deployment/reconcile.ts';
import { type CustomObject, createInformers, type Informers, informerLookup, type ReconcileContext } from './controllers/shared/context.ts';
import type { OperatorOptions } from './controllers/shared/options.ts';
import { statusMetrics } from './controllers/shared/status-metrics.ts';
import { reconcileTrainingJob } from './controllers/training-job/reconcile.ts';

/** OperatorSetup configures the operator process. */
export interface OperatorSetup {
  kubeConfig: KubeConfig;
  options: OperatorOptions;
  /** Namespace to watch; all when undefined. */
  namespace?: string;
  /** Leader election: the Lease's namespace and name; none when undefined (one replica, tests). */
  leaderElection?: { namespace: string; name: string; identity?: string };
  workers: number;
  healthPort: number | false;
  /** Address of the health server; default 0.0.0.0. */
  healthHost?: string;
  logger: KubeLogger;
  clock?: Clock;
  handleSignals?: boolean;
  /** Period of full resyncs of the caches (every object reconciled again); default 10 minutes. */
  resyncMs?: number;
  /** Client-side request rate limit of every API request (client-go's QPS/Burst); default 20/30 as controller-runtime. */
  clientLimits?: ClientLimits;
}

const spec = (o: KubernetesObject) => ((o as CustomObject).spec ?? {}) as Record<string, { name?: string } | undefined>;
const refIndex = (field: string) => (o: CustomObject) => {
  const name = spec(o)[field]?.name;
  return name ? [keyOf(o.metadata?.namespace, name)] : [];
};

/**
 * buildOperator wires the five controllers into a Manager: informers on the
 * kinds and their children, owner watches for children, and reference indexes so
 * a change in a referenced resource's status re-queues what references it
 * (a chain Dataset → FeatureSet → TrainingJob → ModelDeployment → DriftMonitor
 * converges without polling).
 */
export function buildOperator(setup: OperatorSetup): Manager {
  return buildOperatorParts(setup).manager;
}

/** buildOperatorParts is buildOperator also returning the informer caches (the web console reads them). */
export function buildOperatorParts(setup: OperatorSetup): { manager: Manager; informers: Informers } {
  const registry = new Registry();
  const clock = setup.clock ?? systemClock;
  configureClient(setup.kubeConfig, setup.clientLimits ?? DEFAULT_CLIENT_LIMITS, clock);
  const informers = createInformers(setup.kubeConfig, { namespace: setup.namespace, registry, clock, logger: setup.logger, resyncMs: setup.resyncMs });
  const ctx: ReconcileContext = {
    informers,
    lookup: informerLookup(informers),
    applier: new Applier(JsonObjectApi.fromKubeConfig(setup.kubeConfig), { clock, logger: setup.logger }),
    events: new EventRecorder({ sink: kubeEventSink(setup.kubeConfig), clock, logger: setup.logger }),
    options: setup.options,
    clock,
    logger: setup.logger,
    metrics: statusMetrics(registry),
  };
  informers.FeatureSet.addIndex('datasetRef', refIndex('datasetRef'));
  informers.TrainingJob.addIndex('featureSetRef', refIndex('featureSetRef'));
  informers.ModelDeployment.addIndex('trainingJobRef', (o) => {
    const model = spec(o).model as { name?: string; trainingJobRef?: { name: string } } | undefined;
    return model?.trainingJobRef ? [keyOf(o.metadata?.namespace, model.trainingJobRef.name)] : [];
  });
  informers.ModelDeployment.addIndex('modelName', (o) => {
    const model = spec(o).model as { name?: string } | undefined;
    return model?.name ? [keyOf(o.metadata?.namespace, model.name)] : [];
  });
  informers.DriftMonitor.addIndex('modelDeploymentRef', refIndex('modelDeploymentRef'));

  const manager = new Manager({
    leaderElection: setup.leaderElection
      ? { store: kubeLeaseStore(setup.kubeConfig, setup.leaderElection.namespace, setup.leaderElection.name), identity: setup.leaderElection.identity }
      : false,
    healthPort: setup.healthPort,
    healthHost: setup.healthHost,
    handleSignals: setup.handleSignals,
    registry,
    clock,
    logger: setup.logger,
  });
  const controller = (kind: string, reconcile: (ctx: ReconcileContext, key: string) => Promise<unknown>) =>
    new Controller({
      name: kind.toLowerCase(),
      kind,
      reconcile: async (key) => (await reconcile(ctx, key)) as undefined,
      maxConcurrentReconciles: setup.workers,
      clock,
      registry,
      logger: setup.logger,
    });
  const owned = (kind: string) => mapToOwner({ kind, group: 'fluxora.io' });

  const dataset = controller('Dataset', reconcileDataset);
  dataset.watch(informers.Dataset);
  dataset.watch(informers.Job, owned('Dataset'));
  dataset.watch(informers.CronJob, owned('Dataset'));

  const featureSet = controller('FeatureSet', reconcileFeatureSet);
  featureSet.watch(informers.FeatureSet);
  featureSet.watch(informers.Dataset, mapByIndex(informers.FeatureSet, 'datasetRef'));
  featureSet.watch(informers.Job, owned('FeatureSet'));

  const trainingJob = controller('TrainingJob', reconcileTrainingJob);
  trainingJob.watch(informers.TrainingJob);
  trainingJob.watch(informers.Job, owned('TrainingJob'));
  trainingJob.watch(informers.FeatureSet, mapByIndex(informers.TrainingJob, 'featureSetRef'));

  const modelDeployment = controller('ModelDeployment', modelDeploymentReconciler(new Autoscaler()));
  modelDeployment.watch(informers.ModelDeployment);
  modelDeployment.watch(informers.Deployment, owned('ModelDeployment'));
  modelDeployment.watch(informers.Pod, (p) => {
    const instance = p.metadata?.labels?.['app.kubernetes.io/instance'];
    return p.metadata?.labels?.['app.kubernetes.io/component'] === 'inference' && instance ? [keyOf(p.metadata?.namespace, instance)] : [];
  });
  modelDeployment.watch(informers.TrainingJob, (tj) => {
    const registry = (spec(tj).registry as { model?: string } | undefined)?.model;
    const byRef = informers.ModelDeployment.byIndex('trainingJobRef', keyOf(tj.metadata?.namespace, tj.metadata?.name ?? ''));
    const byName = registry ? informers.ModelDeployment.byIndex('modelName', keyOf(tj.metadata?.namespace, registry)) : [];
    return [...byRef, ...byName].map((o) => keyOf(o.metadata?.namespace, o.metadata?.name ?? ''));
  });

  const driftMonitor = controller('DriftMonitor', reconcileDriftMonitor);
  driftMonitor.watch(informers.DriftMonitor);
  driftMonitor.watch(informers.CronJob, owned('DriftMonitor'));
  driftMonitor.watch(informers.Job, (j) => {
    const dm = j.metadata?.labels?.['fluxora.io/driftmonitor'];
    return dm ? [keyOf(j.metadata?.namespace, dm)] : [];
  });
  driftMonitor.watch(informers.ModelDeployment, mapByIndex(informers.DriftMonitor, 'modelDeploymentRef'));
  driftMonitor.watch(informers.TrainingJob, owned('DriftMonitor'));

  for (const c of [dataset, featureSet, trainingJob, modelDeployment, driftMonitor]) manager.addController(c);
  return { manager, informers };
}
