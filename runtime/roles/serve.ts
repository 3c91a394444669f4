import type { Pool } from 'pg';
import { loadModel, resolveVersion } from '../registry/registry.ts';
import { startServer } from '../serve/server.ts';
import { PredictionLogWriter } from '../store/prediction-log.ts';
import type { ServeConfig } from '../contract/config.ts';
import type { RoleLogger } from './logger.ts';
import { servingModel } from '../serve/registry-model.ts';

/** Serving is a running inference server for one ModelDeployment. */
export interface Serving {
  deploymentName: string;
  url: string;
  port: number;
  model: { name: string; version: number };
  /** flushLog writes the buffered prediction log now. */
  flushLog(): Promise<void>;
  /** close drains the server (in-flight requests finish) and flushes the prediction log. */
  close(): Promise<void>;
}

/** ServeContext is what the serve role needs besides its config. */
export interface ServeContext {
  pool: Pool;
  log: RoleLogger;
  port: number;
  host: string;
  apiKeys?: string[];
  /** Exit on SIGTERM after draining (the pod's process); false when embedded in `fluxora run`. */
  handleSignals?: boolean;
  /** Called after a signal-driven drain, before the process exits (close the store). */
  onExit?: () => Promise<void>;
}

/**
 * startServing loads the selected model version from the registry, builds the
 * serving model (warm-up happens before the server reports ready), and starts
 * the inference server with the prediction log wired to the store.
 */
export async function startServing(config: ServeConfig, ctx: ServeContext): Promise<Serving> {
  const md = config.deployment.spec;
  const selector = config.model;
  const version = selector.version ?? (await resolveVersion(ctx.pool, selector.name, selector.alias ?? 'latest'));
  const record = await loadModel(ctx.pool, selector.name, { version });
  const model = await servingModel(record);
  const writer = md.predictionLog.enabled ? new PredictionLogWriter(ctx.pool, {}) : undefined;
  const rate = md.predictionLog.sampleRate;
  const server = await startServer({
    model,
    port: ctx.port,
    host: ctx.host,
    batching: md.batching,
    auth: ctx.apiKeys ? { apiKeys: ctx.apiKeys } : undefined,
    logger: false,
    handleSignals: ctx.handleSignals ?? false,
    predictionLog: writer && {
      add(row) {
        if (rate < 1 && Math.random() >= rate) return;
        writer.add({ model: row.model, version: row.version, features: row.features, featureNames: row.names, outputs: row.outputs });
      },
      counters: () => writer.counters,
    },
    onDrain: async () => {
      await writer?.close();
      await ctx.onExit?.();
    },
  });
  ctx.log.info({ deployment: config.deployment.name, model: record.name, version: record.version, url: server.url }, 'Serving model');
  return {
    deploymentName: config.deployment.name,
    url: server.url,
    port: server.port,
    model: { name: record.name, version: record.version },
    flushLog: async () => {
      await writer?.flush();
    },
    close: async () => {
      await server.close();
    },
  };
}
