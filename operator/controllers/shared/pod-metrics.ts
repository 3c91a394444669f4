/**
 * Reading a workload pod's Prometheus gauges: the serving pods' in-flight
 * requests (autoscaling) and the training pods' live progress. A pod that does
 * not answer within the timeout, or answers without the metric, reads as
 * absent: the caller decides what a missing reading means.
 */

/** parseGauges picks the first sample of each named metric (any labels) from a Prometheus text exposition; non-finite values are dropped. */
export function parseGauges(text: string, names: readonly string[]): Record<string, number> {
  const wanted = new Set(names);
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !wanted.has(m[1]) || m[1] in out) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) out[m[1]] = v;
  }
  return out;
}

/** scrapeGauges GETs http://ip:port/metrics and parses the named gauges; undefined when the pod does not answer in time. */
export async function scrapeGauges(ip: string, port: number, names: readonly string[], timeoutMs = 1000): Promise<Record<string, number> | undefined> {
  try {
    const res = await fetch(`http://${ip}:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return parseGauges(await res.text(), names);
  } catch {
    return undefined;
  }
}
