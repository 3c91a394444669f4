import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseGauges, scrapeGauges } from './pod-metrics.ts';

const exposition = `# HELP fluxora_training_epoch Epochs finished.
# TYPE fluxora_training_epoch gauge
fluxora_training_epoch 7
fluxora_training_val_loss NaN
fluxora_inflight_requests{model="grid",version="3"} 12.5
fluxora_inflight_requests{model="grid",version="4"} 99
fluxora_training_epochs_total 3
fluxora_training_epochs 50
`;

describe('parseGauges', () => {
  it('reads the first sample of each wanted metric, with or without labels, and drops NaN', () => {
    expect(parseGauges(exposition, ['fluxora_training_epoch', 'fluxora_training_epochs', 'fluxora_training_val_loss', 'fluxora_inflight_requests', 'absent'])).toEqual({
      fluxora_training_epoch: 7,
      fluxora_training_epochs: 50,
      fluxora_inflight_requests: 12.5,
    });
  });
  it('does not confuse a metric with another whose name it prefixes', () => {
    expect(parseGauges('fluxora_training_epochs_total 3\n', ['fluxora_training_epochs'])).toEqual({});
  });
});

describe('scrapeGauges', () => {
  it('reads a live endpoint, and is undefined for an error status or a closed port', async () => {
    const server = createServer((req, res) => (req.url === '/metrics' ? res.end(exposition) : res.writeHead(500).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await scrapeGauges('127.0.0.1', port, ['fluxora_training_epoch'])).toEqual({ fluxora_training_epoch: 7 });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await scrapeGauges('127.0.0.1', port, ['fluxora_training_epoch'], 300)).toBeUndefined();
  });
});
