import type { onRequestHookHandler } from 'fastify';
import type { Batcher } from './batcher.ts';
import type { ServeMetrics } from './metrics.ts';
import type { ModelState } from './model-state.ts';
import type { PredictionRecorder } from './prediction-log.ts';

/** ServeContext is what the route plugins share, passed to each as its `context` option. */
export interface ServeContext {
  state: ModelState;
  batcher: Batcher;
  metrics: ServeMetrics;
  predictions: PredictionRecorder;
  serverName: string;
  serverVersion: string;
  /** onRequest hooks of routes that need an API key (none without auth). */
  authenticated: onRequestHookHandler[];
  /** onRequest hooks of routes that need an API key and a ready model (503 before it is). */
  guarded: onRequestHookHandler[];
}

/** RouteOptions are the options every route plugin takes. */
export interface RouteOptions {
  context: ServeContext;
}

/** JSON_CONTENT_TYPE is the content type of responses the routes serialize themselves. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
