import type { FastifyInstance } from 'fastify';
import { decodeInferRequest } from '../infer-request.ts';
import { serializeInferResponse } from '../infer-response.ts';
import { resolveModel } from '../model-state.ts';
import { JSON_CONTENT_TYPE, type RouteOptions } from '../serve-context.ts';

interface InferParams {
  name: string;
  version?: string;
}

/**
 * inferenceRoutes are the OIP inference API, `POST /v2/models/{name}[/versions/{version}]/infer`:
 * one FP32 input `features` of shape [n, nInputs] (n rows per request), outputs
 * `forecast`, `lower`, `upper` of shape [n, horizon] (all, or those asked for).
 * Rows go through the micro-batcher; the response echoes the request's `id`.
 */
export async function inferenceRoutes(app: FastifyInstance, { context }: RouteOptions): Promise<void> {
  const { state, batcher, metrics, predictions } = context;

  const infer = async (request: { params: InferParams; body: unknown }, reply: { header(name: string, value: string): unknown }) => {
    const served = state.requireServed();
    resolveModel(served, request.params.name, request.params.version);
    const decoded = decodeInferRequest(request.body, served.nInputs, batcher.maxQueue);
    const result = await batcher.submit(decoded.X, decoded.rows);
    let body: Buffer;
    try {
      body = serializeInferResponse(served.inferPrefix, decoded.id, decoded.rows, served.horizon, decoded.outputs, result);
    } catch (error) {
      metrics.predictionFailed(decoded.rows);
      throw error;
    }
    const { model } = served;
    predictions.record(model.name, model.version, model.inputNames, decoded.X, decoded.rows, result.point);
    reply.header('content-type', JSON_CONTENT_TYPE);
    return body;
  };
  app.post<{ Params: InferParams }>('/v2/models/:name/infer', { onRequest: context.guarded }, infer);
  app.post<{ Params: InferParams }>('/v2/models/:name/versions/:version/infer', { onRequest: context.guarded }, infer);
}
