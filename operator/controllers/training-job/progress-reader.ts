import { PROGRESS_METRICS, PROGRESS_PORT } from '../../../runtime/roles/progress.ts';
import type { ObservedJob } from '../shared/observed.ts';
import { scrapeGauges } from '../shared/pod-metrics.ts';
import type { LiveProgress } from './status.ts';

/**
 * readProgress asks a Job's running training pods at once for their progress
 * gauges (epoch, epochs, losses) and returns the reading of the lowest completion
 * index that answered; undefined when none did (a pod still loading data, or
 * one that does not answer within the timeout).
 */
export async function readProgress(job: ObservedJob, options: { port?: number; timeoutMs?: number } = {}): Promise<LiveProgress | undefined> {
  const pods = [...job.running].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const names = Object.values(PROGRESS_METRICS);
  const readings = await Promise.all(pods.map((pod) => scrapeGauges(pod.ip, options.port ?? PROGRESS_PORT, names, options.timeoutMs)));
  for (const g of readings) {
    const epoch = g?.[PROGRESS_METRICS.epoch];
    const epochs = g?.[PROGRESS_METRICS.epochs];
    if (g && epoch !== undefined && epochs !== undefined) return { epoch, epochs, loss: g[PROGRESS_METRICS.loss], valLoss: g[PROGRESS_METRICS.valLoss] };
  }
  return undefined;
}
