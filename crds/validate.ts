import yaml from 'js-yaml';
import type { z } from 'zod';
import { API_VERSION, objectMeta } from './common.ts';
import { kindByName } from './index.ts';

/** Problem is one validation finding, shown as `FILE:DOC KIND/NAME: path: message`. */
export interface Problem {
  file: string;
  /** 1-based index of the YAML document in the file. */
  doc: number;
  kind: string;
  name: string;
  path: string;
  message: string;
}

/** Manifest is one parsed Kubernetes object with where it came from. */
export interface Manifest {
  file: string;
  doc: number;
  object: Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
}

/** formatProblem renders a problem as one line. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.doc} ${p.kind}/${p.name}: ${p.path}: ${p.message}`;
}

/** issuePath turns a zod issue path into `spec.a.b[2].c`. */
export function issuePath(prefix: string, path: PropertyKey[]): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** parseManifests splits a multi-document YAML text; malformed YAML becomes a problem, not an exception. */
export function parseManifests(text: string, file: string): { manifests: Manifest[]; problems: Problem[] } {
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (err) {
    const e = err as yaml.YAMLException;
    const line = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
    problems.push({ file, doc: 1, kind: '-', name: '-', path: '-', message: `malformed YAML: ${e.reason ?? e.message}${line}` });
    return { manifests, problems };
  }
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push({ file, doc: i + 1, kind: '-', name: '-', path: '-', message: 'a document must be a mapping (a Kubernetes object)' });
      return;
    }
    manifests.push({ file, doc: i + 1, object: doc as Manifest['object'] });
  });
  return { manifests, problems };
}

/** ValidatedManifest is a manifest whose spec passed validation, with defaults applied. */
export interface ValidatedManifest<Spec = unknown> {
  kind: string;
  name: string;
  namespace: string;
  spec: Spec;
  source: Manifest;
}

/**
 * validateManifest checks one Fluxora object with the same zod schemas and rules the
 * CRDs carry. Objects of other API groups (Secrets, ConfigMaps, ...) are accepted as
 * they are. Returns the defaulted spec when valid.
 */
export function validateManifest(m: Manifest): { problems: Problem[]; value?: ValidatedManifest } {
  const kind = typeof m.object.kind === 'string' ? m.object.kind : '-';
  const name = typeof m.object.metadata?.name === 'string' ? m.object.metadata.name : '-';
  const at = (path: string, message: string): Problem => ({ file: m.file, doc: m.doc, kind, name, path, message });
  const apiVersion = m.object.apiVersion;
  if (typeof apiVersion !== 'string' || kind === '-') {
    return { problems: [at(typeof apiVersion !== 'string' ? 'apiVersion' : 'kind', 'required field is missing')] };
  }
  if (!apiVersion.startsWith('fluxora.io/')) return { problems: [] };
  const def = kindByName(kind);
  if (!def) return { problems: [at('kind', `unknown kind "${kind}" in ${apiVersion}`)] };
  if (apiVersion !== API_VERSION) return { problems: [at('apiVersion', `unsupported version "${apiVersion}", expected ${API_VERSION}`)] };
  const problems: Problem[] = [];
  const meta = objectMeta.safeParse(m.object.metadata ?? {});
  if (!meta.success) for (const issue of meta.error.issues) problems.push(at(issuePath('metadata', issue.path), issue.message));
  if (name === '-') problems.push(at('metadata.name', 'required field is missing'));
  if (m.object.spec === undefined) {
    problems.push(at('spec', 'required field is missing'));
    return { problems };
  }
  const spec = (def.spec as z.ZodType).safeParse(m.object.spec);
  if (!spec.success) {
    for (const issue of spec.error.issues) problems.push(at(issuePath('spec', issue.path), issue.message));
  }
  if (problems.length > 0 || !spec.success) return { problems };
  const namespace = typeof m.object.metadata?.namespace === 'string' ? m.object.metadata.namespace : 'default';
  return { problems, value: { kind, name, namespace, spec: spec.data, source: m } };
}
