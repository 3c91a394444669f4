/** Helpers the operator benchmarks share: kubectl that must succeed, polling, bulk creation, a process's RSS. */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { ControlPlane } from '../test/e2e/harness/control-plane.ts';

/** must runs kubectl and returns its stdout, throwing with its stderr on failure. */
export async function must(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** until polls `check` every `everyMs` until it is true; an error from `check` ends the wait (a bench must not hide it). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** docs renders n objects as one multi-document YAML stream. */
export function docs(n: number, make: (i: number) => object): string {
  return Array.from({ length: n }, (_, i) => yaml.dump(make(i))).join('---\n');
}

/** createInChunks creates a YAML stream's objects 250 at a time. */
export async function createInChunks(cp: ControlPlane, text: string): Promise<void> {
  const parts = text.split('---\n');
  for (let i = 0; i < parts.length; i += 250) await must(cp, ['create', '-f', '-'], parts.slice(i, i + 250).join('---\n'));
}

/** rssMb is a process's resident memory in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
