import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LoadedModel } from './loaded-model.ts';
import { type RunningServer, type StartServerOptions, startServer } from './server.ts';
import { deferred, inferBody, logCapture } from '../../test/support/serve-app.ts';
import { createTestModel } from '../../test/support/serve-model.ts';

interface InferResponse {
  outputs: Array<{ name: string; data: number[] }>;
}

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(overrides: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  running = await startServer({
    model: createTestModel(),
    batching: { maxBatchSize: 64, maxLatencyMs: 1, maxQueue: 1024 },
    logger: false,
    port: 0,
    host: '127.0.0.1',
    handleSignals: false,
    ...overrides,
  });
  return running;
}

function infer(url: string, rows: number[][], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v2/models/energy/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(inferBody(rows)),
  });
}

describe('startServer', () => {
  it('listens on a real port: probes answer while the model loads, then it serves', async () => {
    const model = deferred<LoadedModel>();
    const { url, app } = await start({ model: model.promise });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    const early = await fetch(`${url}/v2/health/ready`);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(await early.json()).toEqual({ error: 'Model is not ready' });

    model.resolve(createTestModel());
    await app.fluxora.modelReady;
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    const res = await infer(url, [[1, 2, 3, 6]], { 'x-request-id': 'over-the-wire' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('over-the-wire');
    expect(((await res.json()) as InferResponse).outputs[0].data).toEqual([4, 5, 6]);
  });

  it('answers malformed HTTP with {"error"} too', async () => {
    const { port } = await start();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply.endsWith('{"error":"Malformed HTTP request"}')).toBe(true);
  });

  it('drains gracefully: readiness off, in-flight requests and queued batches finish with Connection: close, then onDrain, then closed', async () => {
    const events: string[] = [];
    const server = await start({
      // Requests wait for company for a minute: only the drain can run them.
      batching: { maxBatchSize: 100, maxLatencyMs: 60_000, maxQueue: 100, flushWhenIdle: false },
      preStopDelayMs: 150,
      onDrain: async () => {
        const listening = await fetch(`${server.url}/v2/health/live`).then(
          () => 'listening',
          () => 'closed',
        );
        events.push(`onDrain inflight=${server.app.fluxora.inflight} queued=${server.app.fluxora.queuedRows} ${listening}`);
      },
    });
    await server.app.fluxora.modelReady;
    const inflight = [infer(server.url, [[1, 1, 1, 1]]), infer(server.url, [[2, 2, 2, 2], [3, 3, 3, 3]])].map((p) =>
      p.then(async (res) => {
        // Keep-alive clients are told to move on: the connection closes after this response.
        events.push(`response ${res.status} connection: ${res.headers.get('connection')}`);
        return (await res.json()) as InferResponse;
      }),
    );
    await vi.waitFor(() => expect(server.app.fluxora.queuedRows).toBe(3));

    const closed = server.close();
    // During the pre-stop delay the server still answers, but is no longer ready.
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: 'Server is shutting down' });

    const result = await closed;
    expect(result.clean).toBe(true);
    const [a, b] = await Promise.all(inflight);
    expect(a.outputs[0].data).toEqual([2, 3, 4]);
    expect(b.outputs[0].data).toEqual([3, 4, 5, 4, 5, 6]);
    expect(events.sort()).toEqual([
      'onDrain inflight=0 queued=0 closed',
      'response 200 connection: close',
      'response 200 connection: close',
    ]);
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
    expect(await server.close()).toBe(result);
  });

  it('counts a request whose client went away out of flight, and neither times nor logs it', async () => {
    const logs = logCapture();
    const server = await start({ logger: { stream: logs.stream } });
    await server.app.fluxora.modelReady;
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => {});
    socket.write('POST /v2/models/energy/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await vi.waitFor(() => expect(server.app.fluxora.inflight).toBe(1));
    socket.destroy();
    await vi.waitFor(() => expect(server.app.fluxora.inflight).toBe(0));

    // A request that is answered is both, so the one that was not is left out for what it is.
    expect((await infer(server.url, [[1, 2, 3, 6]])).status).toBe(200);
    await vi.waitFor(() => expect(logs.lines().filter((line) => line.msg === 'Request completed')).toHaveLength(1));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const infers = metrics.split('\n').filter((line) => line.startsWith('fluxora_http_request_duration_seconds_count{route="/v2/models/:name/infer"'));
    expect(infers).toEqual(['fluxora_http_request_duration_seconds_count{route="/v2/models/:name/infer",status_code="200"} 1']);
  });

  it('cuts connections at the drain deadline, still runs onDrain, and reports the drain as not clean', async () => {
    const onDrain = vi.fn();
    const server = await start({ drainTimeoutMs: 200, onDrain });
    await server.app.fluxora.modelReady;
    // A client that announces a body and never sends it keeps its request in flight.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /v2/models/energy/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    socket.on('error', () => {});
    await vi.waitFor(() => expect(server.app.fluxora.inflight).toBe(1));
    const started = performance.now();
    const result = await server.close();
    expect(result.clean).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(onDrain).toHaveBeenCalledTimes(1);
    socket.destroy();
  });
});
