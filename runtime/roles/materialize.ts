import type { Pool } from 'pg';
import type { MaterializeSummary } from '../contract/summaries.ts';
import { loadTable } from '../data/load.ts';
import { buildForecastFrame } from '../features/forecast-frame.ts';
import { featureSetVersion } from '../pipeline/versions.ts';
import { saveFeatureRows } from '../store/feature-rows.ts';
import type { MaterializeConfig } from '../contract/config.ts';
import type { RoleLogger } from './logger.ts';
import { resolveSource, type SourceContext } from './source.ts';


/**
 * runMaterialize computes a FeatureSet's model inputs for one forecast step at
 * every row of its Dataset (the code training and serving run, so the stored
 * features are exactly theirs) and writes them to the store under the FeatureSet
 * version, replacing an earlier write of the same version.
 */
export async function runMaterialize(config: MaterializeConfig, ctx: SourceContext & { pool: Pool; log: RoleLogger }): Promise<MaterializeSummary> {
  const fs = config.featureSet;
  const spec = config.dataset.spec;
  const { table, report } = await loadTable(resolveSource(spec, { ...ctx, dataDir: config.dataDir ?? ctx.dataDir }), spec);
  const frame = buildForecastFrame(table, fs.spec, 1, { origins: 'all' });
  const version = featureSetVersion(report.version, fs.spec);
  const entity = table.entityColumn ? table.categorical.get(table.entityColumn) : undefined;
  const entities = Array.from(frame.origins, (row) => (entity && entity.codes[row] >= 0 ? entity.dictionary[entity.codes[row]] : ''));
  const targets = frame.Y ?? new Float32Array(frame.origins.length).fill(Number.NaN);
  ctx.log.info({ featureSet: fs.name, version, rows: frame.origins.length, features: frame.inputNames.length, skipped: frame.skipped }, 'Writing features');
  const rows = await saveFeatureRows(ctx.pool, {
    featureSet: `${fs.namespace}/${fs.name}`,
    version,
    target: fs.spec.target,
    featureNames: frame.inputNames,
    times: frame.targetTimes,
    entities,
    features: frame.X,
    targets,
  });
  ctx.log.info({ featureSet: fs.name, version, rows }, 'Features materialized');
  return { version, datasetVersion: report.version, rows, features: frame.inputNames.length, table: 'feature_rows' };
}
