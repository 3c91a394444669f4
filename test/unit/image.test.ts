import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSpec } from '../../crds/dataset.ts';
import { serializeRoleConfig } from '../../runtime/contract/config.ts';

/**
 * The image as far as it can be checked without a container engine: the final
 * stage's COPY lines of the Dockerfile, filtered by .dockerignore, laid out in a
 * temporary root (/app, /data) with this checkout's node_modules; every command
 * then starts from the image's ENTRYPOINT path, and a workload role runs on the
 * data the image carries. A source file that imports something the image leaves
 * out (tests, charts, bench, examples) fails here.
 */

const exec = promisify(execFile);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/**
 * ignoredBy reports whether .dockerignore excludes a context path: patterns are
 * anchored at the context root (`*` within one segment, `**` and a slash: any depth), a
 * match covers everything below it, `!` re-includes, and the last match wins.
 */
function ignoredBy(patterns: string[]): (rel: string) => boolean {
  const rules = patterns.map((p) => {
    const negate = p.startsWith('!');
    const glob = (negate ? p.slice(1) : p).replace(/\/$/, '');
    const body = glob
      .split(/(\*\*\/|\*)/)
      .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return { negate, re: new RegExp(`^${body}(?:/.*)?$`) };
  });
  return (rel) => {
    let out = false;
    for (const r of rules) if (r.re.test(rel)) out = !r.negate;
    return out;
  };
}

async function copyFiltered(src: string, dest: string, rel: string, ignored: (rel: string) => boolean): Promise<void> {
  if ((await stat(src)).isDirectory()) {
    await mkdir(dest, { recursive: true });
    for (const name of await readdir(src)) await copyFiltered(path.join(src, name), path.join(dest, name), `${rel}/${name}`, ignored);
  } else if (!ignored(rel)) {
    await mkdir(path.dirname(dest), { recursive: true });
    await cp(src, dest);
  }
}

describe('the image layout', () => {
  let root: string;
  let entrypoint: string[];
  const fluxora = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const r = await exec(entrypoint[0] === 'node' ? process.execPath : entrypoint[0], [...entrypoint.slice(1).map((a) => a.replace(/^\//, `${root}/`)), ...args], {
        cwd: path.join(root, 'app'),
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOME: root, ...env },
        maxBuffer: 16 << 20,
      });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    const dockerfile = await readFile(path.join(repo, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const ignored = ignoredBy(
      (await readFile(path.join(repo, '.dockerignore'), 'utf8'))
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
    root = await mkdtemp(path.join(tmpdir(), 'fluxora-image-'));
    const workdir = /^WORKDIR (\S+)$/m.exec(finalStage)?.[1] ?? '/';
    for (const m of finalStage.matchAll(/^COPY (?!--from)(?:--\S+ )*(\S+) (\S+)$/gm)) {
      let dest = path.join(root, m[2].startsWith('/') ? m[2] : path.join(workdir, m[2]));
      if (m[2].endsWith('/') && !(await stat(path.join(repo, m[1]))).isDirectory()) dest = path.join(dest, path.basename(m[1]));
      await copyFiltered(path.join(repo, m[1]), dest, m[1].replace(/^\.\//, ''), ignored);
    }
    // The deps stage's node_modules: this checkout's.
    await symlink(path.join(repo, 'node_modules'), path.join(root, 'app/node_modules'));
    entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(finalStage)?.[1] ?? '[]');
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('leaves tests, charts, benchmarks, docs and the generators out, and carries the example data under /data', async () => {
    const files = (await readdir(path.join(root, 'app'), { recursive: true })).filter((f) => !f.startsWith('node_modules'));
    expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    expect(files.some((f) => f.startsWith('charts') || f.startsWith('bench') || f.startsWith('test'))).toBe(false);
    expect(files).toContain('bin/fluxora.mjs');
    expect(files).not.toContain('cli/generate.ts');
    expect((await stat(path.join(root, 'data/data/grid-load.csv'))).size).toBeGreaterThan(100_000);
  });

  it('starts every command from the ENTRYPOINT', async () => {
    expect(entrypoint.slice(0, 1)).toEqual(['node']);
    const help = await fluxora(['--help']);
    expect(help.code).toBe(0);
    const commands = [...help.stdout.matchAll(/^ {2}(\w+) {2}/gm)].map((m) => m[1]);
    expect(commands).toEqual(expect.arrayContaining(['operator', 'profile', 'materialize', 'train', 'serve', 'drift', 'validate', 'crds', 'run']));
    for (const c of commands.filter((c) => c !== 'generate')) {
      const r = await fluxora([c, '--help']);
      expect({ c, code: r.code, stderr: r.stderr }).toEqual({ c, code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`Usage: fluxora ${c}`));
    }
    // Every module the image carries loads there: nothing imports a file the image leaves out.
    const modules = (await readdir(path.join(root, 'app'), { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('node_modules'));
    expect(modules.length).toBeGreaterThan(100);
    const script = `for (const f of ${JSON.stringify(modules)}) await import('./' + f);`;
    const loaded = await exec(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], { cwd: path.join(root, 'app'), maxBuffer: 16 << 20 }).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(loaded).toBe('');
    const generate = await fluxora(['generate']);
    expect(generate).toMatchObject({ code: 2, stderr: expect.stringMatching(/rewrites the generated files of a source checkout; run it there/) });
    const crds = await fluxora(['crds']);
    expect(crds.stdout.match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(5);
  });

  it("runs a workload role on the image's example data, as the example's Dataset names it", async () => {
    const dataset = { kind: 'Dataset', name: 'grid-load', namespace: 'ml', spec: datasetSpec.parse({ source: { csv: { path: 'data/grid-load.csv' } }, columns: [{ name: 'load' }, { name: 'temperature' }] }) };
    const r = await fluxora(['profile'], { FLUXORA_CONFIG: serializeRoleConfig({ role: 'profile', dataset, dataDir: path.join(root, 'data') }), FLUXORA_TERMINATION_LOG: path.join(root, 'termination-log') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 13128, rejectedRows: 0, validation: { passed: true } });
  });
});
