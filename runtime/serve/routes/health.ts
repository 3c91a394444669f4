import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.ts';
import { resolveModel } from '../model-state.ts';
import type { RouteOptions } from '../serve-context.ts';

/** HEALTH_ROUTES are the probe routes: open without an API key, not counted as in-flight work. */
export const HEALTH_ROUTES = Object.freeze([
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/:name/ready',
  '/v2/models/:name/versions/:version/ready',
]);

interface ModelParams {
  name: string;
  version?: string;
}

/**
 * healthRoutes are the OIP health API. Server live: 200 `{"live": true}` while the
 * process can answer, 503 once the model failed to load (a restart may help).
 * Server ready: 200 `{"ready": true}` once the model is loaded and warmed up and
 * until draining starts, 503 `{"error"}` with Retry-After otherwise. Model ready:
 * 200 `{"name", "ready": true}` for the served model and version, 404 for others.
 */
export async function healthRoutes(app: FastifyInstance, { context }: RouteOptions): Promise<void> {
  const { state } = context;

  app.get('/v2/health/live', async () => {
    if (state.loadError !== undefined) throw new errors.FST_FLUXORA_MODEL_LOAD_FAILED(state.loadError.message);
    return { live: true };
  });

  app.get('/v2/health/ready', async () => {
    state.requireServed();
    if (state.draining) throw new errors.FST_FLUXORA_SHUTTING_DOWN();
    return { ready: true };
  });

  const modelReady = async (request: { params: ModelParams }) => {
    const served = state.requireServed();
    resolveModel(served, request.params.name, request.params.version);
    if (state.draining) throw new errors.FST_FLUXORA_SHUTTING_DOWN();
    return { name: served.model.name, ready: true };
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', modelReady);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', modelReady);
}
