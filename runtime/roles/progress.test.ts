import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseGauges } from '../../operator/controllers/shared/pod-metrics.ts';
import { silentLogger } from './logger.ts';
import { PROGRESS_METRICS, startProgressEndpoint } from './progress.ts';

describe('the training progress endpoint', () => {
  it('serves the latest epoch as gauges the operator reads, and 404 elsewhere', async () => {
    const ep = await startProgressEndpoint({ host: '127.0.0.1', port: 0, log: silentLogger });
    expect(ep).toBeDefined();
    if (!ep) return;
    try {
      ep.update({ trial: 2, trials: 8, epoch: 1, epochs: 30, loss: 0.9, valLoss: 1.1 });
      ep.update({ trial: 2, trials: 8, epoch: 2, epochs: 30, loss: 0.5, valLoss: 0.7 });
      const res = await fetch(`http://127.0.0.1:${ep.port}/metrics`);
      expect(res.status).toBe(200);
      expect(parseGauges(await res.text(), Object.values(PROGRESS_METRICS))).toEqual({
        fluxora_training_epoch: 2,
        fluxora_training_epochs: 30,
        fluxora_training_loss: 0.5,
        fluxora_training_val_loss: 0.7,
        fluxora_training_trial: 2,
      });
      expect((await fetch(`http://127.0.0.1:${ep.port}/`)).status).toBe(404);
    } finally {
      await ep.close();
    }
  });

  it('warns and returns nothing when the port is taken, so training goes on', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const warnings: string[] = [];
    try {
      const ep = await startProgressEndpoint({ host: '127.0.0.1', port, log: { ...silentLogger, warn: (_f, m) => warnings.push(m) } });
      expect(ep).toBeUndefined();
      expect(warnings).toEqual(['Progress endpoint not started; training goes on without live progress']);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
