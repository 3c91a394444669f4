import type pg from 'pg';
import { withTransaction } from './transaction.ts';

/**
 * Materialized feature sets: the model inputs of one forecast step computed for
 * every row of a dataset version, stored so other tools (notebooks, SQL, batch
 * scoring) read the exact features training and serving compute. One header row
 * per (feature set, version) and one row per (entity, timestamp); a version is
 * written in one transaction, so readers see all of it or none.
 */

/** MaterializedRows is one version's features: row-major `features` (rows x names). */
export interface MaterializedRows {
  featureSet: string;
  version: string;
  target: string;
  featureNames: string[];
  /** Epoch ms of the forecast step each row's features describe. */
  times: Float64Array;
  /** Entity of each row ('' without an entity column). */
  entities: string[];
  features: Float32Array;
  /** The target's value at that time (NaN when unknown). */
  targets: Float32Array;
}

/** BATCH_ROWS is how many rows one INSERT carries. */
const BATCH_ROWS = 2000;

const num = (v: number) => (Number.isFinite(v) ? String(v) : 'NaN');

/**
 * saveFeatureRows replaces a version's rows (idempotent: a retried Job writes the
 * same rows again) and keeps only the newest `keepVersions` versions of the
 * feature set. Returns the number of rows stored.
 */
export async function saveFeatureRows(pool: pg.Pool, m: MaterializedRows, keepVersions = 3): Promise<number> {
  const width = m.featureNames.length;
  const rows = m.times.length;
  if (m.features.length !== rows * width || m.targets.length !== rows || m.entities.length !== rows) {
    throw new Error(`feature rows are inconsistent: ${rows} times, ${m.entities.length} entities, ${m.targets.length} targets, ${m.features.length} values for ${width} features`);
  }
  return withTransaction(pool, async (client) => {
    await client.query('DELETE FROM feature_set_versions WHERE feature_set = $1 AND version = $2', [m.featureSet, m.version]);
    await client.query('INSERT INTO feature_set_versions (feature_set, version, feature_names, target, rows) VALUES ($1, $2, $3, $4, $5)', [
      m.featureSet,
      m.version,
      m.featureNames,
      m.target,
      rows,
    ]);
    for (let start = 0; start < rows; start += BATCH_ROWS) {
      const end = Math.min(rows, start + BATCH_ROWS);
      const ts: string[] = [];
      const entities: string[] = [];
      const features: string[] = [];
      const targets: (number | null)[] = [];
      for (let r = start; r < end; r++) {
        ts.push(new Date(m.times[r]).toISOString());
        entities.push(m.entities[r]);
        const values: string[] = new Array(width);
        for (let c = 0; c < width; c++) values[c] = num(m.features[r * width + c]);
        features.push(`{${values.join(',')}}`);
        targets.push(Number.isFinite(m.targets[r]) ? m.targets[r] : null);
      }
      await client.query(
        `INSERT INTO feature_rows (feature_set, version, entity, ts, features, target)
         SELECT $1, $2, e, t, f::real[], y FROM unnest($3::text[], $4::timestamptz[], $5::text[], $6::real[]) AS u(e, t, f, y)`,
        [m.featureSet, m.version, entities, ts, features, targets],
      );
    }
    await client.query(
      `DELETE FROM feature_set_versions WHERE feature_set = $1 AND version NOT IN (
         SELECT version FROM feature_set_versions WHERE feature_set = $1 ORDER BY created_at DESC, version LIMIT $2)`,
      [m.featureSet, keepVersions],
    );
    return rows;
  });
}

/** FeatureSetVersion is a stored version's header. */
export interface StoredFeatureSetVersion {
  featureSet: string;
  version: string;
  featureNames: string[];
  target: string;
  rows: number;
  createdAt: Date;
}

/** listFeatureSetVersions returns the stored versions of a feature set, newest first. */
export async function listFeatureSetVersions(pool: pg.Pool, featureSet: string): Promise<StoredFeatureSetVersion[]> {
  const res = await pool.query<{ feature_set: string; version: string; feature_names: string[]; target: string; rows: number; created_at: Date }>(
    'SELECT feature_set, version, feature_names, target, rows, created_at FROM feature_set_versions WHERE feature_set = $1 ORDER BY created_at DESC, version',
    [featureSet],
  );
  return res.rows.map((r) => ({ featureSet: r.feature_set, version: r.version, featureNames: r.feature_names, target: r.target, rows: r.rows, createdAt: r.created_at }));
}

/** loadFeatureRows reads a version's rows in time order (per entity). */
export async function loadFeatureRows(
  pool: pg.Pool,
  featureSet: string,
  version: string,
): Promise<{ entity: string; ts: Date; features: number[]; target: number | null }[]> {
  const res = await pool.query<{ entity: string; ts: Date; features: number[]; target: number | null }>(
    'SELECT entity, ts, features, target FROM feature_rows WHERE feature_set = $1 AND version = $2 ORDER BY entity, ts',
    [featureSet, version],
  );
  return res.rows;
}
