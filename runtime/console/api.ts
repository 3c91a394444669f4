/**
 * The web console's read-only JSON API: what the console server (operator or
 * `fluxora run --serve`) answers under /api/v1 and the UI reads. Types only, so
 * the browser bundle imports them without pulling server code.
 *
 * Every request carries `Authorization: Bearer <token>`; 401 (no or unknown
 * token) and 403 (a cluster token without read access) answer
 * `{ "error": "<message>" }`, as does every other failure.
 *
 *   GET /api/v1/resources                      ResourcesResponse
 *   GET /api/v1/watch                          text/event-stream: `event: resources` + `data: <ResourcesResponse>` on every change
 *   GET /api/v1/trainingjobs/:namespace/:name  TrainingJobView
 *   GET /api/v1/modeldeployments/:namespace/:name ModelDeploymentView
 *   GET /api/v1/driftmonitors/:namespace/:name DriftMonitorView
 *   GET /api/v1/registry                       RegistryView
 */

/** The five Fluxora kinds, in pipeline order. */
export const KINDS = ['Dataset', 'FeatureSet', 'TrainingJob', 'ModelDeployment', 'DriftMonitor'] as const;
export type Kind = (typeof KINDS)[number];

/** ConditionView is one status condition (as on the resource). */
export interface ConditionView {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** ResourceRow is one resource as `kubectl get fluxora` shows it. */
export interface ResourceRow {
  kind: Kind;
  namespace: string;
  name: string;
  /** status.phase where the kind has one. */
  phase?: string;
  /** The Ready condition's status ('Unknown' before the first reconcile). */
  ready: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  conditions: ConditionView[];
  /** metadata.creationTimestamp (ISO 8601); the UI shows age from it. */
  createdAt?: string;
  /** A one-line summary of the status (rows, model version, MAE, drift result...). */
  details: string;
}

/** ResourcesResponse lists every Fluxora resource the console can see. */
export interface ResourcesResponse {
  /** 'cluster': read from the Kubernetes API by the operator; 'local': a `fluxora run`. */
  mode: 'cluster' | 'local';
  resources: ResourceRow[];
  /** When this list was taken (ISO 8601). */
  generatedAt: string;
  /** Why the registry, curves, traffic or drift history are unavailable (no database configured), if they are. */
  storeUnavailable?: string;
}

/** EpochPoint is one epoch of a fit. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  /** Validation loss (early-stopping hold-out); null when the fit has none. */
  valLoss: number | null;
}

/** Curve is the loss history of one fit: a tuning trial's, or a stage (fold, final fit) of the final training. */
export interface Curve {
  /** Tuning trial index; null for the final training. */
  trial: number | null;
  /** The model and stage, e.g. `mlp fold 2`, `mlp final fit`. */
  stage: string;
  points: EpochPoint[];
}

/** TrialView is one tuning trial. */
export interface TrialView {
  trial: number;
  status: 'running' | 'completed' | 'failed' | 'pruned';
  params: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  startedAt: string;
  finishedAt: string | null;
}

/** FoldView is one backtest fold of the selected forecaster. */
export interface FoldView {
  fold: number;
  from: string;
  to: string;
  samples: number;
  mae: number | null;
  smape: number | null;
  mase: number | null;
  baselineMae: number | null;
  intervalCoverage?: number | null;
}

/** TrainingJobView is a TrainingJob's page. */
export interface TrainingJobView {
  resource: ResourceRow;
  horizon: number;
  /** The registered model, once trained. */
  model?: { name: string; version: number };
  curves: Curve[];
  trials: TrialView[];
  /** The backtest of the selected forecaster (from status), once trained. */
  backtest?: {
    selected: string;
    folds: FoldView[];
    candidates: { name: string; mae: number | null; mase: number | null; intervalCoverage?: number | null }[];
    metrics: Record<string, number | null>;
    baseline: { method: string; mae: number | null };
  };
}

/**
 * ForecastTrace is a forecast against what was observed: the held-out backtest
 * of the served version (consecutive forecasts from origins one horizon apart,
 * made by models that never saw those targets) with its conformal intervals.
 */
export interface ForecastTrace {
  /** Nominal coverage of [lower, upper], e.g. 0.9. */
  coverage: number;
  /** Target times (ISO 8601), ascending. */
  timestamps: string[];
  observed: number[];
  forecast: number[];
  lower: number[];
  upper: number[];
}

/** TrafficView is the serving pods' traffic, read from their /metrics. */
export interface TrafficView {
  /** Requests per second since the previous reading (null on the first reading). */
  requestsPerSecond: number | null;
  /** Mean request latency since the previous reading, ms (null without requests). */
  meanLatencyMs: number | null;
  /** Latency quantiles over the pods' lifetime, ms, from their histograms. */
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
  /** Requests served since the pods started. */
  totalRequests: number;
  /** Pods that answered / pods asked. */
  podsScraped: number;
  pods: number;
}

/** ModelDeploymentView is a ModelDeployment's page. */
export interface ModelDeploymentView {
  resource: ResourceRow;
  model?: { name: string; version: number };
  url?: string;
  replicas: { desired: number | null; ready: number | null };
  traffic: TrafficView | null;
  /** Why traffic is null, when it is. */
  trafficUnavailable?: string;
  forecast: ForecastTrace | null;
  /** Why forecast is null, when it is. */
  forecastUnavailable?: string;
}

/** DriftRunView is one drift check. */
export interface DriftRunView {
  ranAt: string;
  result: 'Drift' | 'NoDrift' | 'InsufficientData';
  driftedShare: number | null;
  samples: number;
  modelVersion: number | null;
  features: { name: string; method: string; score: number | null; threshold: number | null; drifted: boolean }[];
}

/** DriftMonitorView is a DriftMonitor's page: its runs, oldest first. */
export interface DriftMonitorView {
  resource: ResourceRow;
  /** Every feature seen in the runs, in first-seen order. */
  features: string[];
  runs: DriftRunView[];
}

/** RegistryVersionView is one registered version. */
export interface RegistryVersionView {
  version: number;
  createdAt: string;
  aliases: string[];
  metrics: Record<string, unknown>;
  trainingJob: string | null;
  datasetVersion: string | null;
  featureVersion: string | null;
  weightBytes: number;
  /** ModelDeployments serving this version (from their status). */
  servedBy: { namespace: string; name: string; url?: string }[];
}

/** RegistryView is the model registry. */
export interface RegistryView {
  models: { name: string; createdAt: string; aliases: Record<string, number>; versions: RegistryVersionView[] }[];
}

/** ErrorBody is every error answer. */
export interface ErrorBody {
  error: string;
}
