import type { FastifyInstance } from 'fastify';
import { resolveModel } from '../model-state.ts';
import type { RouteOptions } from '../serve-context.ts';

interface ModelParams {
  name: string;
  version?: string;
}

/**
 * metadataRoutes are the OIP metadata API: server metadata `GET /v2` (`{name,
 * version, extensions}`, answered before the model is ready) and model metadata
 * `GET /v2/models/{name}[/versions/{version}]` (`{name, versions, platform, inputs,
 * outputs}`; 503 until the model is ready, 404 for another name or version). Both
 * need the API key when auth is on.
 */
export async function metadataRoutes(app: FastifyInstance, { context }: RouteOptions): Promise<void> {
  const server = { name: context.serverName, version: context.serverVersion, extensions: [] as string[] };
  app.get('/v2', { onRequest: context.authenticated }, async () => server);

  const modelMetadata = async (request: { params: ModelParams }) => {
    const served = context.state.requireServed();
    resolveModel(served, request.params.name, request.params.version);
    return served.metadata;
  };
  app.get<{ Params: ModelParams }>('/v2/models/:name', { onRequest: context.guarded }, modelMetadata);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', { onRequest: context.guarded }, modelMetadata);
}
