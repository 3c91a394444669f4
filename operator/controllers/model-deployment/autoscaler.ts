import { scrapeGauges } from '../shared/pod-metrics.ts';
import { type AutoscalePolicy, type Recommendation, recommendReplicas, stabilize } from './autoscale.ts';
import { SERVE_PORT } from './render.ts';

/** INFLIGHT_METRIC is the serving pods' gauge of requests in flight, which the autoscaler reads. */
export const INFLIGHT_METRIC = 'fluxora_inflight_requests';

/** AutoscalerOptions configure an Autoscaler; the defaults are the serving pods' own port and a 1 s scrape timeout. */
export interface AutoscalerOptions {
  /** Port of the pods' /metrics (default SERVE_PORT). */
  port?: number;
  /** How long one pod may take to answer (default 1000 ms); a pod that does not answer is left out. */
  timeoutMs?: number;
}

/**
 * Autoscaler decides a ModelDeployment's replicas from its Ready pods' in-flight
 * requests (recommendReplicas) with a scale-down stabilisation window
 * (stabilize). It keeps each deployment's recent recommendations, by key, for
 * as long as the operator runs: one instance per operator, forgotten when the
 * ModelDeployment is deleted.
 */
export class Autoscaler {
  readonly #history = new Map<string, Recommendation[]>();
  readonly #port: number;
  readonly #timeoutMs: number;

  constructor(options: AutoscalerOptions = {}) {
    this.#port = options.port ?? SERVE_PORT;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  /** desiredReplicas scrapes the pods at `podIPs`, records a recommendation at `now` and returns the stabilised decision. */
  async desiredReplicas(key: string, podIPs: readonly string[], current: number, policy: AutoscalePolicy, now: number): Promise<number> {
    const readings = await Promise.all(podIPs.map((ip) => scrapeGauges(ip, this.#port, [INFLIGHT_METRIC], this.#timeoutMs)));
    const inflight = readings.map((g) => g?.[INFLIGHT_METRIC]).filter((v): v is number => v !== undefined);
    const next = stabilize(this.#history.get(key) ?? [], { at: now, replicas: recommendReplicas(inflight, current, policy) }, policy.stabilizationWindowSeconds);
    this.#history.set(key, next.history);
    return next.replicas;
  }

  /** forget drops a deleted deployment's history. */
  forget(key: string): void {
    this.#history.delete(key);
  }

  /** tracked is how many deployments have a history (for tests and leak checks). */
  get tracked(): number {
    return this.#history.size;
  }
}
