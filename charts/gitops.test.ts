import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conditionsFor, type Health } from '../runtime/pipeline/status.ts';

const lua = readFileSync(new URL('./fluxora/gitops/health.lua', import.meta.url), 'utf8');

/** toLua renders a JSON value as a Lua table literal (what Argo CD hands the script as `obj`). */
function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `[${JSON.stringify(k)}] = ${toLua(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** health runs the Lua check with Debian's lua5.4 (Argo CD runs the same script in gopher-lua). */
function health(obj: unknown): { status: string; message: string } {
  const script = `obj = ${toLua(obj)}\nlocal function check()\n${lua}\nend\nlocal hs = check()\nio.write(hs.status, "\\n", hs.message or "")`;
  const out = execFileSync('lua5.4', ['-'], { input: script, encoding: 'utf8' });
  const [status, ...message] = out.split('\n');
  return { status, message: message.join('\n') };
}

const at = new Date('2026-01-01T00:00:00Z');
const object = (generation: number, observed: number | undefined, h?: Health) => ({
  apiVersion: 'fluxora.io/v1alpha1',
  kind: 'TrainingJob',
  metadata: { name: 't', generation },
  status: h ? { observedGeneration: observed, conditions: conditionsFor(h, observed, undefined, at) } : undefined,
});

describe('Argo CD health (Lua)', () => {
  it.each([
    ['Ready for the current generation', object(2, 2, { state: 'Ready', reason: 'Succeeded', message: 'registered grid v3' }), 'Healthy', 'registered grid v3'],
    ['progressing', object(1, 1, { state: 'Progressing', reason: 'Tuning', message: '2/4 trials finished' }), 'Progressing', 'Tuning: 2/4 trials finished'],
    ['stalled', object(1, 1, { state: 'Stalled', reason: 'TrainingFailed', message: 'exit code 137 (OOMKilled)' }), 'Degraded', 'TrainingFailed: exit code 137 (OOMKilled)'],
    ['Ready, but for an older generation', object(3, 2, { state: 'Ready', reason: 'Succeeded', message: '' }), 'Progressing', 'Waiting for the operator to observe generation 3'],
    ['without status yet', object(1, undefined), 'Progressing', 'Waiting for the operator'],
  ])('%s', (_what, obj, status, message) => {
    expect(health(obj)).toEqual({ status, message });
  });

  it('is Degraded on Ready=False with a failure reason even without Stalled', () => {
    const obj = {
      metadata: { generation: 1 },
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'RolloutFailed', message: 'pods of version 4 did not become Ready' }] },
    };
    expect(health(obj).status).toBe('Degraded');
  });
});
