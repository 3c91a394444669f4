/**
 * A minimal Kubernetes REST client over node:https for the test node agent:
 * JSON requests with an overall timeout, and newline-delimited watch streams
 * with an idle timeout. Credentials (CA, client certificate, token) come from
 * the kubeconfig through @kubernetes/client-node's KubeConfig, so any
 * kubeconfig the control plane writes works.
 *
 * Raw requests keep the agent independent of the typed client's
 * serialisation (Dates, enums) and give it full control over reconnects
 * when the API server restarts.
 */
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { WatchEvent } from './kube-types.ts';

/** KubeApiError is a non-2xx answer of the API server (status is the HTTP status). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    let message = body.slice(0, 500);
    let reason: string | undefined;
    try {
      const parsed = JSON.parse(body) as { message?: string; reason?: string };
      message = parsed.message ?? message;
      reason = parsed.reason;
    } catch {
      // not a Status object
    }
    super(`${method} ${path}: ${status} ${message}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

/** isNotFound tells whether err is a 404 from the API server. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** isConflict tells whether err is a 409 (resourceVersion or uid precondition) from the API server. */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

/** isTransient tells whether a request failure is worth retrying as is (network, timeout, 429, 5xx). */
export function isTransient(err: unknown): boolean {
  if (err instanceof KubeApiError) return err.status === 429 || err.status >= 500;
  return true;
}

/** KubeRequestOptions are the options of one request. */
export interface KubeRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value (serialised) or a string sent as is. */
  body?: unknown;
  /** Default application/json. */
  contentType?: string;
  /** Overall timeout; default 15 s. */
  timeoutMs?: number;
}

/** KubeClient is the agent's view of the API server. */
export interface KubeClient {
  /** The API server URL (https://127.0.0.1:PORT). */
  server: string;
  /** Sends one request and parses the JSON answer; rejects with KubeApiError on a non-2xx status. */
  request<T>(method: string, path: string, opts?: KubeRequestOptions): Promise<T>;
  /**
   * Streams `GET path?watch=1&...` into onEvent until the server ends the
   * stream (resolves), the connection fails or stays idle for idleTimeoutMs
   * (rejects), or signal aborts (resolves).
   */
  watch<T>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    idleTimeoutMs?: number,
  ): Promise<void>;
  /** Closes pooled connections. */
  close(): void;
}

/** kubeClientFromKubeconfig builds a KubeClient from the current context of a kubeconfig file. */
export async function kubeClientFromKubeconfig(kubeconfigPath: string): Promise<KubeClient> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath} has no current cluster`);
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const server = cluster.server.replace(/\/+$/, '');
  const secure = server.startsWith('https:');
  const baseHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(tls.headers ?? {})) if (typeof v === 'string') baseHeaders[k] = v;
  const tlsOptions = {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
  const pooled = secure ? new https.Agent({ keepAlive: true, ...tlsOptions }) : new http.Agent({ keepAlive: true });
  const mod = secure ? https : http;

  const url = (path: string, query: KubeRequestOptions['query'] = {}) => {
    const u = new URL(server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  };

  const request = <T>(method: string, path: string, opts: KubeRequestOptions = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      const headers: Record<string, string> = { ...baseHeaders, Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = opts.contentType ?? 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      const timeoutMs = opts.timeoutMs ?? 15_000;
      const req = mod.request(url(path, opts.query), { method, headers, agent: pooled, ...tlsOptions }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new KubeApiError(method, path, status, text));
            return;
          }
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (err) {
            reject(new Error(`${method} ${path}: unparsable answer: ${(err as Error).message}`));
          }
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });

  const watch = <T>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    idleTimeoutMs = 120_000,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      // A dedicated connection: a watch holds its socket for minutes.
      const req = mod.request(url(path, { ...query, watch: 1 }), { method: 'GET', headers: { ...baseHeaders, Accept: 'application/json' }, agent: false, ...tlsOptions }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(new KubeApiError('WATCH', path, status, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', (err) => finish(err));
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          armIdle();
          buffer += chunk;
          let nl = buffer.indexOf('\n');
          while (nl >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf('\n');
            if (!line) continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch (err) {
              req.destroy(err as Error);
              return;
            }
          }
        });
        res.on('end', () => finish());
        res.on('aborted', () => finish(new Error(`WATCH ${path}: connection aborted`)));
        res.on('error', (err) => finish(err));
      });
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => req.destroy(new Error(`WATCH ${path}: no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
      };
      const onAbort = () => {
        req.destroy();
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      armIdle();
      req.on('error', (err) => finish(err));
      req.on('close', () => finish(new Error(`WATCH ${path}: connection closed`)));
      req.end();
    });

  return {
    server,
    request,
    watch,
    close: () => pooled.destroy(),
  };
}
