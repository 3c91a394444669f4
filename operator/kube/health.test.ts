import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from './health.ts';
import { silentKubeLogger } from './logger.ts';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${server?.port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('startHealthServer', () => {
  it('answers ok while checks pass, and lists failures otherwise', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', registry: new Registry(), logger: silentKubeLogger });
    let synced = false;
    server.addReadyCheck('informers', () => (synced ? undefined : '1 of 2 informers not synced'));
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/readyz')).toMatchObject({
      status: 500,
      body: '[+]ping ok\n[-]informers failed: 1 of 2 informers not synced\ncheck failed\n',
    });
    synced = true;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get('/readyz?verbose')).body).toBe('[+]ping ok\n[+]informers ok\ncheck passed\n');
  });

  it('turns a throwing check into a failure', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', registry: new Registry(), logger: silentKubeLogger });
    server.addHealthCheck('leader-election', async () => {
      throw new Error('renewal stuck');
    });
    expect(await get('/healthz')).toMatchObject({ status: 500 });
    expect((await get('/healthz')).body).toContain('[-]leader-election failed: renewal stuck');
  });

  it('serves the registry on /metrics and 404 elsewhere', async () => {
    const registry = new Registry();
    new Counter({ name: 'fluxora_test_total', help: 'test', registers: [registry] }).inc(3);
    server = await startHealthServer({ port: 0, host: '127.0.0.1', registry, logger: silentKubeLogger });
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.body).toContain('fluxora_test_total 3');
    expect((await get('/nope')).status).toBe(404);
  });
});
