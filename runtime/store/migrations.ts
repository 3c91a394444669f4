import { createHash } from 'node:crypto';
import type pg from 'pg';
import { defaultStoreLogger, type StoreLogger } from './logger.ts';
import { withTransaction } from './transaction.ts';

/**
 * The schema of the fluxora database as an ordered list of versioned migrations.
 * Rules: append only (never edit or reorder an applied migration: its checksum is
 * recorded and a change is reported), one transaction per run, and every statement
 * must be valid inside a transaction (no CREATE INDEX CONCURRENTLY).
 */

/** Migration is one schema change. */
export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sql: string;
}

/** migrations is the schema history, oldest first. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'model registry, tuning trials, prediction log, drift results, dataset profiles',
    sql: `
CREATE TABLE models (
  name        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_versions (
  name             text NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  version          integer NOT NULL CHECK (version > 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  metrics          jsonb NOT NULL DEFAULT '{}',
  params           jsonb NOT NULL DEFAULT '{}',
  dataset_version  text,
  feature_version  text,
  training_job     text,
  artifact         jsonb NOT NULL,
  weights          bytea NOT NULL,
  weights_sha256   text NOT NULL,
  PRIMARY KEY (name, version)
);
-- Float weights do not compress: store them out of line without trying pglz.
ALTER TABLE model_versions ALTER COLUMN weights SET STORAGE EXTERNAL;

CREATE TABLE model_aliases (
  name        text NOT NULL,
  alias       text NOT NULL,
  version     integer NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE
);

CREATE TABLE tuning_trials (
  study        text NOT NULL,
  trial        integer NOT NULL CHECK (trial >= 0),
  params       jsonb NOT NULL DEFAULT '{}',
  metrics      jsonb,
  status       text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'pruned')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (study, trial)
);

CREATE TABLE prediction_log (
  id             bigserial PRIMARY KEY,
  model          text NOT NULL,
  version        integer NOT NULL,
  ts             timestamptz NOT NULL DEFAULT now(),
  feature_names  text[] NOT NULL,
  features       real[] NOT NULL,
  outputs        real[] NOT NULL
);
CREATE INDEX prediction_log_model_ts ON prediction_log (model, ts);

CREATE TABLE drift_results (
  id       bigserial PRIMARY KEY,
  monitor  text NOT NULL,
  model    text NOT NULL,
  version  integer,
  ran_at   timestamptz NOT NULL DEFAULT now(),
  result   jsonb NOT NULL
);
CREATE INDEX drift_results_monitor_ran_at ON drift_results (monitor, ran_at);
CREATE INDEX drift_results_model_ran_at ON drift_results (model, ran_at);

CREATE TABLE dataset_profiles (
  dataset     text NOT NULL,
  version     text NOT NULL,
  profile     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dataset, version)
);
`,
  },
  {
    version: 2,
    name: 'materialized feature sets',
    sql: `
CREATE TABLE feature_set_versions (
  feature_set    text NOT NULL,
  version        text NOT NULL,
  feature_names  text[] NOT NULL,
  target         text NOT NULL,
  rows           integer NOT NULL CHECK (rows >= 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (feature_set, version)
);

CREATE TABLE feature_rows (
  feature_set  text NOT NULL,
  version      text NOT NULL,
  entity       text NOT NULL DEFAULT '',
  ts           timestamptz NOT NULL,
  features     real[] NOT NULL,
  target       real,
  PRIMARY KEY (feature_set, version, entity, ts),
  FOREIGN KEY (feature_set, version) REFERENCES feature_set_versions (feature_set, version) ON DELETE CASCADE
);
`,
  },
  {
    version: 3,
    name: 'drop dataset profiles (never written: profiles live on Dataset status)',
    sql: `
DROP TABLE IF EXISTS dataset_profiles;
`,
  },
  {
    version: 4,
    name: 'training curves, held-out forecast of each model version',
    sql: `
CREATE TABLE training_epochs (
  study     text NOT NULL,
  trial     integer NOT NULL,
  stage     text NOT NULL,
  epoch     integer NOT NULL CHECK (epoch > 0),
  loss      double precision,
  val_loss  double precision,
  PRIMARY KEY (study, trial, stage, epoch)
);

ALTER TABLE model_versions ADD COLUMN evaluation jsonb;
`,
  },
];

/** MIGRATION_LOCK_KEY is the pg_advisory_xact_lock key serialising migration runs ('fluxora' in ASCII). */
export const MIGRATION_LOCK_KEY = '28832676473516641';

/** MigrationResult reports a migrate() run. */
export interface MigrationResult {
  /** Versions applied by this run, in order (empty when the schema was current). */
  applied: number[];
  /** The schema version after the run. */
  current: number;
}

/**
 * migrate brings the database schema up to date: in one transaction, under
 * `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)` (so concurrent pods wait for each
 * other and then find nothing to do), it applies every migration newer than those
 * recorded in `fluxora_schema_migrations` and records them. Idempotent. A failing
 * migration rolls the whole run back. A database newer than this code, or an
 * applied migration whose text changed, is logged as a warning.
 */
export async function migrate(
  pool: pg.Pool,
  options: { logger?: StoreLogger; migrations?: readonly Migration[] } = {},
): Promise<MigrationResult> {
  const logger = options.logger ?? defaultStoreLogger();
  const list = options.migrations ?? migrations;
  assertOrdered(list);
  const { applied, recorded } = await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query(`
CREATE TABLE IF NOT EXISTS fluxora_schema_migrations (
  version     integer PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
)`);
    const done = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM fluxora_schema_migrations ORDER BY version',
    );
    const recorded = new Map(done.rows.map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const m of list) {
      const sum = checksum(m.sql);
      const seen = recorded.get(m.version);
      if (seen !== undefined) {
        if (seen !== sum) logger.warn({ version: m.version, name: m.name }, 'applied migration differs from its recorded checksum');
        continue;
      }
      await client.query(m.sql);
      await client.query('INSERT INTO fluxora_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        sum,
      ]);
      applied.push(m.version);
    }
    return { applied, recorded };
  });
  const known = list.length > 0 ? list[list.length - 1].version : 0;
  const current = Math.max(known, ...recorded.keys());
  if (current > known) logger.warn({ current, known }, 'database schema is newer than this fluxora version');
  if (applied.length > 0) logger.info({ applied, current }, 'applied database migrations');
  return { applied, current };
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

function assertOrdered(list: readonly Migration[]): void {
  let last = 0;
  for (const m of list) {
    if (!Number.isInteger(m.version) || m.version <= last) {
      throw new Error(`migrations must have strictly increasing integer versions: ${m.version} after ${last}`);
    }
    last = m.version;
  }
}
