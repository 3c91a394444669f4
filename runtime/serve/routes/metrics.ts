import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** MetricsRoutesOptions names the registry `GET /metrics` exposes. */
export interface MetricsRoutesOptions {
  registry: Registry;
}

/** METRICS_ROUTE is where Prometheus scrapes; open without an API key. */
export const METRICS_ROUTE = '/metrics';

/** metricsRoutes serves `GET /metrics` in the Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, { registry }: MetricsRoutesOptions): Promise<void> {
  app.get(METRICS_ROUTE, async (_request, reply) => {
    const text = await registry.metrics();
    reply.header('content-type', registry.contentType);
    return text;
  });
}
