import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { listModels, listVersions, loadEvaluation, NotFoundError } from '../registry/registry.ts';
import { listTrials } from '../registry/trials.ts';
import type { RoleLogger } from '../roles/logger.ts';
import { listDriftResults } from '../store/drift-results.ts';
import { listEpochs, studyOf } from '../store/training-epochs.ts';
import type { ErrorBody, Kind, ModelDeploymentView, ResourcesResponse } from './api.ts';
import type { ConsoleAuth } from './auth.ts';
import type { ConsoleResource, ConsoleSource } from './source.ts';
import { TrafficMeter } from './traffic.ts';
import { driftMonitorView, forecastOf, registryView, resourceRow, trainingJobView } from './views.ts';

/** DEFAULT_ASSETS is where `npm run build` writes the console's browser bundle. */
export const DEFAULT_ASSETS = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** ConsoleOptions configure the console server. */
export interface ConsoleOptions {
  source: ConsoleSource;
  auth: ConsoleAuth;
  /** The built UI (default dist/console). */
  assetsDir?: string;
  log: RoleLogger;
  /** Debounce of change notifications on the watch stream (default 200 ms). */
  debounceMs?: number;
  /** Keep-alive comment period of the watch stream (default 15 s). */
  heartbeatMs?: number;
}

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json',
  'app.css': 'text/css; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Fluxora console</title>
<p>The console's browser app is not built. Run <code>npm run build</code> (it writes <code>dist/console/</code>) and reload.</p>
<p>The JSON API under <code>api/v1/</code> works without it.</p>`;

/** ConsoleError is an answer other than 200: a status and a message for the `error` field. */
class ConsoleError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

async function loadAssets(dir: string): Promise<Map<string, Buffer> | undefined> {
  const files = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) {
    const body = await readFile(join(dir, name)).catch(() => undefined);
    if (body) files.set(name, body);
  }
  return files.has('index.html') && files.has('app.js') ? files : undefined;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * buildConsole builds the console's Fastify app: the browser bundle at `/`
 * and the read-only JSON API of api.ts under /api/v1, every API route behind
 * `auth`. Nothing it serves comes from a Secret; it has no route that writes.
 */
export async function buildConsole(opts: ConsoleOptions): Promise<FastifyInstance> {
  const { source, auth, log } = opts;
  const assets = await loadAssets(opts.assetsDir ?? DEFAULT_ASSETS);
  if (!assets) log.warn({ dir: opts.assetsDir ?? DEFAULT_ASSETS }, 'Console assets are not built (npm run build): serving the API only');
  const traffic = new TrafficMeter();
  const streams = new Set<ServerResponse>();
  const app = Fastify({ logger: false, bodyLimit: 1024, requestTimeout: 30_000, forceCloseConnections: true });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
    return payload;
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err instanceof ConsoleError ? err.statusCode : err instanceof NotFoundError ? 404 : (err.statusCode ?? 500);
    if (status >= 500) log.error({ err, url: req.url }, 'Console request failed');
    const body: ErrorBody = { error: status >= 500 && !(err instanceof ConsoleError) ? `internal error: ${err.message}` : err.message };
    void reply.code(status).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` } satisfies ErrorBody);
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const result = await auth.authenticate(bearer(req.headers.authorization));
    if (!result.ok) {
      if (result.status === 401) reply.header('www-authenticate', 'Bearer realm="fluxora-console"');
      throw new ConsoleError(result.status, result.message);
    }
    reply.header('cache-control', 'no-store');
  });
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  const snapshot = (): ResourcesResponse => ({
    mode: source.mode,
    resources: source.resources().map(resourceRow),
    generatedAt: new Date().toISOString(),
    storeUnavailable: source.pool ? undefined : source.storeUnavailable,
  });
  const find = (kind: Kind, namespace: string, name: string): ConsoleResource => {
    const r = source.resources().find((x) => x.kind === kind && x.namespace === namespace && x.name === name);
    if (!r) throw new ConsoleError(404, `${kind} ${namespace}/${name} not found`);
    return r;
  };
  const store = () => {
    if (!source.pool) throw new ConsoleError(503, source.storeUnavailable ?? 'the console has no database');
    return source.pool;
  };

  app.get('/api/v1/resources', async () => snapshot());

  // Server-sent events: the whole list on connect and after every change (debounced), a comment as keep-alive.
  app.get('/api/v1/watch', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    const send = () => res.write(`event: resources\ndata: ${JSON.stringify(snapshot())}\n\n`);
    streams.add(res);
    send();
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = source.onChange(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        send();
      }, opts.debounceMs ?? 200);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    req.raw.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      clearInterval(heartbeat);
      streams.delete(res);
    });
  });

  type Params = { namespace: string; name: string };
  app.get<{ Params: Params }>('/api/v1/trainingjobs/:namespace/:name', async (req) => {
    const r = find('TrainingJob', req.params.namespace, req.params.name);
    if (!source.pool) return trainingJobView(r, [], []);
    const study = studyOf(r.namespace, r.name, r.uid);
    const [epochs, trials] = await Promise.all([listEpochs(source.pool, study), listTrials(source.pool, study)]);
    return trainingJobView(r, epochs, trials);
  });

  app.get<{ Params: Params }>('/api/v1/modeldeployments/:namespace/:name', async (req): Promise<ModelDeploymentView> => {
    const r = find('ModelDeployment', req.params.namespace, req.params.name);
    const s = r.status as { model?: { name: string; version: number }; url?: string; replicas?: number; readyReplicas?: number };
    const view: ModelDeploymentView = {
      resource: resourceRow(r),
      model: s.model,
      url: s.url,
      replicas: { desired: s.replicas ?? null, ready: s.readyReplicas ?? null },
      traffic: null,
      forecast: null,
    };
    const urls = source.metricsUrls(r);
    const read = urls.length > 0 ? await traffic.read(`${r.namespace}/${r.name}`, urls) : undefined;
    if (read) view.traffic = read;
    else view.trafficUnavailable = urls.length === 0 ? 'no serving pod is Ready' : `none of the ${urls.length} serving pods answered on /metrics`;
    if (!s.model) view.forecastUnavailable = 'no model version is served yet';
    else if (!source.pool) view.forecastUnavailable = source.storeUnavailable ?? 'the console has no database';
    else {
      const forecast = forecastOf(await loadEvaluation(source.pool, s.model.name, s.model.version).catch(() => undefined));
      if (forecast) view.forecast = forecast;
      else view.forecastUnavailable = `version ${s.model.version} of ${s.model.name} has no held-out forecast stored (trained before this console existed)`;
    }
    return view;
  });

  app.get<{ Params: Params }>('/api/v1/driftmonitors/:namespace/:name', async (req) => {
    const r = find('DriftMonitor', req.params.namespace, req.params.name);
    const results = source.pool ? await listDriftResults(source.pool, { monitor: `${r.namespace}/${r.name}`, limit: 200 }) : [];
    return driftMonitorView(r, results);
  });

  app.get('/api/v1/registry', async () => {
    const pool = store();
    const models = await listModels(pool);
    const withVersions = await Promise.all(models.map(async (m) => ({ ...m, versions: await listVersions(pool, m.name) })));
    return registryView(
      withVersions,
      source.resources().filter((r) => r.kind === 'ModelDeployment'),
    );
  });

  const asset = (name: string) => (_req: unknown, reply: FastifyReply) => {
    const body = assets?.get(name);
    if (!body) {
      if (name === 'index.html') return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      return reply.code(404).send({ error: `${name} is not built (npm run build)` } satisfies ErrorBody);
    }
    return reply
      .type(ASSETS[name])
      .header('cache-control', name === 'index.html' ? 'no-cache' : 'public, max-age=300')
      .send(body);
  };
  app.get('/', asset('index.html'));
  for (const name of Object.keys(ASSETS)) app.get(`/${name}`, asset(name));
  return app;
}

/** ConsoleServer is a listening console. */
export interface ConsoleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** startConsole builds the console and listens on host:port (0 picks a free port). */
export async function startConsole(opts: ConsoleOptions & { port: number; host: string }): Promise<ConsoleServer> {
  const app = await buildConsole(opts);
  await app.listen({ port: opts.port, host: opts.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return { url: `http://${host}:${port}`, port, close: () => app.close() };
}
