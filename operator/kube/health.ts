import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Registry, register } from 'prom-client';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';

/** HealthCheck returns undefined when healthy, or why not. */
export type HealthCheck = () => string | undefined | Promise<string | undefined>;

/** HealthServerOptions configure startHealthServer. */
export interface HealthServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0 (probes come from the kubelet). */
  host?: string;
  /** Served on /metrics; prom-client's default registry if omitted. */
  registry?: Registry;
  logger?: KubeLogger;
}

/** HealthServer serves /healthz, /readyz and /metrics until closed. */
export interface HealthServer {
  readonly port: number;
  addHealthCheck(name: string, check: HealthCheck): void;
  addReadyCheck(name: string, check: HealthCheck): void;
  close(): Promise<void>;
}

async function runChecks(checks: Map<string, HealthCheck>): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    let failure: string | undefined;
    try {
      failure = await check();
    } catch (err) {
      failure = errorMessage(err);
    }
    if (failure === undefined) lines.push(`[+]${name} ok`);
    else {
      ok = false;
      lines.push(`[-]${name} failed: ${failure}`);
    }
  }
  return { ok, lines };
}

/**
 * startHealthServer serves, with node:http, the probes and metrics of the
 * operator: `/healthz` (liveness) and `/readyz` (readiness) answer 200 `ok`
 * when every check passes and 500 with one `[-]name failed: reason` line per
 * failing check otherwise (`?verbose` lists passing checks too, as the
 * kube-apiserver does); `/metrics` is the prom-client registry in the
 * Prometheus text format.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const registry = options.registry ?? register;
  const logger = options.logger ?? defaultKubeLogger();
  const health = new Map<string, HealthCheck>([['ping', () => undefined]]);
  const ready = new Map<string, HealthCheck>([['ping', () => undefined]]);

  const probe = async (checks: Map<string, HealthCheck>, url: URL, res: ServerResponse) => {
    const { ok, lines } = await runChecks(checks);
    res.statusCode = ok ? 200 : 500;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (url.searchParams.has('verbose') || !ok) {
      res.end(`${lines.join('\n')}\n${ok ? 'check passed' : 'check failed'}\n`);
    } else {
      res.end('ok');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.end();
      return;
    }
    switch (url.pathname) {
      case '/healthz':
      case '/livez':
        return probe(health, url, res);
      case '/readyz':
        return probe(ready, url, res);
      case '/metrics': {
        const body = await registry.metrics();
        res.setHeader('Content-Type', registry.contentType);
        res.end(body);
        return;
      }
      default:
        res.statusCode = 404;
        res.end('not found\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      logger.error({ path: req.url, error: errorMessage(err) }, 'Health endpoint failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'Health server listening');
  return {
    port,
    addHealthCheck: (name, check) => health.set(name, check),
    addReadyCheck: (name, check) => ready.set(name, check),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
