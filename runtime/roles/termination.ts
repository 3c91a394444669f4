import { existsSync, writeFileSync } from 'node:fs';

/** TERMINATION_LOG is where Kubernetes reads a container's termination message. */
export const TERMINATION_LOG = '/dev/termination-log';
/** TERMINATION_LIMIT is the most bytes Kubernetes keeps of a termination message. */
export const TERMINATION_LIMIT = 4096;

/**
 * compactSummary serialises a summary under the termination-message limit,
 * dropping the largest optional arrays (`features`, `columns`, `checks`) first.
 */
export function compactSummary(summary: Record<string, unknown>, limit = TERMINATION_LIMIT): string {
  let text = JSON.stringify(summary);
  const shrinkable = ['features', 'columns', 'checks', 'rejections'];
  const copy: Record<string, unknown> = structuredClone(summary);
  while (Buffer.byteLength(text) > limit) {
    const key = shrinkable.find((k) => Array.isArray(copy[k]) && (copy[k] as unknown[]).length > 0);
    if (!key) {
      text = JSON.stringify({ truncated: true, error: 'summary exceeds the termination-message limit' });
      break;
    }
    const list = copy[key] as unknown[];
    list.splice(Math.max(0, Math.floor(list.length / 2)));
    copy.truncated = true;
    text = JSON.stringify(copy);
  }
  return text;
}

/** writeTerminationMessage writes the summary where Kubernetes reads it, when that path exists (in a pod). */
export function writeTerminationMessage(summary: Record<string, unknown>, path = process.env.FLUXORA_TERMINATION_LOG ?? TERMINATION_LOG): void {
  if (!existsSync(path)) return;
  try {
    writeFileSync(path, compactSummary(summary));
  } catch {
    // Not in a pod (or not writable): the summary is still printed on stdout.
  }
}
