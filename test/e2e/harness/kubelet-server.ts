/**
 * The part of the kubelet's HTTPS API the test node agent serves, so that
 * `kubectl logs [-f] [--previous] [--tail N] [--limit-bytes N]` works: the
 * API server dials the Node's InternalIP on daemonEndpoints.kubeletEndpoint
 * and, with no --kubelet-certificate-authority configured (as in
 * control-plane.ts), accepts any serving certificate; a throw-away
 * self-signed one is made with openssl.
 *
 * Served: GET /containerLogs/{namespace}/{pod}/{container} and /healthz.
 * Anything else (exec, attach, port-forward, stats) answers 501. There is
 * no authentication: this listens on 127.0.0.1 only, for tests.
 */
import { execFile } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { Logger } from 'pino';

/** ContainerLogSource is a container's log file and the byte range of each of its runs. */
export interface ContainerLogSource {
  file: string;
  runs: readonly { start: number; end?: number }[];
}

/** KubeletServerOptions configure startKubeletServer. */
export interface KubeletServerOptions {
  /** Directory for the key and certificate. */
  dir: string;
  nodeName: string;
  /** Finds a container's logs (first container when container is undefined). */
  logs(namespace: string, pod: string, container: string | undefined): ContainerLogSource | undefined;
  log: Logger;
}

/** KubeletServer is the running server. */
export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

function opensslCert(dir: string, cn: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'kubelet.key'),
        '-out',
        path.join(dir, 'kubelet.crt'),
        '-days',
        '30',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { timeout: 30_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`openssl failed: ${stderr || err.message}`)) : resolve()),
    );
  });
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, end - start));
    await fh.read(buf, 0, buf.length, start);
    return buf;
  } finally {
    await fh.close();
  }
}

function tailLines(buf: Buffer, n: number): Buffer {
  if (n < 0) return buf;
  let count = 0;
  let i = buf.length - 1;
  if (i >= 0 && buf[i] === 0x0a) i--;
  for (; i >= 0; i--) {
    if (buf[i] === 0x0a && ++count === n) return buf.subarray(i + 1);
  }
  return n === 0 ? Buffer.alloc(0) : buf;
}

/** startKubeletServer starts the log server on 127.0.0.1 (a free port). */
export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  await opensslCert(opts.dir, opts.nodeName);
  const key = await readFile(path.join(opts.dir, 'kubelet.key'));
  const cert = await readFile(path.join(opts.dir, 'kubelet.crt'));
  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${message}\n`);
    };
    if (url.pathname === '/healthz') {
      res.end('ok');
      return;
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      fail(501, `${url.pathname} is not supported by the fluxora test node agent (only container logs)`);
      return;
    }
    const [, ns, pod, container] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
    const src = opts.logs(ns, pod, container);
    if (!src) {
      fail(404, `container ${container ?? ''} of pod ${ns}/${pod} not found on node ${opts.nodeName}`);
      return;
    }
    const previous = url.searchParams.get('previous') === 'true';
    const run = src.runs[src.runs.length - (previous ? 2 : 1)];
    if (!run) {
      fail(400, previous ? `previous terminated container "${container}" in pod "${pod}" not found` : `container "${container}" in pod "${pod}" is waiting to start`);
      return;
    }
    const follow = url.searchParams.get('follow') === 'true' && !previous;
    const tail = url.searchParams.has('tailLines') ? Number(url.searchParams.get('tailLines')) : -1;
    let budget = url.searchParams.has('limitBytes') ? Number(url.searchParams.get('limitBytes')) : Infinity;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const send = (buf: Buffer) => {
      const part = buf.subarray(0, Math.min(buf.length, budget));
      budget -= part.length;
      if (part.length > 0) res.write(part);
    };
    void (async () => {
      try {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        let pos = run.start;
        const size = run.end ?? (await stat(src.file)).size;
        send(tailLines(await readRange(src.file, pos, size), tail));
        pos = size;
        while (follow && !closed && budget > 0) {
          const end = run.end;
          const now = end ?? (await stat(src.file)).size;
          if (now > pos) {
            send(await readRange(src.file, pos, now));
            pos = now;
          }
          if (end !== undefined) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        res.end();
      } catch (err) {
        opts.log.warn({ pod: `${ns}/${pod}`, error: (err as Error).message }, 'Serving logs failed');
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('kubelet server: no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
