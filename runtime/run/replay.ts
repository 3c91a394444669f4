import { loadTable } from '../data/load.ts';
import type { Table } from '../data/table.ts';
import { requiredHistory, tableStepMs } from '../features/forecast-frame.ts';
import { type FeatureSpec, historyColumns, knownCovariates } from '../features/spec.ts';
import { anchorFor } from '../training/fit.ts';
import type { ModelDeploymentResource } from '../pipeline/resources.ts';
import { resolveModelSelector, isWaiting, trainingJobForModel } from '../pipeline/resolve.ts';
import { resolveSource } from '../roles/source.ts';
import type { Serving } from '../roles/serve.ts';
import type { Resource } from '../pipeline/resources.ts';
import { frequencyOf } from '../serve/timeseries-types.ts';
import type { RunState } from './state.ts';

/** isoAt renders row i's timestamp with its own UTC offset, as the source had it. */
export function isoAt(table: Table, i: number): string {
  const off = table.offsetMinutes[i];
  const local = new Date(table.time[i] + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** forecastBody builds a /v1/forecast request for the origin at row t: history up to t, covariates for the horizon after. */
export function forecastBody(table: Table, t: number, history: number, horizon: number, spec: FeatureSpec) {
  const from = t - history + 1;
  const rows = Array.from({ length: history }, (_, k) => from + k);
  const col = (name: string, idx: number[]) => idx.map((i) => (table.numeric.get(name) as Float64Array)[i]);
  const future = Array.from({ length: horizon }, (_, s) => t + 1 + s);
  return {
    timestamps: rows.map((i) => isoAt(table, i)),
    target: col(spec.target, rows),
    covariates: Object.fromEntries(historyColumns(spec).map((c) => [c, col(c, rows)])),
    futureCovariates: Object.fromEntries(knownCovariates(spec).map((c) => [c, col(c, future)])),
  };
}

/**
 * timeSeriesBody rewrites a /v1/forecast body as a KServe Time Series API request
 * (POST /v1/timeseries/forecast) for `model`: the target history as one univariate
 * series from the first timestamp, covariates in the input's extra fields.
 */
export function timeSeriesBody(model: string, body: ReturnType<typeof forecastBody>, stepMs: number, horizon: number) {
  const frequency = frequencyOf(stepMs);
  if (!frequency) throw new Error(`a step of ${stepMs} ms has no KServe frequency`);
  const input: Record<string, unknown> = {
    type: 'univariate_time_series',
    name: model,
    series: body.target,
    frequency,
    start_timestamp: body.timestamps[0],
  };
  if (Object.keys(body.covariates).length > 0) input.covariates = body.covariates;
  if (Object.keys(body.futureCovariates).length > 0) input.future_covariates = body.futureCovariates;
  return { model, inputs: [input], options: { horizon, quantiles: [0.1, 0.5, 0.9] } };
}

/**
 * replayTraffic sends real forecast requests to a deployment's server, built from
 * the most recent rows of the data its model was trained on: a smoke test of the
 * served endpoint that also fills the prediction log drift checks read.
 */
export async function replayTraffic(
  state: RunState,
  md: ModelDeploymentResource,
  serving: Serving,
  opts: {
    requests: number;
    apiKey?: string;
    dataDirOf: (r: Resource<unknown>) => string;
    configMaps: Map<string, Record<string, string>>;
    env: Record<string, string | undefined>;
  },
): Promise<{
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  example: ReturnType<typeof forecastBody>;
  timeSeriesExample?: ReturnType<typeof timeSeriesBody>;
}> {
  const selector = resolveModelSelector(md, state);
  if (isWaiting(selector)) throw new Error(selector.message);
  const tj = trainingJobForModel(state, md.namespace, { name: selector.name });
  if (!tj) throw new Error(`no TrainingJob in the manifests registers model "${selector.name}"; nothing to replay`);
  const fs = state.get('FeatureSet', tj.namespace, tj.spec.featureSetRef.name);
  const ds = fs && state.get('Dataset', fs.namespace, fs.spec.datasetRef.name);
  if (!fs || !ds) throw new Error(`TrainingJob "${tj.name}" has no FeatureSet and Dataset to replay from`);
  const { table } = await loadTable(resolveSource(ds.spec, { dataDir: opts.dataDirOf(ds), configMaps: opts.configMaps, env: opts.env }), ds.spec);
  const horizon = tj.spec.horizon;
  const history = requiredHistory({ ...fs.spec, anchor: anchorFor(tableStepMs(table), tj.spec.baseline?.seasonalPeriod) }, horizon);
  const last = table.rows - 1 - horizon;
  const count = Math.min(opts.requests, last - history);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const worker = async () => {
    while (next < count) {
      const t = last - (count - 1 - next++);
      const body = JSON.stringify(forecastBody(table, t, history, horizon, fs.spec));
      const started = performance.now();
      const res = await fetch(`${serving.url}/v1/forecast`, { method: 'POST', headers, body }).catch(() => undefined);
      latencies.push(performance.now() - started);
      if (!res?.ok) errors++;
      await res?.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const example = forecastBody(table, last, history, horizon, fs.spec);
  const stepMs = tableStepMs(table);
  const timeSeriesExample = frequencyOf(stepMs) ? timeSeriesBody(serving.model.name, example, stepMs, horizon) : undefined;
  return { requests: count, errors, p50Ms: q(0.5), p99Ms: q(0.99), example, timeSeriesExample };
}
