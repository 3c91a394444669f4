import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type onRequestHookHandler,
} from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DestinationStream, LoggerOptions } from 'pino';
import { Registry } from 'prom-client';
import packageJson from '../../package.json' with { type: 'json' };
import { type AuthOptions, createApiKeyCheck } from './auth.ts';
import { Batcher } from './batcher.ts';
import { clientErrorHandler, createErrorHandler, frameworkErrors, notFoundHandler } from './error-handler.ts';
import { errors } from './errors.ts';
import type { LoadedModel } from './loaded-model.ts';
import { createServeMetrics } from './metrics.ts';
import { loadModelState, type ServedModel } from './model-state.ts';
import { createPredictionRecorder, type PredictionLogSink } from './prediction-log.ts';
import { REQUEST_ID_HEADER, requestId } from './request-id.ts';
import { forecastRoutes } from './routes/forecast.ts';
import { HEALTH_ROUTES, healthRoutes } from './routes/health.ts';
import { inferenceRoutes } from './routes/inference.ts';
import { metadataRoutes } from './routes/metadata.ts';
import { METRICS_ROUTE, metricsRoutes } from './routes/metrics.ts';
import { timeseriesRoutes } from './routes/timeseries.ts';
import type { ServeContext } from './serve-context.ts';

/** BatchingOptions tune the micro-batcher (see Batcher). */
export interface BatchingOptions {
  /** Most rows per model call (1 turns batching off). */
  maxBatchSize: number;
  /** Longest a request waits for others to share its model call. */
  maxLatencyMs: number;
  /** Most rows queued; beyond, requests get 503 with Retry-After: 1. */
  maxQueue: number;
  /** Also run a batch as soon as no more requests are ready to read, not only after maxLatencyMs (see Batcher; default true). */
  flushWhenIdle?: boolean;
}

/** ServeLoggerOptions are pino options, plus fastify's `stream` to write the JSON lines to (default stdout). */
export type ServeLoggerOptions = LoggerOptions & { stream?: DestinationStream };

/** BuildOptions configure `build`. */
export interface BuildOptions {
  /** The model, or a promise of it: the server is not ready until it resolves and its warmUp ran. */
  model: LoadedModel | Promise<LoadedModel>;
  /** OIP server metadata name (default `fluxora`). */
  serverName?: string;
  /** OIP server metadata version (default: the package version). */
  serverVersion?: string;
  batching: BatchingOptions;
  /** With API keys, inference, forecast and metadata routes need one; health and /metrics stay open. */
  auth?: AuthOptions;
  /** Where served predictions go (the store's writer); its add() must never block. */
  predictionLog?: PredictionLogSink;
  /** Largest request body in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** pino options (default: level from FLUXORA_LOG_LEVEL or info), or false for no logs. */
  logger?: ServeLoggerOptions | false;
  /** Prometheus registry for the server's metrics (default: a fresh one). */
  registry?: Registry;
}

/** ServeControl is the handle `build` decorates the instance with (`app.fluxora`), for server.ts and tests. */
export interface ServeControl {
  /** Resolves with the served model once it is loaded and warmed up; rejects if that fails. */
  readonly modelReady: Promise<ServedModel>;
  /** ready is what GET /v2/health/ready says. */
  readonly ready: boolean;
  /** Rows waiting in the micro-batcher. */
  readonly queuedRows: number;
  /** HTTP requests in progress (probes and /metrics excluded). */
  readonly inflight: number;
  /** startDraining turns readiness off (503) while requests are still served: the first step of a graceful stop. */
  startDraining(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Control handle of a Fluxora inference server (see ServeControl). */
    fluxora: ServeControl;
  }
}

/** DEFAULT_BODY_LIMIT is the default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** REQUEST_TIMEOUT_MS bounds how long a client may take to send a whole request (slow-loris guard). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** REDACTED_LOG_PATHS are never written to logs, whatever the caller's logger options. */
export const REDACTED_LOG_PATHS = Object.freeze([
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
]);

/** Load is the server's own count of requests in progress and whether it is closing, shared by its steps. */
interface Load {
  /** HTTP requests in progress (probes and /metrics excluded): the inflight gauge. */
  inflight: number;
  closing: boolean;
}

/** RouteCheck is a synchronous check a route runs before its handler (auth, a ready model); it throws the error to answer. */
type RouteCheck = (request: FastifyRequest) => void;

/**
 * build assembles the inference server: the OIP (KServe V2) REST API, POST
 * /v1/forecast, KServe's Time Series API, GET /metrics, the micro-batcher, API-key
 * auth and readiness that follows the model promise. It returns the Fastify
 * instance without listening (see server.ts); `app.fluxora` is its ServeControl.
 * Every error response is `{"error": message}` (errors.ts; KServe's error shape on
 * the Time Series routes).
 */
export function build(options: BuildOptions): FastifyInstance {
  const app = createFastify(options);
  const load: Load = { inflight: 0, closing: false };
  const registry = options.registry ?? new Registry();
  const { context, checks } = createContext(app, options, registry, load);
  app.setErrorHandler(createErrorHandler(app.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT));
  instrumentRoutes(app, context, checks, load, options.logger !== false);
  shutDownInOrder(app, context, load);

  app.register(healthRoutes, { context });
  app.register(metadataRoutes, { context });
  app.register(inferenceRoutes, { context });
  app.register(forecastRoutes, { context });
  app.register(timeseriesRoutes, { context });
  app.register(metricsRoutes, { registry });

  const { state, batcher } = context;
  const control: ServeControl = {
    modelReady: state.loaded,
    get ready() {
      return state.ready;
    },
    get queuedRows() {
      return batcher.queuedRows;
    },
    get inflight() {
      return load.inflight;
    },
    startDraining() {
      state.draining = true;
    },
  };
  app.decorate('fluxora', control);
  return app;
}

/** createFastify checks the options and makes the Fastify instance with the server's limits and logger. */
function createFastify(options: BuildOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!(Number.isInteger(bodyLimit) && bodyLimit > 0)) throw new RangeError(`bodyLimit: expected a positive integer, got ${bodyLimit}`);
  if (options.batching == null) throw new TypeError('batching: expected { maxBatchSize, maxLatencyMs, maxQueue }');
  return Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit,
    genReqId: requestId,
    // One `Request completed` line per request comes from each route's response listener instead.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    frameworkErrors,
    clientErrorHandler,
  });
}

/**
 * createContext builds what the routes share: the model state, the micro-batcher,
 * the metrics, the prediction recorder, and the routes' checks as onRequest hooks
 * (`checks` maps each hook to its plain function, for instrumentRoutes to inline).
 */
function createContext(
  app: FastifyInstance,
  options: BuildOptions,
  registry: Registry,
  load: Load,
): { context: ServeContext; checks: Map<onRequestHookHandler, RouteCheck> } {
  const auth = options.auth === undefined ? undefined : createApiKeyCheck(options.auth);
  const predictions = createPredictionRecorder(options.predictionLog, app.log);
  const batcher = new Batcher({
    ...options.batching,
    predict: (X, n) => state.requireServed().model.predictBatch(X, n),
    onBatch: (report) => metrics.observeBatch(report),
  });
  const metrics = createServeMetrics(
    registry,
    { queueDepth: () => batcher.queuedRows, inflight: () => load.inflight, logDropped: () => predictions.dropped() },
    options.batching.maxBatchSize,
  );
  const state = loadModelState(options.model, app.log, (served) => metrics.setModel(served.model.name, served.model.version));

  const checks = new Map<onRequestHookHandler, RouteCheck>();
  const asHook = (check: RouteCheck): onRequestHookHandler => {
    const hook: onRequestHookHandler = (request, _reply, done) => {
      try {
        check(request);
        done();
      } catch (error) {
        done(error as Error);
      }
    };
    checks.set(hook, check);
    return hook;
  };
  const authenticate = asHook((request) => auth?.check(request.headers));
  const requireModel = asHook(() => {
    state.requireServed();
  });
  const context: ServeContext = {
    state,
    batcher,
    metrics,
    predictions,
    serverName: options.serverName ?? 'fluxora',
    serverVersion: options.serverVersion ?? packageJson.version,
    authenticated: auth ? [authenticate] : [],
    guarded: auth ? [authenticate, requireModel] : [requireModel],
  };
  return { context, checks };
}

/**
 * instrumentRoutes gives every route its own onRequest hook and 'close' listener,
 * which know its pattern, whether it is a probe, its metric series and its checks,
 * so nothing is looked up per request. The one listener counts the request out of
 * the inflight gauge and does what an onResponse hook would, without fastify's
 * per-request finish and error listeners and their removal; a client that went
 * away before its response was sent is neither timed nor logged. Unknown routes
 * get a coded 404, timed and logged as `unmatched`.
 */
function instrumentRoutes(
  app: FastifyInstance,
  context: ServeContext,
  checks: Map<onRequestHookHandler, RouteCheck>,
  load: Load,
  logging: boolean,
): void {
  const { metrics } = context;
  const probes = new Set<string>([...HEALTH_ROUTES, METRICS_ROUTE]);
  const completed = (
    request: FastifyRequest,
    reply: FastifyReply,
    route: string,
    probe: boolean,
    record: (statusCode: number, seconds: number) => void,
    elapsedMs: number,
  ) => {
    record(reply.statusCode, elapsedMs / 1000);
    const level = probe ? 'debug' : 'info';
    if (!(logging && (request.log as FastifyBaseLogger & { isLevelEnabled(level: string): boolean }).isLevelEnabled(level))) return;
    const fields = { method: request.method, route, statusCode: reply.statusCode, durationMs: Math.round(elapsedMs * 1000) / 1000 };
    request.log[level](fields, 'Request completed');
  };
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const probe = probes.has(pattern);
    const record = metrics.requestRecorder(pattern);
    const own = hooks(route.onRequest);
    const ownChecks = own.map((hook) => checks.get(hook));
    const inline = ownChecks.every((check) => check !== undefined) ? (ownChecks as RouteCheck[]) : undefined;
    const onRequest: onRequestHookHandler = (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      const res = reply.raw;
      const started = performance.now();
      // A response emits 'close' once: just after 'finish', or when the client went away
      // (before the response was ended: then it is neither timed nor logged).
      res.on('close', () => {
        if (!probe) load.inflight--;
        if (res.writableEnded) completed(request, reply, pattern, probe, record, performance.now() - started);
      });
      if (!probe) {
        load.inflight++;
        if (load.closing) {
          done(new errors.FST_FLUXORA_SHUTTING_DOWN());
          return;
        }
      }
      if (inline !== undefined) {
        try {
          for (let i = 0; i < inline.length; i++) inline[i](request);
        } catch (error) {
          done(error as Error);
          return;
        }
      }
      done();
    };
    route.onRequest = inline === undefined ? [onRequest, ...own] : [onRequest];
  });
  const recordUnmatched = metrics.requestRecorder('unmatched');
  app.setNotFoundHandler((request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const started = performance.now();
    reply.raw.once('finish', () => completed(request, reply, 'unmatched', false, recordUnmatched, performance.now() - started));
    return notFoundHandler(request, reply);
  });
}

/**
 * shutDownInOrder closes gracefully: from preClose on, requests in progress get
 * `Connection: close` (so keep-alive clients move on to another pod), readiness
 * turns off, and the batcher stops waiting for batch company; once the HTTP
 * server has closed, whatever is still queued runs.
 */
function shutDownInOrder(app: FastifyInstance, context: ServeContext, load: Load): void {
  const { state, batcher } = context;
  // Open connections, tracked per connection, not per request: a long-lived
  // collection that every request enters and leaves costs GC time.
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.addHook('preClose', (done) => {
    load.closing = true;
    // Requests that arrive from now on get `Connection: close` from fastify; those
    // in progress get it here (socket._httpMessage, as http-terminator does).
    for (const socket of sockets) {
      const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (res != null && !res.headersSent) res.setHeader('connection', 'close');
    }
    state.draining = true;
    // In-flight requests must not wait for batch company any more: the listener is closing.
    void batcher.drain();
    done();
  });
  app.addHook('onClose', async () => {
    await batcher.close();
  });
}

/** hooks normalises a route's hook option (none, one, or a list) to a list. */
function hooks<T>(option: T | T[] | undefined): T[] {
  if (option === undefined) return [];
  return Array.isArray(option) ? option : [option];
}

/** loggerOptions applies defaults and always redacts credentials from request headers. */
function loggerOptions(logger: ServeLoggerOptions | false | undefined): ServeLoggerOptions | false {
  if (logger === false) return false;
  const redact = logger?.redact;
  const paths = Array.isArray(redact) ? redact : (redact?.paths ?? []);
  return {
    name: 'fluxora.serve',
    level: process.env.FLUXORA_LOG_LEVEL ?? 'info',
    ...logger,
    redact: {
      ...(Array.isArray(redact) || redact === undefined ? {} : redact),
      paths: [...new Set([...paths, ...REDACTED_LOG_PATHS])],
    },
  };
}
