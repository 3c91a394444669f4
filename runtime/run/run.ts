import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pino from 'pino';
import { loadManifests } from '../../crds/files.ts';
import { formatProblem } from '../../crds/validate.ts';
import type {
  DatasetResource,
  DriftMonitorResource,
  FeatureSetResource,
  ModelDeploymentResource,
  Resource,
  TrainingJobResource,
} from '../pipeline/resources.ts';
import { runMaterialize } from '../roles/materialize.ts';
import { isWaiting, resolveDriftInputs, resolveFeatureSetInputs, resolveModelSelector, resolveTrainingInputs } from '../pipeline/resolve.ts';
import {
  datasetFieldsFromProfile,
  driftFieldsFromSummary,
  failureHealth,
  featureSetStatus,
  materializedStatus,
  trainingFieldsFromSummary,
} from '../pipeline/status.ts';
import type { TrainConfig } from '../contract/config.ts';
import { runDrift } from '../roles/drift.ts';
import type { RoleLogger } from '../roles/logger.ts';
import { runProfile } from '../roles/profile.ts';
import { type Serving, startServing } from '../roles/serve.ts';
import { openRoleStore, type RoleStore } from '../roles/store.ts';
import { runFinal } from '../roles/train.ts';
import type { StateLock } from '../store/state-lock.ts';
import { ApiKeyAuth } from '../console/auth.ts';
import { type ConsoleServer, startConsole } from '../console/server.ts';
import { RunConsoleSource } from './console-source.ts';
import { checkPorts, claimStateDir } from './preflight.ts';
import { Progress } from './progress.ts';
import { replayTraffic } from './replay.ts';
import { manifestData, secretValue } from './secrets.ts';
import { RunState } from './state.ts';
import { printStatusTable, toList } from './output.ts';
import { runTrialsInProcesses } from './trials.ts';

/** RunOptions configure `fluxora run`. */
export interface RunOptions {
  path: string;
  stateDir: string;
  fresh: boolean;
  serve: boolean;
  port: number;
  host: string;
  output: 'table' | 'json';
  /** Forecast requests replayed from the data through each deployment before drift checks (0: none). */
  replay: number;
  /** Serve the web console on this port (0 picks one) from the start of the run; none when undefined. */
  consolePort?: number;
  env: Record<string, string | undefined>;
}

/** RunResult is the outcome of a run: its exit code, the resources with status, and the servers still running. */
export interface RunResult {
  exitCode: number;
  state?: RunState;
  servers: Serving[];
  apiKeys: Map<string, string>;
  /** The web console, when it was asked for: its URL and the token it accepts (the deployments' API keys too). */
  console?: { url: string; token: string };
  close(): Promise<void>;
}

function ready(r: Resource<unknown>): boolean {
  return r.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Run is what the steps of one `fluxora run` share. */
interface Run {
  opts: RunOptions;
  state: RunState;
  store: RoleStore;
  log: RoleLogger;
  progress: Progress;
  data: ReturnType<typeof manifestData>;
  /** The folder a resource's manifest came from: relative data paths resolve against it. */
  dataDirOf: (r: Resource<unknown>) => string;
  /** The environment a Dataset's source is read with (its PostgreSQL Secret resolved from the manifests). */
  sourceEnv: (ds: DatasetResource) => Record<string, string | undefined>;
  /** The environment of child processes (tuning trials): the store's address added. */
  childEnv: Record<string, string | undefined>;
  servers: Serving[];
  apiKeys: Map<string, string>;
  /** The console's keys: a deployment's API key is added when it is served. */
  consoleAuth?: ApiKeyAuth;
}

/**
 * runPipeline runs manifests on this machine with the role code the operator
 * runs in pods: profile every Dataset, resolve FeatureSets, train TrainingJobs
 * (tuning trials in parallel processes), serve ModelDeployments on localhost,
 * replay recent data through them, and run DriftMonitors. Statuses are built by
 * the same functions the operator uses. A failure stops only what depends on it.
 */
export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const servers: Serving[] = [];
  const apiKeys = new Map<string, string>();
  let store: RoleStore | undefined;
  let stateLock: StateLock | undefined;
  let consoleServer: ConsoleServer | undefined;
  const close = async () => {
    await consoleServer?.close().catch(() => undefined);
    for (const s of servers) await s.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await stateLock?.release();
  };
  const loaded = await loadManifests(opts.path);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`fluxora run: ${loaded.problems.length} problem(s) in the manifests; nothing was run\n`);
    return { exitCode: 1, servers, apiKeys, close };
  }
  // Fail at once, not after training, on a taken port or a state dir in use.
  await checkPorts(opts.host, opts.port, loaded.resources.filter((r) => r.kind === 'ModelDeployment').length);
  if (opts.consolePort) await checkPorts(opts.host, opts.consolePort, 1, '--console-port');
  stateLock = await claimStateDir(opts.stateDir, { fresh: opts.fresh });
  const log: RoleLogger = pino({ name: 'fluxora-run', level: 'info' }, pino.destination({ dest: join(opts.stateDir, 'run.log'), sync: false }));
  const runId = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const state = new RunState(loaded.resources, runId);
  const progress = new Progress();
  progress.log(`Running ${state.resources.length} resources from ${opts.path} (state in ${opts.stateDir})`);
  try {
    store = await openRoleStore({ stateDir: opts.stateDir, env: opts.env, log });
  } catch (err) {
    process.stderr.write(`fluxora run: cannot open the store: ${(err as Error).message}\n`);
    return { exitCode: 1, state, servers, apiKeys, close };
  }
  const data = manifestData(loaded.manifests);
  const run: Run = {
    opts,
    state,
    store,
    log,
    progress,
    data,
    dataDirOf: (r) => {
      const m = loaded.resources.find((v) => v.kind === r.kind && v.name === r.name && v.namespace === r.namespace);
      return m ? resolve(dirname(m.source.file)) : process.cwd();
    },
    sourceEnv: (ds) => {
      const pg = ds.spec.source.postgres;
      if (!pg) return opts.env;
      const secret = data.secrets.get(pg.secretRef.name)?.[pg.secretRef.key];
      if (secret === undefined) throw new Error(`Secret "${pg.secretRef.name}" with key "${pg.secretRef.key}" is not among the manifests`);
      return { ...opts.env, FLUXORA_SOURCE_DATABASE_URL: secret };
    },
    childEnv: { ...opts.env, FLUXORA_DATABASE_URL: store.connectionString },
    servers,
    apiKeys,
  };
  let consoleInfo: RunResult['console'];
  if (opts.consolePort !== undefined) {
    const token = randomBytes(18).toString('base64url');
    run.consoleAuth = new ApiKeyAuth([token]);
    try {
      consoleServer = await startConsole({ source: new RunConsoleSource(state, store.pool, servers), auth: run.consoleAuth, log, port: opts.consolePort, host: opts.host });
    } catch (err) {
      process.stderr.write(`fluxora run: cannot start the console: ${(err as Error).message}\n`);
      return { exitCode: 1, state, servers, apiKeys, close };
    }
    consoleInfo = { url: consoleServer.url, token };
    progress.log(`Console: ${consoleServer.url}/#token=${token}`);
  }
  await profileDatasets(run);
  await resolveFeatureSets(run);
  await trainModels(run);
  await serveModels(run);
  await checkDrift(run);
  return { exitCode: report(run), state, servers, apiKeys, console: consoleInfo, close };
}

/** profileDatasets profiles every Dataset with the profile role and sets its status. */
async function profileDatasets(run: Run): Promise<void> {
  for (const ds of run.state.ofKind<DatasetResource>('Dataset')) {
    run.progress.log(`Dataset/${ds.name}: profiling`);
    try {
      const summary = await runProfile(
        { role: 'profile', dataset: ds, dataDir: run.dataDirOf(ds) },
        { log: run.log, env: run.sourceEnv(ds), configMaps: run.data.configMaps },
      );
      const { fields, health } = datasetFieldsFromProfile(summary);
      run.state.setStatus(ds, health, { ...fields, phase: health.state === 'Ready' ? 'Ready' : 'Failed', lastProfileTime: new Date().toISOString() });
    } catch (err) {
      run.state.setStatus(ds, failureHealth('ProfileFailed', (err as Error).message), { phase: 'Failed' });
    }
  }
}

/** resolveFeatureSets resolves every FeatureSet against its Dataset and materializes those that ask for it. */
async function resolveFeatureSets(run: Run): Promise<void> {
  for (const fs of run.state.ofKind<FeatureSetResource>('FeatureSet')) {
    const inputs = resolveFeatureSetInputs(fs, run.state);
    if (isWaiting(inputs)) {
      run.state.setStatus(fs, { state: 'Stalled', reason: inputs.reason, message: inputs.message });
      continue;
    }
    const { health, fields } = featureSetStatus(fs, inputs.dataset);
    if (!fs.spec.materialize?.enabled) {
      run.state.setStatus(fs, health, fields);
      continue;
    }
    run.progress.log(`FeatureSet/${fs.name}: materializing version ${fields.version}`);
    try {
      const m = await runMaterialize(
        { role: 'materialize', featureSet: fs, dataset: inputs.dataset, dataDir: run.dataDirOf(inputs.dataset) },
        { pool: run.store.pool, log: run.log, env: run.sourceEnv(inputs.dataset), configMaps: run.data.configMaps },
      );
      const done = materializedStatus({ health, fields }, m, { completionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      run.state.setStatus(fs, done.health, done.fields);
    } catch (err) {
      run.state.setStatus(fs, failureHealth('MaterializationFailed', (err as Error).message), fields);
    }
  }
}

/** trainModels runs every TrainingJob whose inputs are Ready: its tuning trials in processes, then the model it registers. */
async function trainModels(run: Run): Promise<void> {
  for (const tj of run.state.ofKind<TrainingJobResource>('TrainingJob')) {
    const inputs = resolveTrainingInputs(tj, run.state);
    if (isWaiting(inputs)) {
      run.state.setStatus(tj, { state: 'Stalled', reason: inputs.reason, message: inputs.message }, { phase: 'Failed' });
      continue;
    }
    const config: TrainConfig = { role: 'train', trainingJob: tj, featureSet: inputs.featureSet, dataset: inputs.dataset, dataDir: run.dataDirOf(inputs.dataset) };
    const startTime = new Date().toISOString();
    run.state.setStatus(tj, { state: 'Progressing', reason: 'Training', message: tj.spec.tuning ? `${tj.spec.tuning.trials} tuning trials, then the model to register` : 'training the model to register' }, { phase: 'Running', startTime });
    try {
      const tuning = tj.spec.tuning;
      if (tuning) {
        run.progress.log(`TrainingJob/${tj.name}: ${tuning.trials} tuning trials (${tuning.algorithm}), ${tuning.parallelism} at a time`);
        const { failed } = await runTrialsInProcesses(config, {
          stateDir: run.opts.stateDir,
          env: run.childEnv,
          onProgress: (p) => {
            const key = `${tj.name} trial ${p.trial + 1}/${tuning.trials}`;
            if (p.done) {
              run.progress.end(key);
              run.progress.log(`TrainingJob/${tj.name}: trial ${p.trial + 1}/${tuning.trials} ${tuning.objective.metric}=${p.value?.toFixed(2)}`);
            } else if (p.epoch !== undefined) {
              run.progress.bar(key, p.epoch, p.epochs ?? 1, `epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(4)}`);
            }
          },
        });
        for (const f of failed) run.progress.log(`TrainingJob/${tj.name}: trial ${f.trial + 1} failed: ${f.message}`);
      }
      run.progress.log(`TrainingJob/${tj.name}: training the model to register`);
      const key = `${tj.name} final`;
      const summary = await runFinal(config, {
        pool: run.store.pool,
        log: run.log,
        onProgress: (p) => run.progress.bar(key, p.epoch, p.epochs, `${p.stage ?? ''} epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} val ${p.valLoss.toFixed(4)}`),
      });
      run.progress.end(key);
      const m = summary.metrics;
      run.progress.log(
        `TrainingJob/${tj.name}: registered ${summary.model.name} v${summary.model.version} (${summary.backtest.selected}): backtest MAE ${m.mae} (seasonal-naive ${summary.baseline.mae}, MASE ${m.mase}), RMSE ${m.rmse}, sMAPE ${m.smape}%, R2 ${m.r2}, ${(tj.spec.intervals.coverage * 100).toFixed(0)}% intervals cover ${((m.intervalCoverage ?? Number.NaN) * 100).toFixed(1)}%`,
      );
      run.state.setStatus(tj, { state: 'Ready', reason: 'Succeeded', message: `registered ${summary.model.name} version ${summary.model.version}` }, {
        ...trainingFieldsFromSummary(summary),
        phase: 'Succeeded',
        startTime,
        completionTime: new Date().toISOString(),
      });
    } catch (err) {
      run.state.setStatus(tj, failureHealth('TrainingFailed', (err as Error).message), { phase: 'Failed', startTime });
    }
  }
}

/** serveModels starts an inference server on localhost for every ModelDeployment whose model resolves. */
async function serveModels(run: Run): Promise<void> {
  let port = run.opts.port;
  for (const md of run.state.ofKind<ModelDeploymentResource>('ModelDeployment')) {
    const model = resolveModelSelector(md, run.state);
    if (isWaiting(model)) {
      run.state.setStatus(md, { state: 'Stalled', reason: model.reason, message: model.message });
      continue;
    }
    try {
      const auth = md.spec.auth?.apiKeySecretRef;
      let keys: string[] | undefined;
      if (auth) {
        const { value, generated } = secretValue(run.data, auth.name, auth.key);
        keys = [value];
        run.apiKeys.set(md.name, value);
        run.consoleAuth?.add(value);
        if (generated) run.progress.log(`ModelDeployment/${md.name}: Secret "${auth.name}" is not among the manifests; generated an API key for this run`);
      }
      const serving = await startServing({ role: 'serve', deployment: md, model }, { pool: run.store.pool, log: run.log, port, host: run.opts.host, apiKeys: keys });
      run.servers.push(serving);
      port = port === 0 ? 0 : port + 1;
      run.progress.log(`ModelDeployment/${md.name}: serving ${serving.model.name} v${serving.model.version} at ${serving.url}`);
      run.state.setStatus(md, { state: 'Ready', reason: 'Serving', message: `version ${serving.model.version} ready at ${serving.url}` }, {
        replicas: 1,
        readyReplicas: 1,
        model: serving.model,
        url: serving.url,
      });
    } catch (err) {
      run.state.setStatus(md, failureHealth('ServeFailed', (err as Error).message));
    }
  }
}

/** checkDrift replays recent data through each watched deployment (filling its prediction log) and runs each DriftMonitor. */
async function checkDrift(run: Run): Promise<void> {
  for (const dm of run.state.ofKind<DriftMonitorResource>('DriftMonitor')) {
    const inputs = resolveDriftInputs(dm, run.state);
    if (isWaiting(inputs) || !ready(inputs.deployment)) {
      const why = isWaiting(inputs) ? inputs : { reason: 'ModelDeploymentNotReady' as const, message: `ModelDeployment "${dm.spec.modelDeploymentRef.name}" is not Ready` };
      run.state.setStatus(dm, { state: 'Stalled', reason: why.reason, message: why.message });
      continue;
    }
    try {
      const serving = run.servers.find((s) => s.deploymentName === inputs.deployment.name);
      if (serving && run.opts.replay > 0) {
        const r = await replayTraffic(run.state, inputs.deployment, serving, {
          requests: Math.max(run.opts.replay, dm.spec.minSamples),
          apiKey: run.apiKeys.get(inputs.deployment.name),
          dataDirOf: run.dataDirOf,
          configMaps: run.data.configMaps,
          env: run.opts.env,
        });
        run.progress.log(`ModelDeployment/${inputs.deployment.name}: replayed ${r.requests} forecasts from the data: p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} errors`);
        await serving.flushLog();
        await writeFile(join(run.opts.stateDir, `forecast-request-${inputs.deployment.name}.json`), JSON.stringify(r.example));
        if (r.timeSeriesExample) {
          await writeFile(join(run.opts.stateDir, `timeseries-request-${inputs.deployment.name}.json`), JSON.stringify(r.timeSeriesExample));
        }
      }
      const summary = await runDrift({ role: 'drift', monitor: dm, deployment: inputs.deployment, model: serving?.model ?? inputs.model }, { pool: run.store.pool, log: run.log });
      run.progress.log(`DriftMonitor/${dm.name}: ${summary.result} (${summary.samples} samples, ${Math.round(summary.driftedShare * 100)}% of features drifted)`);
      run.state.setStatus(dm, { state: 'Ready', reason: summary.result, message: `${summary.result}: ${summary.samples} samples` }, driftFieldsFromSummary(summary));
    } catch (err) {
      run.state.setStatus(dm, failureHealth('DriftCheckFailed', (err as Error).message));
    }
  }
}

/** report prints the status table (or JSON List) and why each resource that is not Ready is not; returns the exit code. */
function report(run: Run): number {
  const failed = run.state.resources.filter((r) => !ready(r));
  if (run.opts.output === 'json') process.stdout.write(`${JSON.stringify(toList(run.state), null, 2)}\n`);
  else printStatusTable(run.state, process.stdout);
  for (const r of failed) {
    const c = r.status?.conditions?.find((x) => x.type === 'Ready');
    process.stderr.write(`${r.kind}/${r.name} is not Ready: ${c?.reason}: ${c?.message}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
