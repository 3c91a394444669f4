/**
 * One attempt of a container probe (readiness, liveness, startup) or an
 * httpGet lifecycle hook, as the kubelet runs it: httpGet against the pod IP
 * (or `host`) succeeds on a status in 200..399; tcpSocket on a connection;
 * exec runs the command through the caller (on this host, with the
 * container's environment) and succeeds on exit code 0. gRPC probes are not
 * supported and always succeed (with a message saying so).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, HttpGetAction, Probe } from './kube-types.ts';

/** ProbeResult is the outcome of one probe attempt. */
export interface ProbeResult {
  ok: boolean;
  message?: string;
}

/** ProbeTarget is what a probe needs to know about the container. */
export interface ProbeTarget {
  container: Container;
  podIP: string;
  /** Runs an exec probe's command; resolves to its exit code. */
  exec(command: string[], timeoutMs: number): Promise<number>;
}

/** resolvePort turns a probe port (number or container port name) into a number. */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`no container port named ${JSON.stringify(port)}`);
  return named.containerPort;
}

/** httpGetOnce sends one GET as an httpGet probe or hook does. */
export function httpGetOnce(action: HttpGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let port: number;
    try {
      port = resolvePort(action.port, target.container);
    } catch (err) {
      resolve({ ok: false, message: (err as Error).message });
      return;
    }
    const host = action.host || target.podIP;
    const secure = action.scheme === 'HTTPS';
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.34', Accept: '*/*' };
    for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
    const opts = { host, port, path: action.path || '/', method: 'GET', headers, agent: false as const, rejectUnauthorized: false };
    const url = `${secure ? 'https' : 'http'}://${host}:${port}${opts.path}`;
    const req = (secure ? https : http).request(opts, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` }));
      res.on('error', (err) => resolve({ ok: false, message: `Get "${url}": ${err.message}` }));
    });
    const timer = setTimeout(() => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => resolve({ ok: false, message: `Get "${url}": ${err.message}` }));
    req.end();
  });
}

function tcpOnce(port: number, host: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error('i/o timeout')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` });
    });
  });
}

/** runProbe runs one attempt of probe against the container. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpGetOnce(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) {
    let port: number;
    try {
      port = resolvePort(probe.tcpSocket.port, target.container);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    return tcpOnce(port, probe.tcpSocket.host || target.podIP, timeoutMs);
  }
  if (probe.exec?.command?.length) {
    try {
      const code = await target.exec(probe.exec.command, timeoutMs);
      return code === 0 ? { ok: true } : { ok: false, message: `command ${JSON.stringify(probe.exec.command)} exited with ${code}` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }
  return { ok: true, message: 'probe type not supported on the fluxora test node: treated as success' };
}
