import type pg from 'pg';

/**
 * Dataset profiles: the statistical profile (per-column summaries, histograms) of
 * each version of a dataset, one JSON document per (dataset, version).
 */

/** DatasetProfile is a stored profile. */
export interface DatasetProfile {
  dataset: string;
  version: string;
  profile: Record<string, unknown>;
  createdAt: Date;
}

/** saveDatasetProfile stores the profile of a dataset version, replacing an earlier one (idempotent). */
export async function saveDatasetProfile(
  pool: pg.Pool,
  dataset: string,
  version: string,
  profile: Record<string, unknown>,
): Promise<void> {
  await pool.query(
    `INSERT INTO dataset_profiles (dataset, version, profile) VALUES ($1, $2, $3)
     ON CONFLICT (dataset, version) DO UPDATE SET profile = EXCLUDED.profile, created_at = now()`,
    [dataset, version, JSON.stringify(profile)],
  );
}

/** loadDatasetProfile returns the profile of a dataset version, or undefined when none was saved. */
export async function loadDatasetProfile(pool: pg.Pool, dataset: string, version: string): Promise<DatasetProfile | undefined> {
  const res = await pool.query<Row>(
    'SELECT dataset, version, profile, created_at FROM dataset_profiles WHERE dataset = $1 AND version = $2',
    [dataset, version],
  );
  return res.rows.length > 0 ? toProfile(res.rows[0]) : undefined;
}

/** listDatasetProfiles returns every saved profile of `dataset`, newest first. */
export async function listDatasetProfiles(pool: pg.Pool, dataset: string): Promise<DatasetProfile[]> {
  const res = await pool.query<Row>(
    'SELECT dataset, version, profile, created_at FROM dataset_profiles WHERE dataset = $1 ORDER BY created_at DESC, version',
    [dataset],
  );
  return res.rows.map(toProfile);
}

interface Row {
  dataset: string;
  version: string;
  profile: Record<string, unknown>;
  created_at: Date;
}

function toProfile(row: Row): DatasetProfile {
  return { dataset: row.dataset, version: row.version, profile: row.profile, createdAt: row.created_at };
}
