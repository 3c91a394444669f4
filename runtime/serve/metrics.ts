import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchReport } from './batcher.ts';
import { RequestHistogram } from './request-histogram.ts';

/** MetricSources are read when Prometheus scrapes, so the hot path updates nothing for them. */
export interface MetricSources {
  /** Rows waiting in the batcher. */
  queueDepth(): number;
  /** HTTP requests in progress (probes and /metrics excluded). */
  inflight(): number;
  /** Rows the prediction log has dropped so far, when its sink counts them. */
  logDropped(): number | undefined;
}

/** ServeMetrics records what the inference server does, in the Prometheus registry given. */
export interface ServeMetrics {
  /** observeRequest records one finished HTTP request by route pattern and status code. */
  observeRequest(route: string, statusCode: number, seconds: number): void;
  /** requestRecorder is observeRequest for one route pattern, with its label children cached (for per-route hooks). */
  requestRecorder(route: string): (statusCode: number, seconds: number) => void;
  /** observeBatch records one predict call (a batcher onBatch callback). */
  observeBatch(report: BatchReport): void;
  /** predictionFailed counts rows that failed after their batch ran (e.g. a non-finite output). */
  predictionFailed(rows: number): void;
  /** setModel publishes fluxora_model_info{name,version} 1 for the model being served. */
  setModel(name: string, version: number): void;
}

/** HTTP_BUCKETS are request-duration buckets in seconds, from 0.5 ms (a health probe) to 10 s. */
export const HTTP_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * createServeMetrics registers the server's metrics in `registry`:
 * fluxora_http_request_duration_seconds{route,status_code}, fluxora_predictions_total,
 * fluxora_prediction_errors_total, fluxora_batch_size, fluxora_queue_depth,
 * fluxora_inflight_requests, fluxora_prediction_log_dropped_total and
 * fluxora_model_info{name,version}. Batch-size buckets are powers of two up to
 * `maxBatchSize`.
 */
export function createServeMetrics(registry: Registry, sources: MetricSources, maxBatchSize: number): ServeMetrics {
  const registers = [registry];
  const duration = new RequestHistogram({
    name: 'fluxora_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route pattern and status code.',
    buckets: HTTP_BUCKETS,
    registry,
  });
  const predictions = new Counter({
    name: 'fluxora_predictions_total',
    help: 'Rows (samples) forecast successfully.',
    registers,
  });
  const predictionErrors = new Counter({
    name: 'fluxora_prediction_errors_total',
    help: 'Rows whose forecast failed in the model.',
    registers,
  });
  const batchSize = new Histogram({
    name: 'fluxora_batch_size',
    help: 'Rows per model call made by the micro-batcher.',
    buckets: powersOfTwo(maxBatchSize),
    registers,
  });
  new Gauge({
    name: 'fluxora_queue_depth',
    help: 'Rows waiting in the micro-batcher queue.',
    registers,
    collect() {
      this.set(sources.queueDepth());
    },
  });
  new Gauge({
    name: 'fluxora_inflight_requests',
    help: 'HTTP requests in progress, health probes and metrics scrapes excluded.',
    registers,
    collect() {
      this.set(sources.inflight());
    },
  });
  let droppedSeen = 0;
  new Counter({
    name: 'fluxora_prediction_log_dropped_total',
    help: 'Prediction log rows dropped by the sink (buffer full, write failed) or refused by it.',
    registers,
    collect() {
      const dropped = sources.logDropped();
      if (dropped !== undefined && dropped > droppedSeen) {
        this.inc(dropped - droppedSeen);
        droppedSeen = dropped;
      }
    },
  });
  const modelInfo = new Gauge({
    name: 'fluxora_model_info',
    help: 'The model being served: always 1, labelled with its name and version.',
    labelNames: ['name', 'version'] as const,
    registers,
  });
  return {
    observeRequest(route, statusCode, seconds) {
      duration.record(route, statusCode, seconds);
    },
    requestRecorder(route) {
      const child = duration.route(route);
      return (statusCode, seconds) => child.record(statusCode, seconds);
    },
    observeBatch(report) {
      batchSize.observe(report.rows);
      if (report.error === undefined) predictions.inc(report.rows);
      else predictionErrors.inc(report.rows);
    },
    predictionFailed(rows) {
      predictionErrors.inc(rows);
    },
    setModel(name, version) {
      modelInfo.reset();
      modelInfo.labels(name, String(version)).set(1);
    },
  };
}

function powersOfTwo(max: number): number[] {
  const buckets: number[] = [];
  for (let b = 1; b < max; b *= 2) buckets.push(b);
  buckets.push(max);
  return buckets;
}
