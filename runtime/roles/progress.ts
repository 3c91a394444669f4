import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { RoleLogger } from './logger.ts';

/** PROGRESS_PORT is where a training pod serves its live progress (Prometheus text on /metrics). */
export const PROGRESS_PORT = 9090;

/** TrainingProgress is one epoch's progress, as the train role reports it. */
export interface TrainingProgress {
  trial?: number;
  trials?: number;
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number;
}

/** ProgressEndpoint publishes the latest progress until closed. */
export interface ProgressEndpoint {
  update(p: TrainingProgress): void;
  close(): Promise<void>;
  /** The bound port (useful with port 0). */
  port: number;
}

/**
 * The gauges a training pod exposes. The operator scrapes them while the Job
 * runs (as it scrapes serving pods' in-flight requests) and writes them to
 * TrainingJob status.progress, so the pod needs no API access. NaN (no
 * validation split) is exposed as NaN and dropped by the reader.
 */
export const PROGRESS_METRICS = {
  epoch: 'fluxora_training_epoch',
  epochs: 'fluxora_training_epochs',
  loss: 'fluxora_training_loss',
  valLoss: 'fluxora_training_val_loss',
  trial: 'fluxora_training_trial',
} as const;

/**
 * startProgressEndpoint listens on host:port and serves the gauges on GET
 * /metrics (404 elsewhere). A port that cannot be bound is logged and progress
 * is not published: training never fails for want of a progress port.
 */
export async function startProgressEndpoint(opts: { host: string; port: number; log: RoleLogger }): Promise<ProgressEndpoint | undefined> {
  const registry = new Registry();
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const g = {
    epoch: gauge(PROGRESS_METRICS.epoch, 'Epochs finished in the running training (1-based).'),
    epochs: gauge(PROGRESS_METRICS.epochs, 'Epochs the running training is configured for (early stopping may end it sooner).'),
    loss: gauge(PROGRESS_METRICS.loss, "The last epoch's training loss (scaled target)."),
    valLoss: gauge(PROGRESS_METRICS.valLoss, "The last epoch's validation loss (scaled target)."),
    trial: gauge(PROGRESS_METRICS.trial, 'The tuning trial index this pod runs (absent for the final training).'),
  };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    opts.log.warn({ host: opts.host, port: opts.port, err: (err as Error).message }, 'Progress endpoint not started; training goes on without live progress');
    return undefined;
  }
  server.unref();
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    update(p) {
      g.epoch.set(p.epoch);
      g.epochs.set(p.epochs);
      g.loss.set(p.loss);
      g.valLoss.set(p.valLoss);
      if (p.trial !== undefined) g.trial.set(p.trial);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
