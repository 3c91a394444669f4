import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = new URL('../../bin/fluxora.mjs', import.meta.url).pathname;

async function fluxora(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('fluxora CLI', () => {
  it('validates every example with exit 0', async () => {
    const r = await fluxora('validate', '-f', 'examples/');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('names both field paths of a bad TrainingJob and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxora-validate-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'apiVersion: fluxora.io/v1alpha1\nkind: TrainingJob\nmetadata: {name: bad}\nspec:\n  featureSetRef: {name: f}\n  registry: {model: m}\n  model: {algorithm: xgboostt, epochs: -1}\n',
    );
    const r = await fluxora('validate', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad\.yaml:1 TrainingJob\/bad: spec\.model\.algorithm: /);
    expect(r.stdout).toMatch(/bad\.yaml:1 TrainingJob\/bad: spec\.model\.epochs: /);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('reports a missing path as a problem, not a stack trace', async () => {
    const r = await fluxora('validate', '-f', 'no/such/dir');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no/such/dir:0 -/-: -: no such file or directory');
  });

  it('prints the five CRDs', async () => {
    const r = await fluxora('crds');
    expect(r.code).toBe(0);
    const docs = yaml.loadAll(r.stdout) as { kind: string; spec: { names: { kind: string } } }[];
    expect(docs.map((d) => d.spec.names.kind)).toEqual(['Dataset', 'FeatureSet', 'TrainingJob', 'ModelDeployment', 'DriftMonitor']);
  });

  it('has --help on every command and exits 2 on a usage error', async () => {
    const top = await fluxora('--help');
    const names = [...top.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      const r = await fluxora(name, '--help');
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain(`Usage: fluxora ${name}`);
    }
    const bad = await fluxora('validate', '--nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--nope'");
  });
});
