import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { API_VERSION } from '../../../crds/common.ts';
import { kindByName } from '../../../crds/index.ts';
import type { Lookup, Resource } from '../../../runtime/pipeline/resources.ts';
import { type Applier, FIELD_MANAGER } from '../../kube/apply.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { kubeInformer, type ResilientInformer } from '../../kube/informer.ts';
import type { KubeLogger } from '../../kube/logger.ts';
import { type Trimmer, trimmer } from '../../kube/transform.ts';
import type { OperatorOptions } from './options.ts';
import type { StatusMetrics } from './status-metrics.ts';
import { MANAGED_BY } from './options.ts';

/** CustomObject is a Fluxora object as the API server returns it. */
export type CustomObject = KubernetesObject & { spec?: unknown; status?: Record<string, unknown> };

/** Informers are the operator's caches: the five kinds and the children it owns. */
export interface Informers {
  Dataset: ResilientInformer<CustomObject>;
  FeatureSet: ResilientInformer<CustomObject>;
  TrainingJob: ResilientInformer<CustomObject>;
  ModelDeployment: ResilientInformer<CustomObject>;
  DriftMonitor: ResilientInformer<CustomObject>;
  Job: ResilientInformer<KubernetesObject>;
  CronJob: ResilientInformer<KubernetesObject>;
  Deployment: ResilientInformer<KubernetesObject>;
  Service: ResilientInformer<KubernetesObject>;
  Pod: ResilientInformer<KubernetesObject>;
}

/** FluxoraKind is one of the five kinds. */
export type FluxoraKind = 'Dataset' | 'FeatureSet' | 'TrainingJob' | 'ModelDeployment' | 'DriftMonitor';

/**
 * CACHE_TRANSFORMS trim each cached kind to what the controllers read (see
 * trimObject); every kind loses the managedFields of other managers and the
 * last-applied annotation. Applied objects (the five kinds, Deployments,
 * Services, CronJobs) keep the operator's own managedFields entries and their
 * spec: applyReason compares them with the desired object. Jobs are only
 * created and observed (observeJob: labels, owners, status), so their spec
 * (the pod template) goes; Pods keep labels, owners and the status fields
 * observeJob and the autoscaler read.
 */
export const CACHE_TRANSFORMS = {
  applied: trimmer({ keepManager: FIELD_MANAGER }),
  Job: trimmer({ drop: ['spec'] }),
  Pod: trimmer({ drop: ['spec'], keepStatus: ['phase', 'conditions', 'podIP', 'containerStatuses'] }),
} as const;

/** createInformers builds the resilient informers; children are selected by the managed-by label so the caches hold only what the operator owns. */
export function createInformers(kubeConfig: KubeConfig, opts: { namespace?: string; registry: Registry; clock?: Clock; logger: KubeLogger; resyncMs?: number }): Informers {
  const managed = `app.kubernetes.io/managed-by=${MANAGED_BY['app.kubernetes.io/managed-by']}`;
  const make = <T extends KubernetesObject>(apiVersion: string, plural: string, labelSelector?: string, transform: Trimmer = CACHE_TRANSFORMS.applied) =>
    kubeInformer<T>({ kubeConfig, apiVersion, plural, namespace: opts.namespace, labelSelector, registry: opts.registry, clock: opts.clock, logger: opts.logger, resyncMs: opts.resyncMs, transform });
  return {
    Dataset: make<CustomObject>(API_VERSION, 'datasets'),
    FeatureSet: make<CustomObject>(API_VERSION, 'featuresets'),
    TrainingJob: make<CustomObject>(API_VERSION, 'trainingjobs'),
    ModelDeployment: make<CustomObject>(API_VERSION, 'modeldeployments'),
    DriftMonitor: make<CustomObject>(API_VERSION, 'driftmonitors'),
    Job: make('batch/v1', 'jobs', managed, CACHE_TRANSFORMS.Job),
    CronJob: make('batch/v1', 'cronjobs', managed),
    Deployment: make('apps/v1', 'deployments', managed),
    Service: make('v1', 'services', managed),
    Pod: make('v1', 'pods', managed, CACHE_TRANSFORMS.Pod),
  };
}

/**
 * toResource turns a cached custom object into a Resource with its spec parsed by
 * the kind's zod schema (defaults applied). A spec the schema rejects (admission
 * let it through an older CRD) returns the problems instead.
 */
export function toResource<S>(obj: CustomObject): { resource: Resource<S> } | { problems: string } {
  const def = kindByName(obj.kind ?? '');
  if (!def) return { problems: `unknown kind ${obj.kind}` };
  const parsed = def.spec.safeParse(obj.spec ?? {});
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
  return {
    resource: {
      kind: obj.kind as string,
      name: obj.metadata?.name ?? '',
      namespace: obj.metadata?.namespace ?? 'default',
      generation: obj.metadata?.generation,
      uid: obj.metadata?.uid,
      spec: parsed.data as S,
      status: obj.status as Resource<S>['status'],
    },
  };
}

/** informerLookup resolves references against the informer caches: the same Lookup `fluxora run` implements over its manifests. */
export function informerLookup(informers: Informers): Lookup {
  const one = (kind: FluxoraKind, namespace: string, name: string) => {
    const obj = informers[kind].get(namespace, name);
    if (!obj) return undefined;
    const r = toResource(obj);
    return 'resource' in r ? r.resource : undefined;
  };
  const list = (kind: FluxoraKind, namespace: string) =>
    informers[kind]
      .list(namespace)
      .map((o) => toResource(o))
      .flatMap((r) => ('resource' in r ? [r.resource] : []));
  return { get: one, list } as unknown as Lookup;
}

/** ReconcileContext is what every reconciler gets: caches, the writer, events, settings and the clock. */
export interface ReconcileContext {
  informers: Informers;
  lookup: Lookup;
  applier: Applier;
  events: EventRecorder;
  options: OperatorOptions;
  clock: Clock;
  logger: KubeLogger;
  metrics?: StatusMetrics;
}
