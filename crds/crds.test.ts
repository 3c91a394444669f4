import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { allCrds, type JsonSchema } from './generate.ts';
import { generatedFiles } from './generated-files.ts';
import { kinds } from './index.ts';

/** Walks a schema and returns the paths of nodes that break the structural-schema rules. */
function structuralViolations(node: JsonSchema, path: string, out: string[]): string[] {
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!intOrString && typeof node.type !== 'string') out.push(`${path}: no type`);
  if ('$ref' in node) out.push(`${path}: $ref`);
  for (const k of ['oneOf', 'allOf', 'not', 'nullable']) if (k in node) out.push(`${path}: ${k}`);
  if ('anyOf' in node && !intOrString) out.push(`${path}: anyOf`);
  if (node.properties && node.additionalProperties !== undefined) out.push(`${path}: properties with additionalProperties`);
  if (node.type === 'object' && !node.properties && !node.additionalProperties && !preserve && path.split('.').length > 2) {
    // metadata is the one untyped object Kubernetes allows at the top.
    if (!path.endsWith('.metadata')) out.push(`${path}: object without properties`);
  }
  if (node.type === 'array' && !node.items) out.push(`${path}: array without items`);
  if (node.type === 'string' && node.description === undefined && path.includes('.spec.') && !path.endsWith('[]')) {
    out.push(`${path}: no description`);
  }
  for (const [k, v] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {})) structuralViolations(v, `${path}.${k}`, out);
  if (node.items) structuralViolations(node.items as JsonSchema, `${path}[]`, out);
  if (typeof node.additionalProperties === 'object') structuralViolations(node.additionalProperties as JsonSchema, `${path}{}`, out);
  return out;
}

/** Counts how many list/string nodes a CEL rule may iterate over without a bound. */
function unboundedUnderRules(node: JsonSchema, underRule: boolean, path: string, out: string[]): string[] {
  const ruled = underRule || Array.isArray(node['x-kubernetes-validations']);
  if (ruled && node.type === 'array' && node.maxItems === undefined) out.push(`${path}: array without maxItems`);
  if (ruled && node.type === 'string' && node.maxLength === undefined && node.enum === undefined) out.push(`${path}: string without maxLength`);
  for (const [k, v] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {})) unboundedUnderRules(v, ruled, `${path}.${k}`, out);
  if (node.items) unboundedUnderRules(node.items as JsonSchema, ruled, `${path}[]`, out);
  return out;
}

describe('CRDs', () => {
  const crds = allCrds();

  it('has one CRD per kind with the names, short names and category', () => {
    expect(crds.map((c) => (c.metadata as { name: string }).name)).toEqual([
      'datasets.fluxora.io',
      'featuresets.fluxora.io',
      'trainingjobs.fluxora.io',
      'modeldeployments.fluxora.io',
      'driftmonitors.fluxora.io',
    ]);
    for (const crd of crds) {
      const names = (crd.spec as { names: { shortNames: string[]; categories: string[] } }).names;
      expect(names.categories).toEqual(['fluxora']);
      expect(names.shortNames).toHaveLength(1);
    }
    expect(crds.flatMap((c) => (c.spec as { names: { shortNames: string[] } }).names.shortNames)).toEqual(['ds', 'fs', 'tj', 'md', 'dm']);
  });

  it.each(kinds.map((k, i) => [k.kind, i] as const))('%s has a structural schema, subresources and printer columns', (_kind, i) => {
    const version = (crds[i].spec as { versions: JsonSchema[] }).versions[0];
    const schema = (version.schema as { openAPIV3Schema: JsonSchema }).openAPIV3Schema;
    expect(structuralViolations(schema, '', [])).toEqual([]);
    expect(unboundedUnderRules(schema, false, '', [])).toEqual([]);
    expect((version.subresources as JsonSchema).status).toEqual({});
    const columns = version.additionalPrinterColumns as { name: string }[];
    expect(columns.map((c) => c.name)).toContain('Ready');
    expect(columns.map((c) => c.name)).toContain('Age');
  });

  it('gives ModelDeployment the scale subresource', () => {
    const md = crds[3].spec as { versions: { subresources: { scale?: JsonSchema } }[] };
    expect(md.versions[0].subresources.scale).toEqual({
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    });
  });

  it('carries CEL rules for what a schema cannot say', () => {
    const text = JSON.stringify(crds);
    for (const rule of [
      'self.minReplicas <= self.maxReplicas',
      '[has(self.csv), has(self.jsonLines), has(self.postgres)].filter(x, x).size() == 1',
      'self.split.validation < 0.9',
      "self.covariates.all(c, c.availability != 'observed'",
      'self == oldSelf',
    ]) {
      expect(text).toContain(JSON.stringify(rule).slice(1, -1));
    }
  });

  it('keeps the committed generated files up to date (run npm run generate)', async () => {
    for (const [path, content] of await generatedFiles()) {
      const committed = await readFile(new URL(`../${path}`, import.meta.url), 'utf8').catch(() => '(missing)');
      expect(committed, `${path} is stale: run npm run generate`).toBe(content);
    }
  });
});
