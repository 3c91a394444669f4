import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type Manifest, type Problem, parseManifests, type ValidatedManifest, validateManifest } from './validate.ts';

/** yamlFilesUnder lists .yaml/.yml files of a file or directory, recursively, in sorted order. */
export async function yamlFilesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(full)));
    else if (/\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}

/** LoadedManifests is every object read from a path, the valid Fluxora ones, and every problem found. */
export interface LoadedManifests {
  manifests: Manifest[];
  resources: ValidatedManifest[];
  problems: Problem[];
}

/** loadManifests reads and validates every manifest under a path; an unreadable path is a problem, not a crash. */
export async function loadManifests(path: string, cwd = process.cwd()): Promise<LoadedManifests> {
  const result: LoadedManifests = { manifests: [], resources: [], problems: [] };
  let files: string[];
  try {
    files = await yamlFilesUnder(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    result.problems.push({ file: path, doc: 0, kind: '-', name: '-', path: '-', message: code === 'ENOENT' ? 'no such file or directory' : String(err) });
    return result;
  }
  if (files.length === 0) {
    result.problems.push({ file: path, doc: 0, kind: '-', name: '-', path: '-', message: 'no .yaml or .yml files found' });
  }
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    const { manifests, problems } = parseManifests(await readFile(file, 'utf8'), shown);
    result.problems.push(...problems);
    for (const m of manifests) {
      result.manifests.push(m);
      const v = validateManifest(m);
      result.problems.push(...v.problems);
      if (v.value) result.resources.push(v.value);
    }
  }
  return result;
}
