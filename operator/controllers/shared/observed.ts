import type { z } from 'zod';
import { readSummary } from '../../../runtime/contract/summaries.ts';
import { ContractError } from '../../../runtime/contract/version.ts';
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

/** SummaryRead is a successful pod's summary, or why there is none to use (a Health reason and message). */
export type SummaryRead<T> = { summary: T } | { reason: 'NoSummary' | 'ContractMismatch' | 'InvalidSummary'; message: string };

/**
 * succeededSummary reads the termination-message summary of the Job's successful
 * pod through the contract (version and schema): a pod of another Fluxora release
 * or a summary that breaks the schema is a reason with a message, never a
 * silently missing or misread field.
 */
export function succeededSummary<S extends z.ZodType>(job: ObservedJob, schema: S): SummaryRead<z.output<S>> {
  const ok = job.terminated.find((t) => t.exitCode === 0);
  const parsed = parseSummary<Record<string, unknown>>(ok?.message);
  if (!parsed) return { reason: 'NoSummary', message: `Job ${job.name} completed without a summary in its termination message` };
  try {
    return { summary: readSummary(schema, parsed) };
  } catch (err) {
    if (err instanceof ContractError && err.reason !== 'InvalidConfig') return { reason: err.reason, message: `Job ${job.name}: ${err.message}` };
    throw err;
  }
}
