import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler, INFLIGHT_METRIC } from './autoscaler.ts';

const policy = { minReplicas: 1, maxReplicas: 10, targetConcurrency: 8, stabilizationWindowSeconds: 60 };
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A serving pod's /metrics at `host`:`port` reporting `inflight` requests (a real HTTP server on loopback). */
async function pod(host: string, port: number, inflight: () => number): Promise<number> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.end(`# TYPE ${INFLIGHT_METRIC} gauge\n${INFLIGHT_METRIC} ${inflight()}\nprocess_cpu_seconds_total 3\n`);
  });
  await new Promise<void>((done) => server.listen(port, host, done));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

describe('Autoscaler', () => {
  it("scales to the pods' in-flight load, down only after the window, and per deployment", async () => {
    let load = 24;
    const port = await pod('127.0.0.1', 0, () => load);
    await pod('127.0.0.2', port, () => load);
    const scaler = new Autoscaler({ port, timeoutMs: 500 });
    const ips = ['127.0.0.1', '127.0.0.2'];
    // 48 in flight at 8 per pod: 6 replicas.
    expect(await scaler.desiredReplicas('ml/a', ips, 2, policy, 0)).toBe(6);
    load = 0;
    // Idle, but within the 60 s window: stays at 6; after it, the minimum.
    expect(await scaler.desiredReplicas('ml/a', ips, 6, policy, 30_000)).toBe(6);
    expect(await scaler.desiredReplicas('ml/a', ips, 6, policy, 100_000)).toBe(1);
    // Another deployment has its own history.
    expect(await scaler.desiredReplicas('ml/b', ips, 3, policy, 100_000)).toBe(1);
    expect(scaler.tracked).toBe(2);
    scaler.forget('ml/a');
    scaler.forget('ml/b');
    expect(scaler.tracked).toBe(0);
  });

  it('keeps the current count when no pod answers', async () => {
    const scaler = new Autoscaler({ port: 9, timeoutMs: 200 }); // nothing listens on the discard port
    expect(await scaler.desiredReplicas('ml/a', ['127.0.0.1'], 3, policy, 0)).toBe(3);
    expect(await scaler.desiredReplicas('ml/a', [], 3, policy, 1)).toBe(3);
  });
});
