import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'bin/fluxora.mjs');

async function fluxora(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { cwd, maxBuffer: 64 << 20, env: { ...process.env, FLUXORA_DATABASE_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from the CLI.
type Any = any;

describe('fluxora run', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fluxora-run-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('runs the energy-forecast example to Ready with a model better than the seasonal-naive baseline', async () => {
    const state = join(work, 'state');
    const r = await fluxora(['run', '-f', 'examples/energy-forecast', '-o', 'json', '--state-dir', state]);
    expect(r.stderr).not.toMatch(/is not Ready/);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Any;
    expect(list.kind).toBe('List');
    expect(list.items.map((i: Any) => i.kind)).toEqual(['Dataset', 'FeatureSet', 'TrainingJob', 'ModelDeployment', 'DriftMonitor']);
    for (const item of list.items) {
      const ready = item.status.conditions.find((c: Any) => c.type === 'Ready');
      expect(ready.status, `${item.kind}/${item.metadata.name}: ${ready.message}`).toBe('True');
      expect(item.status.observedGeneration).toBe(1);
    }
    const tj = list.items[2].status;
    expect(tj.metrics.mae).toBeLessThan(tj.baseline.mae);
    expect(tj.metrics.intervalCoverage).toBeGreaterThan(0.8);
    expect(tj.trials).toMatchObject({ completed: 2, total: 2 });
    expect(tj.backtest.folds).toHaveLength(5);
    expect(tj.metrics.mase).toBeLessThan(1);
    expect(tj.model).toMatchObject({ name: 'grid-load', version: 1 });
    expect(list.items[0].status.rows).toBe(13128);
    expect(list.items[4].status.samples).toBeGreaterThanOrEqual(200);

    // The state directory keeps the registry: a second run registers version 2.
    const again = await fluxora(['run', '-f', 'examples/energy-forecast/pipeline.yaml', '-o', 'json', '--state-dir', state, '--replay', '0']);
    const tj2 = (JSON.parse(again.stdout) as Any).items[2].status;
    expect(tj2.model.version).toBe(2);
  });

  it('fails broken manifests and broken data with a message naming the cause, keeping the state usable', async () => {
    const dir = join(work, 'broken');
    await cp(join(root, 'examples/energy-forecast'), dir, { recursive: true });
    const state = join(work, 'broken-state');
    const pipeline = await readFile(join(dir, 'pipeline.yaml'), 'utf8');

    await writeFile(join(dir, 'pipeline.yaml'), pipeline.replace('algorithm: mlp', 'algorithm: xgboostt'));
    let r = await fluxora(['run', '-f', dir, '--state-dir', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pipeline\.yaml:3 TrainingJob\/grid-load-mlp: spec\.model\.algorithm: /);

    await writeFile(join(dir, 'pipeline.yaml'), pipeline.replace('data/grid-load.csv', 'data/missing.csv'));
    r = await fluxora(['run', '-f', dir, '--state-dir', state, '-o', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dataset\/grid-load is not Ready: ProfileFailed: .*missing\.csv/);
    expect(r.stderr).toMatch(/TrainingJob\/grid-load-mlp is not Ready: FeatureSetNotReady/);

    const csv = await readFile(join(dir, 'data/grid-load.csv'), 'utf8');
    const lines = csv.split('\n');
    lines[5] = '2023-01-01T04:00:00+11:00,not-a-number,20.1';
    await writeFile(join(dir, 'data/grid-load.csv'), lines.join('\n'));
    await writeFile(join(dir, 'pipeline.yaml'), pipeline);
    r = await fluxora(['run', '-f', dir, '--state-dir', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dataset\/grid-load is not Ready: ValidationFailed: .*line 6: column "load": expected number/);

    await writeFile(join(dir, 'data/grid-load.csv'), csv.replace('timestamp,load,temperature', 'timestamp,load,temp'));
    r = await fluxora(['run', '-f', dir, '--state-dir', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dataset\/grid-load is not Ready: ProfileFailed: .*temperature/);

    // The state directory is still usable: a valid Dataset-only run succeeds on it.
    await writeFile(join(dir, 'data/grid-load.csv'), csv);
    await writeFile(join(dir, 'pipeline.yaml'), pipeline.split('\n---\n')[0]);
    r = await fluxora(['run', '-f', join(dir, 'pipeline.yaml'), '--state-dir', state]);
    expect(r.code).toBe(0);
  });
});
