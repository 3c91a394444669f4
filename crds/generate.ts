import { z } from 'zod';
import { API_VERSION, GROUP, type KindDefinition, VERSION } from './common.ts';
import { kinds } from './index.ts';

/** JsonSchema is a plain OpenAPI v3 schema node. */
export type JsonSchema = { [key: string]: unknown };

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/**
 * structural rewrites zod's JSON Schema into a Kubernetes structural schema:
 * every node typed, no `additionalProperties: false` beside properties, no
 * safe-integer bounds, int-or-string unions in the Kubernetes form.
 */
export function structural(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  if (node['x-kubernetes-int-or-string']) {
    return {
      ...(node.description ? { description: node.description } : {}),
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    };
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'maximum' && value === SAFE_INT) || (key === 'minimum' && value === -SAFE_INT)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, structural(v)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = structural(value as JsonSchema);
    } else if (key === 'exclusiveMinimum' && typeof value === 'number') {
      // OpenAPI v3.0 form: a boolean beside minimum.
      out.minimum = value;
      out.exclusiveMinimum = true;
    } else if (key === 'exclusiveMaximum' && typeof value === 'number') {
      out.maximum = value;
      out.exclusiveMaximum = true;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function openApi(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', reused: 'inline', unrepresentable: 'throw' });
  return structural(json as JsonSchema);
}

/** crdFor renders the CustomResourceDefinition of one kind. */
export function crdFor(def: KindDefinition): JsonSchema {
  const spec = openApi(def.spec);
  const status = openApi(def.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'fluxora', 'app.kubernetes.io/part-of': 'fluxora' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ['fluxora'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            ...(def.scale ? { scale: def.scale } : {}),
          },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              description: def.description,
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: `APIVersion: ${API_VERSION}.` },
                kind: { type: 'string', description: `Kind: ${def.kind}.` },
                metadata: { type: 'object' },
                spec: spec,
                status: status,
              },
            },
          },
        },
      ],
    },
  };
}

/** allCrds renders every kind's CRD in dependency order. */
export function allCrds(): JsonSchema[] {
  return kinds.map(crdFor);
}
