import { Counter, Gauge, Histogram, type Registry, register } from 'prom-client';

/**
 * Metric definitions of the controller core, with controller-runtime's names
 * and labels so its dashboards and alerts work unchanged. Each set is created
 * once per prom-client Registry (the default registry unless one is injected)
 * and shared by every queue, controller and informer that reports to it.
 */

/** RECONCILE_TIME_BUCKETS are controller-runtime's buckets for controller_runtime_reconcile_time_seconds. */
export const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0,
  2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** QUEUE_DURATION_BUCKETS are client-go's: 10 ns to 1000 s, one bucket per decade. */
export const QUEUE_DURATION_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** QueueGaugeSource is what a work queue exposes for the gauges computed at scrape time. */
export interface QueueGaugeSource {
  readonly name: string;
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

/** WorkQueueMetrics are client-go's workqueue metrics, labelled `name` (the controller). */
export interface WorkQueueMetrics {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  unfinished: Gauge<'name'>;
  longest: Gauge<'name'>;
  /** track registers a queue for the scrape-time gauges; untrack removes it. */
  track(queue: QueueGaugeSource): void;
  untrack(queue: QueueGaugeSource): void;
}

/** ControllerMetrics are controller-runtime's controller_runtime_* metrics. */
export interface ControllerMetrics {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  activeWorkers: Gauge<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
}

/** InformerMetrics let an alert fire when an informer keeps failing or goes deaf. */
export interface InformerMetrics {
  restarts: Counter<'resource'>;
  lastSync: Gauge<'resource'>;
}

/** LeaderElectionMetrics is client-go's leader_election_master_status gauge (1 while leading). */
export interface LeaderElectionMetrics {
  masterStatus: Gauge<'name'>;
}

const workQueueSets = new WeakMap<Registry, WorkQueueMetrics>();
const controllerSets = new WeakMap<Registry, ControllerMetrics>();
const informerSets = new WeakMap<Registry, InformerMetrics>();
const leaderSets = new WeakMap<Registry, LeaderElectionMetrics>();

function memo<T>(cache: WeakMap<Registry, T>, registry: Registry, create: () => T): T {
  let set = cache.get(registry);
  if (!set) {
    set = create();
    cache.set(registry, set);
  }
  return set;
}

/** workQueueMetrics returns the work-queue metric set of `registry` (the default registry if omitted). */
export function workQueueMetrics(registry: Registry = register): WorkQueueMetrics {
  return memo(workQueueSets, registry, () => {
    const queues = new Set<QueueGaugeSource>();
    const registers = [registry];
    return {
      depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers }),
      adds: new Counter({
        name: 'workqueue_adds_total',
        help: 'Total number of adds handled by workqueue',
        labelNames: ['name'],
        registers,
      }),
      queueDuration: new Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested',
        labelNames: ['name'],
        buckets: QUEUE_DURATION_BUCKETS,
        registers,
      }),
      workDuration: new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes',
        labelNames: ['name'],
        buckets: QUEUE_DURATION_BUCKETS,
        registers,
      }),
      retries: new Counter({
        name: 'workqueue_retries_total',
        help: 'Total number of retries handled by workqueue',
        labelNames: ['name'],
        registers,
      }),
      unfinished: new Gauge({
        name: 'workqueue_unfinished_work_seconds',
        help:
          'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. ' +
          'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
        labelNames: ['name'],
        registers,
        collect() {
          for (const q of queues) this.set({ name: q.name }, q.unfinishedWorkSeconds());
        },
      }),
      longest: new Gauge({
        name: 'workqueue_longest_running_processor_seconds',
        help: 'How many seconds has the longest running processor for workqueue been running.',
        labelNames: ['name'],
        registers,
        collect() {
          for (const q of queues) this.set({ name: q.name }, q.longestRunningProcessorSeconds());
        },
      }),
      track(q: QueueGaugeSource) {
        queues.add(q);
      },
      untrack(q: QueueGaugeSource) {
        queues.delete(q);
      },
    };
  });
}

/** controllerMetrics returns the controller metric set of `registry` (the default registry if omitted). */
export function controllerMetrics(registry: Registry = register): ControllerMetrics {
  return memo(controllerSets, registry, () => {
    const registers = [registry];
    return {
      reconcileTotal: new Counter({
        name: 'controller_runtime_reconcile_total',
        help: 'Total number of reconciliations per controller',
        labelNames: ['controller', 'result'],
        registers,
      }),
      reconcileErrors: new Counter({
        name: 'controller_runtime_reconcile_errors_total',
        help: 'Total number of reconciliation errors per controller',
        labelNames: ['controller'],
        registers,
      }),
      terminalReconcileErrors: new Counter({
        name: 'controller_runtime_terminal_reconcile_errors_total',
        help: 'Total number of terminal reconciliation errors per controller',
        labelNames: ['controller'],
        registers,
      }),
      reconcileTime: new Histogram({
        name: 'controller_runtime_reconcile_time_seconds',
        help: 'Length of time per reconciliation per controller',
        labelNames: ['controller'],
        buckets: RECONCILE_TIME_BUCKETS,
        registers,
      }),
      activeWorkers: new Gauge({
        name: 'controller_runtime_active_workers',
        help: 'Number of currently used workers per controller',
        labelNames: ['controller'],
        registers,
      }),
      maxConcurrentReconciles: new Gauge({
        name: 'controller_runtime_max_concurrent_reconciles',
        help: 'Maximum number of concurrent reconciles per controller',
        labelNames: ['controller'],
        registers,
      }),
    };
  });
}

/** informerMetrics returns the informer metric set of `registry` (the default registry if omitted). */
export function informerMetrics(registry: Registry = register): InformerMetrics {
  return memo(informerSets, registry, () => {
    const registers = [registry];
    return {
      restarts: new Counter({
        name: 'fluxora_informer_restarts_total',
        help: 'Times an informer stopped on an error and was restarted',
        labelNames: ['resource'],
        registers,
      }),
      lastSync: new Gauge({
        name: 'fluxora_informer_last_sync_timestamp_seconds',
        help: 'Last time (Unix seconds) an informer was seen connected: a completed list, a watch event or a re-established watch',
        labelNames: ['resource'],
        registers,
      }),
    };
  });
}

/** leaderElectionMetrics returns the leader-election metric set of `registry` (the default registry if omitted). */
export function leaderElectionMetrics(registry: Registry = register): LeaderElectionMetrics {
  return memo(leaderSets, registry, () => ({
    masterStatus: new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease.',
      labelNames: ['name'],
      registers: [registry],
    }),
  }));
}
