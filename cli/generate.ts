import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generatedFiles } from '../crds/generated-files.ts';
import type { Command } from './command.ts';

/** generateCommand is `fluxora generate`: refresh every generated file of the repository. */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'Write the generated files (CRD YAML, chart CRDs and RBAC, Argo CD health, install.yaml)',
  help: `Usage: fluxora generate [--check] [--root DIR]

Writes every file generated from code: crds/<plural>.fluxora.io.yaml, the
chart's generated CRDs and templates, and charts/install.yaml (the plain
install manifest, synthesized from the cdk8s constructs in operator/manifests/).
With --check, writes nothing and exits 1 when a committed file differs from what
the code generates.

Options:
  --check      compare instead of writing
  --root DIR   repository root (default: the current directory)
  -h, --help   show this help`,
  options: { check: { type: 'boolean' }, root: { type: 'string' } },
  async run(values) {
    const root = (values.root as string | undefined) ?? process.cwd();
    let stale = 0;
    for (const [path, content] of await generatedFiles()) {
      const full = join(root, path);
      const current = await readFile(full, 'utf8').catch(() => undefined);
      if (current === content) continue;
      if (values.check) {
        process.stdout.write(`${path}: stale, run npm run generate\n`);
        stale++;
      } else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
        process.stdout.write(`wrote ${path}\n`);
      }
    }
    return stale === 0 ? 0 : 1;
  },
};
