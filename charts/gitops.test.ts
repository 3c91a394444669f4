import { readFileSync } from 'node:fs';
import { LuaFactory } from 'wasmoon';
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

const factory = new LuaFactory();

/**
 * health runs the Lua check in Lua 5.4 compiled to WebAssembly (wasmoon, installed
 * by npm; Argo CD runs the same script in gopher-lua), with `obj` as a Lua table.
 */
async function health(obj: unknown): Promise<{ status: string; message: string }> {
  const engine = await factory.createEngine();
  try {
    const out: string = await engine.doString(`obj = ${toLua(obj)}\nlocal function check()\n${lua}\nend\nlocal hs = check()\nreturn hs.status .. "\\n" .. (hs.message or "")`);
    const [status, ...message] = out.split('\n');
    return { status, message: message.join('\n') };
  } finally {
    engine.global.close();
  }
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
  ])('%s', async (_what, obj, status, message) => {
    expect(await health(obj)).toEqual({ status, message });
  });

  it('is Degraded on Ready=False with a failure reason even without Stalled', async () => {
    const obj = {
      metadata: { generation: 1 },
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'RolloutFailed', message: 'pods of version 4 did not become Ready' }] },
    };
    expect((await health(obj)).status).toBe('Degraded');
  });
});
