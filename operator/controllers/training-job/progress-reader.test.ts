import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PROGRESS_METRICS } from '../../../runtime/roles/progress.ts';
import type { ObservedJob } from '../shared/observed.ts';
import { readProgress } from './progress-reader.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** A training pod's progress endpoint on loopback serving `body` at /metrics. */
async function pod(host: string, port: number, body: string): Promise<number> {
  const server = createServer((req, res) => (req.url === '/metrics' ? res.end(body) : res.writeHead(404).end()));
  await new Promise<void>((done) => server.listen(port, host, done));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

const gauges = (epoch: number, epochs: number, loss: number, valLoss: number) =>
  `${PROGRESS_METRICS.epoch} ${epoch}\n${PROGRESS_METRICS.epochs} ${epochs}\n${PROGRESS_METRICS.loss} ${loss}\n${PROGRESS_METRICS.valLoss} ${valLoss}\n`;

function job(running: ObservedJob['running']): ObservedJob {
  return { running } as ObservedJob;
}

describe('readProgress', () => {
  it('reads the lowest completion index that answers with an epoch', async () => {
    // Index 0 is still loading data (no gauges yet); index 1 trains; index 2 is further along.
    const port = await pod('127.0.0.1', 0, 'process_cpu_seconds_total 1\n');
    await pod('127.0.0.2', port, gauges(3, 40, 0.5, 0.6));
    await pod('127.0.0.3', port, gauges(9, 40, 0.3, 0.4));
    const pods = [
      { pod: 'p2', ip: '127.0.0.3', index: 2 },
      { pod: 'p0', ip: '127.0.0.1', index: 0 },
      { pod: 'p1', ip: '127.0.0.2', index: 1 },
    ];
    expect(await readProgress(job(pods), { port })).toEqual({ epoch: 3, epochs: 40, loss: 0.5, valLoss: 0.6 });
  });

  it('is undefined when no pod answers', async () => {
    expect(await readProgress(job([{ pod: 'p0', ip: '127.0.0.1', index: 0 }]), { port: 9, timeoutMs: 200 })).toBeUndefined();
    expect(await readProgress(job([]))).toBeUndefined();
  });
});
