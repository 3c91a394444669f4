import { loadTable } from '../data/load.ts';
import type { ProfileSummary } from '../contract/summaries.ts';
import { type ColumnProfile, profileTable } from '../data/profile.ts';
import { validateTable } from '../data/validate.ts';
import type { ProfileConfig } from '../contract/config.ts';
import type { RoleLogger } from './logger.ts';
import { resolveSource, type SourceContext } from './source.ts';


const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : undefined);

/**
 * runProfile loads a Dataset, validates it against its declared rules and
 * profiles it. Malformed data is a failed validation (with line numbers), not an
 * exception; an unreadable source or a missing column throws.
 */
export async function runProfile(config: ProfileConfig, ctx: SourceContext & { log: RoleLogger }): Promise<ProfileSummary> {
  const spec = config.dataset.spec;
  const source = resolveSource(spec, { ...ctx, dataDir: config.dataDir ?? ctx.dataDir });
  ctx.log.info({ dataset: config.dataset.name, format: source.format }, 'Loading dataset');
  const { table, report } = await loadTable(source, spec);
  const validation = validateTable(table, report, spec);
  const profile = profileTable(table);
  const columns = spec.columns.map((c) => {
    const p = profile.columns[c.name] as Partial<ColumnProfile> | undefined;
    return {
      name: c.name,
      type: c.type,
      nulls: p?.nulls,
      min: p?.min === undefined ? undefined : round(p.min),
      max: p?.max === undefined ? undefined : round(p.max),
      mean: p?.mean === undefined ? undefined : round(p.mean),
      std: p?.std === undefined ? undefined : round(p.std),
    };
  });
  const summary: ProfileSummary = {
    version: report.version,
    rows: report.rowsAccepted,
    rejectedRows: report.rowsRejected,
    timeRange: profile.timeRange,
    columns,
    validation,
    rejections: report.rejections.slice(0, 5),
  };
  ctx.log.info({ dataset: config.dataset.name, rows: summary.rows, rejected: summary.rejectedRows, version: summary.version, passed: validation.passed }, 'Profiled dataset');
  return summary;
}
