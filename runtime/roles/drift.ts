import type { Pool } from 'pg';
import type { DriftSummary } from '../contract/summaries.ts';
import type { ColumnProfile } from '../data/profile.ts';
import { detectDrift, type DriftMethodOverride } from '../drift/detect.ts';
import { decodeSeries, type EncodedSeries } from '../drift/reference.ts';
import { loadModel, resolveVersion } from '../registry/registry.ts';
import { recordDriftResult } from '../store/drift-results.ts';
import { readPredictionWindow } from '../store/prediction-log.ts';
import type { DriftConfig } from '../contract/config.ts';
import type { RoleLogger } from './logger.ts';


/** windowMillis parses a DriftMonitor window (30m, 24h, 7d) into milliseconds. */
export function windowMillis(window: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(window);
  if (!m) throw new Error(`window "${window}" is not a duration such as 30m, 24h or 7d`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

const MAX_WINDOW_ROWS = 100_000;

/**
 * runDrift compares the monitored features of the recent prediction log with the
 * training reference stored with the served model version (thresholds calibrated
 * on same-sized windows of the training period), and records the result.
 * Too few logged predictions is "InsufficientData", never drift.
 */
export async function runDrift(config: DriftConfig, ctx: { pool: Pool; log: RoleLogger; now?: Date }): Promise<DriftSummary> {
  const spec = config.monitor.spec;
  const now = ctx.now ?? new Date();
  const selector = config.model;
  const version = selector.version ?? (await resolveVersion(ctx.pool, selector.name, selector.alias ?? 'latest'));
  const record = await loadModel(ctx.pool, selector.name, { version });
  const profile = record.artifact.profile as { features: Record<string, ColumnProfile>; series?: Record<string, EncodedSeries>; monitored: string[] };
  const calibration: Record<string, Float64Array> = {};
  for (const [name, encoded] of Object.entries(profile.series ?? {})) calibration[name] = decodeSeries(encoded);
  const since = new Date(now.getTime() - windowMillis(spec.window));
  const window = await readPredictionWindow(ctx.pool, selector.name, since, MAX_WINDOW_ROWS, { version });
  const current: Record<string, Float64Array> = {};
  for (const name of profile.monitored) current[name] = window.features.get(name) ?? new Float64Array(0);
  const result = detectDrift({
    reference: { columns: profile.features },
    current,
    features: profile.monitored,
    methods: spec.methods as DriftMethodOverride[] | undefined,
    minSamples: spec.minSamples,
    driftShare: spec.driftShare,
    calibration,
  });
  const summary: DriftSummary = {
    result: result.status,
    drifted: result.status === 'Drift',
    driftedShare: Number(result.driftedShare.toFixed(4)),
    samples: result.samples,
    minSamples: result.minSamples,
    model: { name: selector.name, version },
    features: result.features
      .filter((f) => f.score !== null)
      .map((f) => ({ name: f.name, method: f.method, score: Number((f.score as number).toPrecision(4)), threshold: f.threshold, drifted: f.drifted })),
    ranAt: now.toISOString(),
  };
  await recordDriftResult(ctx.pool, {
    monitor: `${config.monitor.namespace}/${config.monitor.name}`,
    model: selector.name,
    version,
    result: summary as unknown as Record<string, unknown>,
    ranAt: now,
  });
  ctx.log.info({ monitor: config.monitor.name, result: summary.result, driftedShare: summary.driftedShare, samples: summary.samples }, 'Drift checked');
  return summary;
}
