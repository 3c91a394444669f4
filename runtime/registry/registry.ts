import { createHash } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../store/transaction.ts';
import { NotFoundError } from './not-found.ts';

export { NotFoundError } from './not-found.ts';

/**
 * The model registry: immutable, numbered versions of each named model (metrics,
 * parameters, lineage, and the full artifact: the model's weights, feature pipeline,
 * conformal calibration, training profile), plus movable aliases (`production`,
 * `candidate`) pointing at versions. Versions are allocated per model as 1, 2, 3...
 * under a row lock on the `models` row, so concurrent registrations never collide.
 */

/** ModelArtifact is everything needed to serve a trained model. */
export interface ModelArtifact {
  /** The layout of `weightData`, e.g. `fluxora.forecaster/v1` (the JSON of a ForecasterArtifact). */
  format: string;
  /** The model itself (weights, trees); `ArrayBuffer[]` shards are concatenated. */
  weightData: ArrayBuffer | ArrayBufferView | ArrayBuffer[];
  /** The feature spec and fitted scalers. */
  pipeline: object;
  /** Conformal calibration (residual quantiles) for prediction intervals. */
  conformal: object;
  /** The profile of the training data, the drift reference. */
  profile: object;
  /** Forecast horizon (steps). */
  horizon: number;
  /** Input feature names, in model input order. */
  inputNames: string[];
}

/** LoadedArtifact is a ModelArtifact read back: `weightData` is a Uint8Array whose `.buffer` is exactly the weights. */
export interface LoadedArtifact extends Omit<ModelArtifact, 'weightData'> {
  weightData: Uint8Array;
}

/** RegisterModelInput describes a version to register. */
export interface RegisterModelInput {
  name: string;
  metrics?: Record<string, unknown>;
  params?: Record<string, unknown>;
  datasetVersion?: string;
  featureVersion?: string;
  trainingJob?: string;
  artifact: ModelArtifact;
  /** Alias(es) to point at the new version in the same transaction. */
  alias?: string | string[];
  /** How the version did on held-out data (the console's forecast plot): any JSON document. */
  evaluation?: object;
}

/** ModelVersionSummary is a registered version without its artifact. */
export interface ModelVersionSummary {
  name: string;
  version: number;
  createdAt: Date;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  datasetVersion: string | null;
  featureVersion: string | null;
  trainingJob: string | null;
  /** Aliases currently pointing at this version, sorted. */
  aliases: string[];
  /** Size of the weights in bytes. */
  weightBytes: number;
  /** sha256 (hex) of the weights. */
  weightsSha256: string;
}

/** ModelRecord is a registered version with its full artifact. */
export interface ModelRecord extends ModelVersionSummary {
  artifact: LoadedArtifact;
}

/** ModelSelector picks a version: by number, or by alias (`latest` = the highest version unless an alias of that name exists). */
export type ModelSelector = { version: number } | { alias: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9._-]{0,62}$/;

/**
 * registerModel stores a new version of model `input.name` (creating the model on
 * first use) and returns its number: max(version)+1 computed under `SELECT ... FOR
 * UPDATE` of the model's row, so concurrent registrations get distinct,
 * consecutive versions. Aliases in `input.alias` move to it in the same transaction.
 */
export async function registerModel(pool: pg.Pool, input: RegisterModelInput): Promise<{ name: string; version: number }> {
  const name = checkName(input.name);
  const aliases = input.alias === undefined ? [] : Array.isArray(input.alias) ? input.alias : [input.alias];
  for (const a of aliases) checkAlias(a);
  const { weightData, ...rest } = input.artifact;
  if (!Number.isInteger(rest.horizon) || rest.horizon <= 0) throw new TypeError(`artifact.horizon must be a positive integer, got ${rest.horizon}`);
  if (!Array.isArray(rest.inputNames)) throw new TypeError('artifact.inputNames must be an array of strings');
  const weights = toBuffer(weightData);
  const sha = createHash('sha256').update(weights).digest('hex');

  return withTransaction(pool, async (client) => {
    await client.query('INSERT INTO models (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    await client.query('SELECT 1 FROM models WHERE name = $1 FOR UPDATE', [name]);
    const next = await client.query<{ next: number }>(
      'SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE name = $1',
      [name],
    );
    const version = next.rows[0].next;
    await client.query(
      `INSERT INTO model_versions
         (name, version, metrics, params, dataset_version, feature_version, training_job, artifact, weights, weights_sha256, evaluation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        name,
        version,
        JSON.stringify(input.metrics ?? {}),
        JSON.stringify(input.params ?? {}),
        input.datasetVersion ?? null,
        input.featureVersion ?? null,
        input.trainingJob ?? null,
        JSON.stringify({ ...rest, weightBytes: weights.byteLength }),
        weights,
        sha,
        input.evaluation === undefined ? null : JSON.stringify(input.evaluation),
      ],
    );
    for (const alias of aliases) await upsertAlias(client, name, alias, version);
    return { name, version };
  });
}

/**
 * setAlias points `alias` of model `name` at `version` (an atomic upsert: readers see
 * the old or the new version, never none). Throws NotFoundError when the version
 * (or the model) does not exist.
 */
export async function setAlias(pool: pg.Pool, name: string, alias: string, version: number): Promise<void> {
  checkName(name);
  checkAlias(alias);
  checkVersion(version);
  try {
    await upsertAlias(pool, name, alias, version);
  } catch (err) {
    // 23503 foreign_key_violation: no such (name, version).
    if ((err as { code?: string }).code === '23503') throw await missingVersion(pool, name, version);
    throw err;
  }
}

/** removeAlias deletes `alias` of model `name`; returns whether it existed. */
export async function removeAlias(pool: pg.Pool, name: string, alias: string): Promise<boolean> {
  const res = await pool.query('DELETE FROM model_aliases WHERE name = $1 AND alias = $2', [name, alias]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * resolveVersion turns a version number, a numeric string, or an alias into the
 * version number. The alias `latest` means the highest version unless an alias
 * with that name was set. Throws NotFoundError naming what was missing.
 */
export async function resolveVersion(pool: pg.Pool, name: string, versionOrAlias: number | string): Promise<number> {
  checkName(name);
  if (typeof versionOrAlias === 'number' || /^\d+$/.test(versionOrAlias)) {
    const version = Number(versionOrAlias);
    checkVersion(version);
    const res = await pool.query('SELECT 1 FROM model_versions WHERE name = $1 AND version = $2', [name, version]);
    if (res.rowCount === 0) throw await missingVersion(pool, name, version);
    return version;
  }
  const alias = checkAlias(versionOrAlias);
  const res = await pool.query<{ version: number }>(
    `SELECT version, 0 AS rank FROM model_aliases WHERE name = $1 AND alias = $2::text
     UNION ALL
     SELECT max(version), 1 FROM model_versions WHERE name = $1 AND $2::text = 'latest' HAVING max(version) IS NOT NULL
     ORDER BY rank LIMIT 1`,
    [name, alias],
  );
  if (res.rows.length > 0) return res.rows[0].version;
  if (!(await modelExists(pool, name))) throw new NotFoundError('model', name);
  throw new NotFoundError('alias', name, { alias });
}

/**
 * loadModel reads one version with its full artifact (weights as a Uint8Array,
 * checked against the stored sha256). Throws NotFoundError when the model, the
 * version or the alias is missing.
 */
export async function loadModel(pool: pg.Pool, name: string, selector: ModelSelector): Promise<ModelRecord> {
  const version = 'version' in selector ? selector.version : await resolveVersion(pool, name, selector.alias);
  checkVersion(version);
  const res = await pool.query<VersionRow & { artifact: Record<string, unknown>; weights: Buffer }>(
    `SELECT ${SUMMARY_COLUMNS}, v.artifact, v.weights FROM model_versions v WHERE v.name = $1 AND v.version = $2`,
    [name, version],
  );
  if (res.rows.length === 0) throw await missingVersion(pool, name, version);
  const row = res.rows[0];
  const sha = createHash('sha256').update(row.weights).digest('hex');
  if (sha !== row.weights_sha256) {
    throw new Error(`model "${name}" version ${version}: stored weights do not match their sha256 (corrupted)`);
  }
  const { weightBytes: _bytes, ...artifact } = row.artifact;
  return {
    ...summary(row),
    artifact: { ...(artifact as Omit<LoadedArtifact, 'weightData'>), weightData: ownedBytes(row.weights) },
  };
}

/** listVersions returns every version of model `name`, oldest first, without artifacts; NotFoundError when the model is unknown. */
export async function listVersions(pool: pg.Pool, name: string): Promise<ModelVersionSummary[]> {
  checkName(name);
  const res = await pool.query<VersionRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM model_versions v WHERE v.name = $1 ORDER BY v.version`,
    [name],
  );
  if (res.rows.length === 0 && !(await modelExists(pool, name))) throw new NotFoundError('model', name);
  return res.rows.map(summary);
}

/** loadEvaluation returns the held-out evaluation stored with a version, or undefined when it has none; NotFoundError when the version does not exist. */
export async function loadEvaluation(pool: pg.Pool, name: string, version: number): Promise<object | undefined> {
  checkName(name);
  checkVersion(version);
  const res = await pool.query<{ evaluation: object | null }>('SELECT evaluation FROM model_versions WHERE name = $1 AND version = $2', [name, version]);
  if (res.rows.length === 0) throw await missingVersion(pool, name, version);
  return res.rows[0].evaluation ?? undefined;
}

/** listModels returns every registered model with its latest version number and aliases. */
export async function listModels(
  pool: pg.Pool,
): Promise<{ name: string; createdAt: Date; latestVersion: number | null; aliases: Record<string, number> }[]> {
  const res = await pool.query<{ name: string; created_at: Date; latest: number | null; aliases: Record<string, number> | null }>(
    `SELECT m.name, m.created_at,
            (SELECT max(version) FROM model_versions v WHERE v.name = m.name) AS latest,
            (SELECT jsonb_object_agg(a.alias, a.version) FROM model_aliases a WHERE a.name = m.name) AS aliases
       FROM models m ORDER BY m.name`,
  );
  return res.rows.map((r) => ({ name: r.name, createdAt: r.created_at, latestVersion: r.latest, aliases: r.aliases ?? {} }));
}

interface VersionRow {
  name: string;
  version: number;
  created_at: Date;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  dataset_version: string | null;
  feature_version: string | null;
  training_job: string | null;
  aliases: string[];
  weight_bytes: number;
  weights_sha256: string;
}

const SUMMARY_COLUMNS = `v.name, v.version, v.created_at, v.metrics, v.params, v.dataset_version, v.feature_version,
  v.training_job, v.weights_sha256, octet_length(v.weights) AS weight_bytes,
  ARRAY(SELECT a.alias FROM model_aliases a WHERE a.name = v.name AND a.version = v.version ORDER BY a.alias) AS aliases`;

function summary(row: VersionRow): ModelVersionSummary {
  return {
    name: row.name,
    version: row.version,
    createdAt: row.created_at,
    metrics: row.metrics,
    params: row.params,
    datasetVersion: row.dataset_version,
    featureVersion: row.feature_version,
    trainingJob: row.training_job,
    aliases: row.aliases,
    weightBytes: row.weight_bytes,
    weightsSha256: row.weights_sha256,
  };
}

async function upsertAlias(db: pg.Pool | pg.PoolClient, name: string, alias: string, version: number): Promise<void> {
  await db.query(
    `INSERT INTO model_aliases (name, alias, version) VALUES ($1, $2, $3)
     ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
    [name, alias, version],
  );
}

async function modelExists(pool: pg.Pool, name: string): Promise<boolean> {
  const res = await pool.query('SELECT 1 FROM models WHERE name = $1', [name]);
  return (res.rowCount ?? 0) > 0;
}

async function missingVersion(pool: pg.Pool, name: string, version: number): Promise<NotFoundError> {
  return (await modelExists(pool, name)) ? new NotFoundError('version', name, { version }) : new NotFoundError('model', name);
}

function checkName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`invalid model name ${JSON.stringify(name)}: use letters, digits, '.', '_', '-' (at most 253)`);
  }
  return name;
}

function checkAlias(alias: string): string {
  if (typeof alias !== 'string' || !ALIAS.test(alias)) {
    throw new TypeError(`invalid alias ${JSON.stringify(alias)}: start with a letter, then letters, digits, '.', '_', '-' (at most 63)`);
  }
  return alias;
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version <= 0 || version > 2_147_483_647) {
    throw new TypeError(`invalid model version ${version}: a positive integer`);
  }
}

function toBuffer(data: ArrayBuffer | ArrayBufferView | ArrayBuffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data.map((part) => new Uint8Array(part)));
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw new TypeError('artifact.weightData must be an ArrayBuffer, a typed array, or an array of ArrayBuffers');
}

/** A Uint8Array that owns its ArrayBuffer exactly (tfjs wants `weightData.buffer` to be the weights). */
function ownedBytes(buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return new Uint8Array(buf.buffer, 0, buf.byteLength);
  return new Uint8Array(buf);
}
