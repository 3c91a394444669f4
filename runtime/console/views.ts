import type { ModelVersionSummary } from '../registry/registry.ts';
import type { Trial } from '../registry/trials.ts';
import { statusDetails } from '../run/output.ts';
import type { DriftResult } from '../store/drift-results.ts';
import { type EpochRow, FINAL_TRIAL } from '../store/training-epochs.ts';
import type {
  ConditionView,
  Curve,
  DriftMonitorView,
  DriftRunView,
  ForecastTrace,
  Kind,
  RegistryView,
  ResourceRow,
  TrainingJobView,
} from './api.ts';
import type { ConsoleResource } from './source.ts';

/**
 * The console's pages as pure functions of what the source and the store hold,
 * so each view is tested without a server.
 */

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** KIND_ORDER sorts resources in pipeline order. */
const KIND_ORDER: Record<Kind, number> = { Dataset: 0, FeatureSet: 1, TrainingJob: 2, ModelDeployment: 3, DriftMonitor: 4 };

/** sortResources orders resources by kind (pipeline order), namespace and name. */
export function sortResources<T extends ConsoleResource>(resources: T[]): T[] {
  return [...resources].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function conditionsOf(status: Obj): ConditionView[] {
  const list = Array.isArray(status.conditions) ? status.conditions : [];
  return list.map(obj).map((c) => ({
    type: str(c.type) ?? '',
    status: c.status === 'True' || c.status === 'False' ? c.status : 'Unknown',
    reason: str(c.reason),
    message: str(c.message),
    lastTransitionTime: str(c.lastTransitionTime),
  }));
}

/** resourceRow is a resource as the list shows it. */
export function resourceRow(r: ConsoleResource): ResourceRow {
  const conditions = conditionsOf(r.status);
  const ready = conditions.find((c) => c.type === 'Ready');
  return {
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    phase: str(r.status.phase),
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason,
    message: ready?.message,
    conditions,
    createdAt: r.createdAt,
    details: ready?.status === 'True' ? statusDetails(r) : '',
  };
}

/** curvesOf groups recorded epochs into one curve per (trial, stage), the final training's last. */
export function curvesOf(rows: EpochRow[]): Curve[] {
  const byKey = new Map<string, Curve>();
  for (const r of rows) {
    const key = `${r.trial}\u0000${r.stage}`;
    let curve = byKey.get(key);
    if (!curve) {
      curve = { trial: r.trial === FINAL_TRIAL ? null : r.trial, stage: r.stage, points: [] };
      byKey.set(key, curve);
    }
    curve.points.push({ epoch: r.epoch, loss: r.loss ?? Number.NaN, valLoss: r.valLoss });
  }
  const curves = [...byKey.values()];
  for (const c of curves) c.points.sort((a, b) => a.epoch - b.epoch);
  return curves.sort((a, b) => (a.trial ?? Number.MAX_SAFE_INTEGER) - (b.trial ?? Number.MAX_SAFE_INTEGER) || a.stage.localeCompare(b.stage, 'en', { numeric: true }));
}

/** trainingJobView is a TrainingJob's page from its status, its recorded curves and its tuning trials. */
export function trainingJobView(r: ConsoleResource, epochs: EpochRow[], trials: Trial[]): TrainingJobView {
  const s = r.status;
  const model = obj(s.model);
  const backtest = obj(s.backtest);
  const folds = Array.isArray(backtest.folds) ? backtest.folds.map(obj) : [];
  const candidates = Array.isArray(backtest.candidates) ? backtest.candidates.map(obj) : [];
  const metrics = obj(s.metrics);
  const baseline = obj(s.baseline);
  return {
    resource: resourceRow(r),
    horizon: num(r.spec.horizon) ?? 0,
    model: typeof model.name === 'string' && typeof model.version === 'number' ? { name: model.name, version: model.version } : undefined,
    curves: curvesOf(epochs),
    trials: trials.map((t) => ({
      trial: t.trial,
      status: t.status,
      params: t.params,
      metrics: t.metrics,
      startedAt: t.startedAt.toISOString(),
      finishedAt: t.finishedAt?.toISOString() ?? null,
    })),
    backtest:
      typeof backtest.selected === 'string'
        ? {
            selected: backtest.selected,
            folds: folds.map((f) => ({
              fold: num(f.fold) ?? 0,
              from: str(f.from) ?? '',
              to: str(f.to) ?? '',
              samples: num(f.samples) ?? 0,
              mae: num(f.mae),
              smape: num(f.smape),
              mase: num(f.mase),
              baselineMae: num(f.baselineMae),
              intervalCoverage: num(f.intervalCoverage),
            })),
            candidates: candidates.map((c) => ({ name: str(c.name) ?? '', mae: num(c.mae), mase: num(c.mase), intervalCoverage: num(c.intervalCoverage) })),
            metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, num(v)])),
            baseline: { method: str(baseline.method) ?? 'seasonal-naive', mae: num(baseline.mae) },
          }
        : undefined,
  };
}

/** forecastOf reads the forecast trace of a version's stored evaluation; undefined when it has none or it is malformed. */
export function forecastOf(evaluation: object | undefined): ForecastTrace | undefined {
  const f = obj(obj(evaluation).forecast);
  const arrays = ['timestamps', 'observed', 'forecast', 'lower', 'upper'] as const;
  if (typeof f.coverage !== 'number' || !arrays.every((k) => Array.isArray(f[k]))) return undefined;
  const n = (f.timestamps as unknown[]).length;
  if (!arrays.every((k) => (f[k] as unknown[]).length === n)) return undefined;
  return f as unknown as ForecastTrace;
}

/** driftMonitorView is a DriftMonitor's page from its stored runs (any order; shown oldest first). */
export function driftMonitorView(r: ConsoleResource, results: DriftResult[]): DriftMonitorView {
  const features: string[] = [];
  const seen = new Set<string>();
  const runs: DriftRunView[] = [...results]
    .sort((a, b) => a.ranAt.getTime() - b.ranAt.getTime() || a.id - b.id)
    .map((d) => {
      const res = obj(d.result);
      const list = Array.isArray(res.features) ? res.features.map(obj) : [];
      for (const f of list) {
        const name = str(f.name);
        if (name && !seen.has(name)) {
          seen.add(name);
          features.push(name);
        }
      }
      const result = res.result === 'Drift' || res.result === 'NoDrift' ? res.result : 'InsufficientData';
      return {
        ranAt: d.ranAt.toISOString(),
        result,
        driftedShare: num(res.driftedShare),
        samples: num(res.samples) ?? 0,
        modelVersion: d.version,
        features: list.map((f) => ({ name: str(f.name) ?? '', method: str(f.method) ?? '', score: num(f.score), threshold: num(f.threshold), drifted: f.drifted === true })),
      };
    });
  return { resource: resourceRow(r), features, runs };
}

/** registryView is the registry with, for each version, the ModelDeployments whose status says they serve it. */
export function registryView(
  models: { name: string; createdAt: Date; aliases: Record<string, number>; versions: ModelVersionSummary[] }[],
  deployments: ConsoleResource[],
): RegistryView {
  const served = (name: string, version: number) =>
    deployments
      .filter((d) => {
        const m = obj(d.status.model);
        return m.name === name && m.version === version;
      })
      .map((d) => ({ namespace: d.namespace, name: d.name, url: str(d.status.url) }));
  return {
    models: models.map((m) => ({
      name: m.name,
      createdAt: m.createdAt.toISOString(),
      aliases: m.aliases,
      versions: m.versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt.toISOString(),
        aliases: v.aliases,
        metrics: v.metrics,
        trainingJob: v.trainingJob,
        datasetVersion: v.datasetVersion,
        featureVersion: v.featureVersion,
        weightBytes: v.weightBytes,
        servedBy: served(m.name, v.version),
      })),
    })),
  };
}
