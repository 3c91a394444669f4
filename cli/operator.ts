import { flushCompileCache } from 'node:module';
import { hostname } from 'node:os';
import type pg from 'pg';
import { defaultOperatorOptions, type OperatorOptions } from '../operator/controllers/shared/options.ts';
import { DEFAULT_CLIENT_LIMITS } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kube-config.ts';
import { defaultKubeLogger } from '../operator/kube/logger.ts';
import { ClusterConsoleSource, KubeTokenAuth } from '../operator/console.ts';
import { buildOperatorParts } from '../operator/setup.ts';
import { startConsole } from '../runtime/console/server.ts';
import { createStore, databaseConfigFromEnv } from '../runtime/store/connect.ts';
import { type Command, UsageError } from './command.ts';

/** operatorCommand is `fluxora operator`: the controller manager. */
export const operatorCommand: Command = {
  name: 'operator',
  summary: 'Run the controller manager that reconciles the five kinds (in-cluster or with a kubeconfig)',
  help: `Usage: fluxora operator [options]

Reconciles Datasets, FeatureSets, TrainingJobs, ModelDeployments and
DriftMonitors into Jobs, Deployments, Services and CronJobs running this image,
and writes status back. Serves /healthz, /readyz and /metrics.

With --console-port, serves the read-only web console there (every replica, from
its caches): it accepts the cluster's bearer tokens (TokenReview) of users who
may list the five kinds (SubjectAccessReview). The registry, training curves,
forecasts and drift history come from the store at FLUXORA_DATABASE_URL (or
PGHOST...) when the operator's environment has one; without it those parts say so.

Every API request waits for a token of one client-side bucket (--kube-api-qps,
--kube-api-burst), as client-go's clients do; events wait behind the other
requests. The caches keep only the fields the controllers read, and the process
runs V8 with --optimize-for-size (set by this command).

Options:
  --kubeconfig PATH             kubeconfig (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)
  --namespace NS                watch one namespace (default: all)
  --leader-elect[=true|false]   campaign for a Lease before reconciling (default true)
  --lease-namespace NS          namespace of the Lease (default $POD_NAMESPACE or default)
  --lease-name NAME             name of the Lease (default fluxora-operator)
  --health-port N               port of /healthz, /readyz, /metrics (default 8081; 0 picks one)
  --health-host H               address they listen on (default $FLUXORA_LISTEN_HOST or 0.0.0.0)
  --console-port N              serve the web console on this port (default: no console)
  --workers N                   concurrent reconciles per kind (default 2)
  --resync-period SECONDS       reconcile every object again this often (default 600)
  --kube-api-qps QPS            client-side limit of API requests per second (a token bucket
                                as client-go's), shared by every controller, list, watch and
                                event; leader election is exempt (default ${DEFAULT_CLIENT_LIMITS.qps}; 0 or less: no limit)
  --kube-api-burst N            requests allowed at once before the QPS applies (default ${DEFAULT_CLIENT_LIMITS.burst})
  --image IMAGE                 workload image (default ${defaultOperatorOptions.image})
  --image-pull-policy POLICY    Always, IfNotPresent or Never (default IfNotPresent)
  --database-secret NAME/KEY    Secret in each workload namespace with the store URI (default fluxora-db/uri)
  --data-dir DIR                where relative Dataset paths resolve in pods (default /data)
  --workload-service-account SA service account of workload pods (default: the namespace default)
  -h, --help                    show this help`,
  options: {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string' },
    'leader-elect': { type: 'string' },
    'lease-namespace': { type: 'string' },
    'lease-name': { type: 'string' },
    'health-port': { type: 'string' },
    'health-host': { type: 'string' },
    'console-port': { type: 'string' },
    workers: { type: 'string' },
    'resync-period': { type: 'string' },
    'kube-api-qps': { type: 'string' },
    'kube-api-burst': { type: 'string' },
    image: { type: 'string' },
    'image-pull-policy': { type: 'string' },
    'database-secret': { type: 'string' },
    'data-dir': { type: 'string' },
    'workload-service-account': { type: 'string' },
  },
  async run(values) {
    const str = (k: string) => values[k] as string | undefined;
    const int = (k: string, d: number) => {
      const v = str(k);
      if (v === undefined) return d;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${k} must be a non-negative integer, got "${v}"`);
      return n;
    };
    const leaderElect = (str('leader-elect') ?? 'true') !== 'false';
    const pullPolicy = str('image-pull-policy') ?? defaultOperatorOptions.imagePullPolicy;
    if (!['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) throw new UsageError(`--image-pull-policy must be Always, IfNotPresent or Never`);
    const secret = str('database-secret') ?? `${defaultOperatorOptions.databaseSecret.name}/${defaultOperatorOptions.databaseSecret.key}`;
    const [secretName, secretKey] = secret.split('/');
    if (!secretName || !secretKey) throw new UsageError(`--database-secret must be NAME/KEY, got "${secret}"`);
    const options: OperatorOptions = {
      image: str('image') ?? defaultOperatorOptions.image,
      imagePullPolicy: pullPolicy as OperatorOptions['imagePullPolicy'],
      databaseSecret: { name: secretName, key: secretKey },
      dataDir: str('data-dir') ?? defaultOperatorOptions.dataDir,
      workloadServiceAccount: str('workload-service-account') ?? '',
    };
    const qpsFlag = str('kube-api-qps');
    const qps = qpsFlag === undefined ? DEFAULT_CLIENT_LIMITS.qps : Number(qpsFlag);
    if (qpsFlag !== undefined && (qpsFlag.trim() === '' || !Number.isFinite(qps))) throw new UsageError(`--kube-api-qps must be a number, got "${qpsFlag}"`);
    const burst = int('kube-api-burst', DEFAULT_CLIENT_LIMITS.burst);
    if (burst < 1) throw new UsageError('--kube-api-burst must be at least 1');
    const logger = defaultKubeLogger();
    const { kubeConfig, source } = loadKubeConfig({ kubeconfig: str('kubeconfig') });
    const consolePort = str('console-port') === undefined ? undefined : int('console-port', 0);
    const { manager, informers } = buildOperatorParts({
      kubeConfig,
      options,
      namespace: str('namespace'),
      leaderElection: leaderElect
        ? { namespace: str('lease-namespace') ?? process.env.POD_NAMESPACE ?? 'default', name: str('lease-name') ?? 'fluxora-operator', identity: process.env.POD_NAME ? `${process.env.POD_NAME}_${hostname()}` : undefined }
        : undefined,
      workers: Math.max(1, int('workers', 2)),
      healthPort: int('health-port', 8081),
      healthHost: str('health-host') ?? process.env.FLUXORA_LISTEN_HOST,
      logger,
      handleSignals: true,
      resyncMs: int('resync-period', 600) * 1000,
      clientLimits: { qps, burst },
    });
    logger.info({ kubeconfig: source, namespace: str('namespace') ?? '(all)', image: options.image, leaderElect, kubeApiQps: qps, kubeApiBurst: burst }, 'Starting operator');
    // Every module is loaded by now: write the compile cache (Node writes it only at exit otherwise).
    flushCompileCache?.();
    await manager.start();
    if (consolePort !== undefined) {
      const host = str('health-host') ?? process.env.FLUXORA_LISTEN_HOST ?? '0.0.0.0';
      const store = await consoleStore(process.env);
      const server = await startConsole({
        source: new ClusterConsoleSource(informers, store),
        auth: new KubeTokenAuth(kubeConfig, { namespace: str('namespace') }),
        log: logger,
        port: consolePort,
        host,
      });
      logger.info({ url: server.url, store: 'pool' in store ? 'connected' : store.unavailable }, 'Console serving');
    }
    return new Promise<number>(() => {});
  },
};

/** consoleStore opens the console's read-only store from the environment, or says why there is none. */
async function consoleStore(env: Record<string, string | undefined>): Promise<{ pool: pg.Pool } | { unavailable: string }> {
  const config = databaseConfigFromEnv(env);
  if (!config) return { unavailable: 'the operator has no database configured (chart value console.database.secretName, or FLUXORA_DATABASE_URL): registry, curves, forecasts and drift history are not shown' };
  return createStore(config, { max: 4, applicationName: 'fluxora-console' });
}
