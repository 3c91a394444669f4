import type { TrafficView } from './api.ts';

/** The serving pods' request histogram (runtime/serve/metrics.ts). */
export const REQUEST_METRIC = 'fluxora_http_request_duration_seconds';

/** Routes that are not inference traffic: probes and scrapes. */
const NOT_TRAFFIC = /^\/(v2\/health|healthz|readyz|livez|metrics)/;

/** RequestHistogram is the inference routes' request histogram of one pod, summed over routes and status codes. */
export interface RequestHistogram {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (seconds), ascending, ending with +Inf. */
  buckets: { le: number; count: number }[];
}

function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

/**
 * parseRequestHistogram reads REQUEST_METRIC from a Prometheus text exposition,
 * keeping the inference routes (not health probes or /metrics) and summing over
 * routes and status codes; undefined when the metric is absent.
 */
export function parseRequestHistogram(text: string): RequestHistogram | undefined {
  let found = false;
  let count = 0;
  let sum = 0;
  const buckets = new Map<number, number>();
  const line = new RegExp(`^${REQUEST_METRIC}_(bucket|sum|count)(?:\\{([^}]*)\\})?\\s+(\\S+)`);
  for (const row of text.split('\n')) {
    const m = line.exec(row);
    if (!m) continue;
    found = true;
    const labels = labelsOf(m[2] ?? '');
    if (NOT_TRAFFIC.test(labels.route ?? '')) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    if (m[1] === 'count') count += v;
    else if (m[1] === 'sum') sum += v;
    else {
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      if (!Number.isNaN(le)) buckets.set(le, (buckets.get(le) ?? 0) + v);
    }
  }
  if (!found) return undefined;
  return { count, sum, buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })) };
}

/** histogramQuantile estimates quantile q (0..1) as Prometheus does: linear within the bucket; null without observations. */
export function histogramQuantile(q: number, h: RequestHistogram): number | null {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lower;
      const within = b.count - below;
      return within === 0 ? b.le : lower + ((b.le - lower) * (rank - below)) / within;
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

/** addHistograms sums pods' histograms (same buckets). */
function addHistograms(all: RequestHistogram[]): RequestHistogram {
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const h of all) {
    count += h.count;
    sum += h.sum;
    for (const b of h.buckets) buckets.set(b.le, (buckets.get(b.le) ?? 0) + b.count);
  }
  return { count, sum, buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })) };
}

const ms = (seconds: number | null) => (seconds === null ? null : Number((seconds * 1000).toPrecision(4)));

/**
 * TrafficMeter reads a deployment's serving pods' /metrics and turns the
 * cumulative counters into rates against its previous reading of the same
 * deployment (kept per key, in memory, for as long as the console runs).
 */
export class TrafficMeter {
  readonly #previous = new Map<string, { at: number; count: number; sum: number }>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(opts: { timeoutMs?: number; now?: () => number } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** read scrapes every `metricsUrls` entry (pods that do not answer are left out) and returns the traffic, or undefined when none answered. */
  async read(key: string, metricsUrls: readonly string[]): Promise<TrafficView | undefined> {
    const texts = await Promise.all(
      metricsUrls.map(async (url) => {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
          return res.ok ? await res.text() : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const histograms = texts.map((t) => (t === undefined ? undefined : parseRequestHistogram(t))).filter((h): h is RequestHistogram => h !== undefined);
    if (histograms.length === 0) return undefined;
    return this.observe(key, addHistograms(histograms), histograms.length, metricsUrls.length);
  }

  /** observe turns one summed reading into a TrafficView against the previous reading of `key`. */
  observe(key: string, h: RequestHistogram, podsScraped: number, pods: number): TrafficView {
    const at = this.#now();
    const prev = this.#previous.get(key);
    this.#previous.set(key, { at, count: h.count, sum: h.sum });
    // A pod restart resets its counters: a smaller count starts the rate over.
    const delta = prev && h.count >= prev.count && at > prev.at ? { seconds: (at - prev.at) / 1000, count: h.count - prev.count, sum: h.sum - prev.sum } : undefined;
    return {
      requestsPerSecond: delta ? Number((delta.count / delta.seconds).toPrecision(4)) : null,
      meanLatencyMs: delta && delta.count > 0 ? ms(delta.sum / delta.count) : null,
      p50LatencyMs: ms(histogramQuantile(0.5, h)),
      p99LatencyMs: ms(histogramQuantile(0.99, h)),
      totalRequests: h.count,
      podsScraped,
      pods,
    };
  }

  /** forget drops a deleted deployment's reading. */
  forget(key: string): void {
    this.#previous.delete(key);
  }
}
