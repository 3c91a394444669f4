import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

  // A callback handler rather than an async one: the batcher calls back with the
  // request's outputs and the reply is sent from there, with no promise or
  // microtask of its own per request. Errors thrown here (404, 400) reach
  // fastify's error handler as usual; those of the batch go through reply.send.
  const infer = (request: FastifyRequest<{ Params: InferParams }>, reply: FastifyReply): void => {
    const served = state.requireServed();
    resolveModel(served, request.params.name, request.params.version);
    const decoded = decodeInferRequest(request.body, served.nInputs, batcher.maxQueue);
    batcher.enqueue(decoded.X, decoded.rows, (error, result, start, end) => {
      if (error !== undefined) {
        reply.send(error);
        return;
      }
      let body: Buffer;
      try {
        body = serializeInferResponse(served.inferPrefix, decoded.id, decoded.rows, served.horizon, decoded.outputs, result!, start);
      } catch (failure) {
        metrics.predictionFailed(decoded.rows);
        reply.send(failure);
        return;
      }
      const { model } = served;
      predictions.record(model.name, model.version, model.inputNames, decoded.X, decoded.rows, result!.point, start, end);
      reply.header('content-type', JSON_CONTENT_TYPE).send(body);
    });
  };
  app.post<{ Params: InferParams }>('/v2/models/:name/infer', { onRequest: context.guarded }, infer);
  app.post<{ Params: InferParams }>('/v2/models/:name/versions/:version/infer', { onRequest: context.guarded }, infer);
}
