import { roleLogger } from '../runtime/roles/logger.ts';
import { CONTRACT_VERSION } from '../runtime/contract/version.ts';
import { readRoleConfig } from '../runtime/contract/config.ts';
import { runDrift } from '../runtime/roles/drift.ts';
import { runMaterialize } from '../runtime/roles/materialize.ts';
import { runProfile } from '../runtime/roles/profile.ts';
import { openRoleStore } from '../runtime/roles/store.ts';
import { writeTerminationMessage } from '../runtime/roles/termination.ts';
import { PROGRESS_PORT, startProgressEndpoint } from '../runtime/roles/progress.ts';
import { startServing } from '../runtime/roles/serve.ts';
import { runFinal, runTrial } from '../runtime/roles/train.ts';
import { type Command, UsageError } from './command.ts';

const configHelp = `  --config FILE      the resolved resource JSON (default: $FLUXORA_CONFIG)
  --state-dir DIR    where an embedded PostgreSQL keeps its data when no database
                     is configured (default: .fluxora)
  -h, --help         show this help

The database comes from FLUXORA_DATABASE_URL (or PGHOST/PGPORT/PGUSER/PGPASSWORD/
PGDATABASE); in a cluster the operator passes it from a Secret. A JSON summary is
printed on stdout and, in a pod, written to /dev/termination-log (under 4 KiB).`;

const common = { config: { type: 'string' as const }, 'state-dir': { type: 'string' as const } };

/** finish prints a role's summary, writes the termination message, and maps an error to exit 1 with the message. */
async function finish(work: () => Promise<Record<string, unknown>>, ok: (s: Record<string, unknown>) => boolean = () => true): Promise<number> {
  try {
    const summary = { contract: CONTRACT_VERSION, ...(await work()) };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    writeTerminationMessage(summary);
    return ok(summary) ? 0 : 1;
  } catch (err) {
    const message = (err as Error).message;
    writeTerminationMessage({ error: message });
    process.stderr.write(`${message}\n`);
    return 1;
  }
}

/** profileCommand is `fluxora profile`: load, validate and profile a Dataset. */
export const profileCommand: Command = {
  name: 'profile',
  summary: 'Load, validate and profile a Dataset (a workload role)',
  help: `Usage: fluxora profile [--config FILE]

Loads the Dataset's data (CSV, JSON lines or PostgreSQL), checks it against the
declared columns and validation rules, and profiles it (rows, time range,
per-column statistics, content-hash version). Malformed rows are reported with
line numbers; a failed validation is reported in the summary (exit 0), an
unreadable source or a missing column exits 1.

Options:
${configHelp}`,
  options: common,
  async run(values) {
    const log = roleLogger('profile');
    return finish(async () => ({ ...(await runProfile(await readRoleConfig('profile', values.config as string | undefined), { log })) }));
  },
};

/** trainCommand is `fluxora train`: one tuning trial, or the final training and registration. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a TrainingJob: one tuning trial (--trial N) or the final model (a workload role)',
  help: `Usage: fluxora train [--config FILE] [--trial N] [--progress-port N]

Without --trial, trains the model to register: with tuning, on the best finished
trial's parameters; evaluates it on the held-out test split against the
seasonal-naive baseline, calibrates split-conformal intervals, and registers it.
With --trial N (an Indexed Job passes its completion index), runs tuning trial
N and records its validation objective in the store.

While it trains, the latest epoch, epoch count, training and validation loss
(and the trial index) are served as Prometheus gauges on
http://$FLUXORA_LISTEN_HOST:PORT/metrics; the operator reads them into the
TrainingJob's status.progress.

Options:
  --trial N          run tuning trial N (0-based)
  --progress-port N  port of the live-progress endpoint (default ${PROGRESS_PORT}; 0 = none)
${configHelp}`,
  options: { ...common, trial: { type: 'string' }, 'progress-port': { type: 'string' } },
  async run(values) {
    const log = roleLogger('train');
    const config = await readRoleConfig('train', values.config as string | undefined);
    const trial = values.trial === undefined ? undefined : Number(values.trial);
    if (trial !== undefined && !Number.isInteger(trial)) throw new UsageError(`--trial must be an integer, got "${values.trial}"`);
    const progressPort = Number((values['progress-port'] as string | undefined) ?? PROGRESS_PORT);
    if (!Number.isInteger(progressPort) || progressPort < 0 || progressPort > 65535) {
      throw new UsageError(`--progress-port must be a port number, got "${values['progress-port']}"`);
    }
    return finish(async () => {
      const progress = progressPort === 0 ? undefined : await startProgressEndpoint({ host: process.env.FLUXORA_LISTEN_HOST ?? '0.0.0.0', port: progressPort, log });
      const store = await openRoleStore({ stateDir: (values['state-dir'] as string | undefined) ?? '.fluxora', log });
      try {
        const ctx = { pool: store.pool, log, onProgress: progress?.update };
        return trial === undefined ? { ...(await runFinal(config, ctx)) } : { ...(await runTrial(config, trial, ctx)) };
      } finally {
        await store.close();
        await progress?.close();
      }
    });
  },
};

/** materializeCommand is `fluxora materialize`: store a FeatureSet's computed features. */
export const materializeCommand: Command = {
  name: 'materialize',
  summary: "Store a FeatureSet's computed features in the database (a workload role)",
  help: `Usage: fluxora materialize [--config FILE]

Loads the FeatureSet's Dataset, computes the model inputs of one forecast step
for every row with the code training and serving run, and writes them to the
store's feature_rows table under the FeatureSet version (one transaction; a
rerun of the same version replaces it; the newest 3 versions are kept).

Options:
${configHelp}`,
  options: common,
  async run(values) {
    const log = roleLogger('materialize');
    const config = await readRoleConfig('materialize', values.config as string | undefined);
    return finish(async () => {
      const store = await openRoleStore({ stateDir: (values['state-dir'] as string | undefined) ?? '.fluxora', log });
      try {
        return { ...(await runMaterialize(config, { pool: store.pool, log })) };
      } finally {
        await store.close();
      }
    });
  },
};

/** driftCommand is `fluxora drift`: one drift check of a DriftMonitor. */
export const driftCommand: Command = {
  name: 'drift',
  summary: "Compare recent predictions with the model's training profile (a workload role)",
  help: `Usage: fluxora drift [--config FILE]

Reads the DriftMonitor's window of the prediction log and compares each
monitored feature with the training profile stored with the served model:
Kolmogorov-Smirnov (p < 0.05) up to 1000 samples, normalised Wasserstein
distance (> 0.1) above, PSI or Jensen-Shannon where configured. The dataset
drifts when at least driftShare of the features drift; fewer than minSamples
predictions give "InsufficientData", not drift.

Options:
${configHelp}`,
  options: common,
  async run(values) {
    const log = roleLogger('drift');
    const config = await readRoleConfig('drift', values.config as string | undefined);
    return finish(async () => {
      const store = await openRoleStore({ stateDir: (values['state-dir'] as string | undefined) ?? '.fluxora', log });
      try {
        return { ...(await runDrift(config, { pool: store.pool, log })) };
      } finally {
        await store.close();
      }
    });
  },
};

/** serveCommand is `fluxora serve`: the inference server of a ModelDeployment. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve a registered model: Open Inference Protocol and /v1/forecast (a workload role)',
  help: `Usage: fluxora serve [--config FILE] [--port N] [--host H]

Loads the model version (or alias) from the registry, warms it up, and only then
reports ready on /v2/health/ready. Speaks the Open Inference Protocol (KServe V2
REST) and POST /v1/forecast, micro-batches concurrent requests, sheds load with
503 and Retry-After, logs predictions to the store asynchronously, exposes
Prometheus metrics on /metrics, and drains on SIGTERM.

API keys: from the file named by FLUXORA_API_KEY_FILE (a mounted Secret) or the
comma-separated FLUXORA_API_KEYS; health endpoints and /metrics stay open.

Options:
  --port N           port to listen on (default 8080)
  --host H           address to listen on (default $FLUXORA_LISTEN_HOST or 0.0.0.0)
${configHelp}`,
  options: { ...common, port: { type: 'string' }, host: { type: 'string' } },
  async run(values) {
    const log = roleLogger('serve');
    const config = await readRoleConfig('serve', values.config as string | undefined);
    const port = Number((values.port as string | undefined) ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${values.port}"`);
    const apiKeys = await readApiKeys(process.env);
    const store = await openRoleStore({ stateDir: (values['state-dir'] as string | undefined) ?? '.fluxora', log });
    try {
      await startServing(config, { pool: store.pool, log, port, host: (values.host as string | undefined) ?? process.env.FLUXORA_LISTEN_HOST ?? '0.0.0.0', apiKeys, handleSignals: true, onExit: () => store.close() });
    } catch (err) {
      await store.close();
      throw err;
    }
    return new Promise<number>(() => {});
  },
};

/** readApiKeys reads the serving API keys from a mounted Secret file or an environment variable. */
export async function readApiKeys(env: Record<string, string | undefined>): Promise<string[] | undefined> {
  const { readFile } = await import('node:fs/promises');
  const file = env.FLUXORA_API_KEY_FILE;
  const text = file ? await readFile(file, 'utf8') : env.FLUXORA_API_KEYS;
  if (text === undefined) return undefined;
  const keys = text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new Error(`${file ?? 'FLUXORA_API_KEYS'} holds no API key`);
  return keys;
}
