import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type BuildOptions, build } from './app.ts';

/** DEFAULT_DRAIN_TIMEOUT_MS leaves a 30 s Kubernetes termination grace period some margin. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

/** MIN_DRAIN_HOOK_MS is the least time onDrain gets, even when draining requests used up the deadline. */
export const MIN_DRAIN_HOOK_MS = 2_000;

/** StartServerOptions are build's options plus where to listen and how to stop. */
export interface StartServerOptions extends BuildOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 0.0.0.0: every interface of the pod). */
  host?: string;
  /** Runs after requests and batches drained, before exit: the prediction log flush. */
  onDrain?: () => void | Promise<void>;
  /** Deadline for draining requests (default 25 s); past it, connections are cut. */
  drainTimeoutMs?: number;
  /** Time between turning readiness off and closing the listener, for endpoints to update (default 0). */
  preStopDelayMs?: number;
  /** Install SIGTERM/SIGINT handlers that drain then exit (default true; tests turn it off and call close). */
  handleSignals?: boolean;
}

/** DrainResult says how a drain went: `clean` unless the deadline cut requests off or onDrain failed. */
export interface DrainResult {
  clean: boolean;
  durationMs: number;
}

/** RunningServer is a listening inference server. */
export interface RunningServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  port: number;
  /**
   * close drains gracefully, as SIGTERM does (without exiting): readiness 503, stop
   * accepting, finish in-flight requests and queued batches, then onDrain. Idempotent.
   */
  close(): Promise<DrainResult>;
}

/**
 * startServer builds the inference server and listens. On SIGTERM or SIGINT it drains
 * (see RunningServer.close) and exits 0, or 1 when the drain was not clean; a second
 * signal during the drain exits 1 at once. The server listens before the model is
 * ready, so probes answer (readiness 503) while it loads.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const {
    port,
    host = '0.0.0.0',
    onDrain,
    drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS,
    preStopDelayMs = 0,
    handleSignals = true,
    ...buildOptions
  } = options;
  const app = build(buildOptions);
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let draining: Promise<DrainResult> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining !== undefined) {
      app.log.warn({ signal }, 'Forced exit');
      process.exit(1);
    }
    app.log.info({ signal }, 'Shutdown signal received');
    close().then((result) => process.exit(result.clean ? 0 : 1));
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  const drain = async (): Promise<DrainResult> => {
    const started = performance.now();
    const remaining = () => drainTimeoutMs - (performance.now() - started);
    app.log.info(
      { inflight: app.fluxora.inflight, queuedRows: app.fluxora.queuedRows, drainTimeoutMs, preStopDelayMs },
      'Drain started',
    );
    app.fluxora.startDraining();
    if (preStopDelayMs > 0) await sleep(Math.min(preStopDelayMs, remaining()));
    const closed = app.close().catch((error: unknown) => {
      app.log.error({ err: error }, 'Close failed');
    });
    let clean = await settlesWithin(closed, remaining());
    if (!clean) {
      app.log.warn({ inflight: app.fluxora.inflight, queuedRows: app.fluxora.queuedRows }, 'Drain deadline exceeded');
      app.server.closeAllConnections();
    }
    if (onDrain !== undefined) {
      try {
        const done = await settlesWithin(Promise.resolve().then(onDrain), Math.max(remaining(), MIN_DRAIN_HOOK_MS), true);
        if (!done) {
          clean = false;
          app.log.warn({}, 'Drain hook timed out');
        }
      } catch (error) {
        clean = false;
        app.log.error({ err: error }, 'Drain hook failed');
      }
    }
    if (handleSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    const durationMs = Math.round(performance.now() - started);
    app.log.info({ durationMs, clean }, 'Drain finished');
    return { clean, durationMs };
  };
  const close = (): Promise<DrainResult> => {
    draining ??= drain();
    return draining;
  };
  return { app, url, port: address.port, close };
}

/**
 * settlesWithin resolves true when `promise` settles within `ms`, false otherwise;
 * a rejection is swallowed unless `rethrow`.
 */
async function settlesWithin(promise: Promise<unknown>, ms: number, rethrow = false): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = promise.then(
    () => true,
    (error: unknown) => {
      if (rethrow) throw error;
      return true;
    },
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
