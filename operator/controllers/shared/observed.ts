/** ObservedJob is what status functions read of a batch/v1 Job and its pods. */
export interface ObservedJob {
  name: string;
  /** Job conditions: Complete or Failed (with reason, e.g. DeadlineExceeded, BackoffLimitExceeded). */
  complete: boolean;
  failed: boolean;
  failureReason?: string;
  failureMessage?: string;
  active: number;
  succeeded: number;
  startTime?: string;
  completionTime?: string;
  /** Running pods with an IP (live progress is read from them), by completion index for Indexed Jobs. */
  running: { pod: string; ip: string; index?: number }[];
  /** Terminated containers of the Job's pods, newest first: exit code and termination message. */
  terminated: { pod: string; exitCode: number; reason?: string; message?: string; finishedAt?: string }[];
}

/** parseSummary reads a role's JSON termination message; undefined when absent or not JSON. */
export function parseSummary<T>(message: string | undefined): T | undefined {
  if (!message) return undefined;
  try {
    const v = JSON.parse(message) as unknown;
    return v && typeof v === 'object' ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** failureText explains a failed Job: the pod's error summary, else its last log lines, else the Job's condition. */
export function failureText(job: ObservedJob): string {
  for (const t of job.terminated) {
    if (t.exitCode === 0) continue;
    const summary = parseSummary<{ error?: string }>(t.message);
    if (summary?.error) return summary.error;
    if (t.message) return `exit code ${t.exitCode}: ${t.message.trim().split('\n').slice(-3).join(' | ')}`;
    return `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`;
  }
  return [job.failureReason, job.failureMessage].filter(Boolean).join(': ') || 'the Job failed';
}

/** succeededSummary returns the termination message summary of the Job's successful pod. */
export function succeededSummary<T>(job: ObservedJob): T | undefined {
  const ok = job.terminated.find((t) => t.exitCode === 0);
  return parseSummary<T>(ok?.message);
}
