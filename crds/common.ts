import { z } from 'zod';

/** GROUP is the API group of every Fluxora kind. */
export const GROUP = 'fluxora.io';
/** VERSION is the served and stored API version of every Fluxora kind. */
export const VERSION = 'v1alpha1';
/** API_VERSION is the `apiVersion` every Fluxora manifest carries. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/**
 * Rule is one validation that a schema alone cannot say. It exists once and is
 * enforced twice: as a CEL expression (`x-kubernetes-validations`) by the API
 * server at admission, and as `check` by `fluxora validate` and `fluxora run`.
 * A rule with `transition: true` compares against the old object (immutability)
 * and is therefore only enforceable by the API server.
 */
export interface Rule<T> {
  cel: string;
  message: string;
  /** Path (relative to the object the rule sits on) the error is reported at. */
  field?: string[];
  /** Offline check; returns true when the value is valid. */
  check?: (value: T) => boolean;
  transition?: boolean;
}

/** withRules attaches rules to a zod schema: the CEL side as metadata, the offline side as a refinement. */
export function withRules<S extends z.ZodType>(schema: S, rules: Rule<z.output<S>>[]): S {
  const refined = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      if (rule.check && !rule.check(value)) {
        ctx.addIssue({ code: 'custom', message: rule.message, path: rule.field ?? [] });
      }
    }
  });
  const existing = (schema.meta()?.['x-kubernetes-validations'] as unknown[] | undefined) ?? [];
  return refined.meta({
    ...schema.meta(),
    'x-kubernetes-validations': [
      ...existing,
      ...rules.map((r) => ({
        rule: r.cel,
        message: r.message,
        ...(r.field ? { fieldPath: `.${r.field.join('.')}` } : {}),
      })),
    ],
  }) as S;
}

/** immutable marks a field as unchangeable after creation (a CEL transition rule). */
export function immutable<S extends z.ZodType>(schema: S, what: string): S {
  const existing = (schema.meta()?.['x-kubernetes-validations'] as unknown[] | undefined) ?? [];
  return schema.meta({
    ...schema.meta(),
    'x-kubernetes-validations': [...existing, { rule: 'self == oldSelf', message: `${what} is immutable` }],
  }) as S;
}

/** exactlyOne builds the rule "exactly one of these optional fields is set". */
export function exactlyOne<T extends object>(fields: (keyof T & string)[], message?: string): Rule<T> {
  return {
    cel: `[${fields.map((f) => `has(self.${f})`).join(', ')}].filter(x, x).size() == 1`,
    message: message ?? `exactly one of ${fields.join(', ')} must be set`,
    check: (v) => fields.filter((f) => (v as Record<string, unknown>)[f] !== undefined).length === 1,
  };
}

/** d adds a description (what `kubectl explain` shows) to a schema. */
export function d<S extends z.ZodType>(schema: S, description: string): S {
  return schema.describe(description);
}

/** dnsName is a Kubernetes object name (RFC 1123 subdomain, bounded for CEL cost). */
export const dnsName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name');

/** dnsLabel is a name that must also fit in a DNS label (63 characters). */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 label');

/** columnName is a data column's name. */
export const columnName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold only letters, digits, _ . -');

/** localObjectRef names an object of a known kind in the same namespace. */
export const localObjectRef = (kind: string) =>
  d(z.strictObject({ name: d(dnsName, `Name of the ${kind} in the same namespace.`) }), `Reference to a ${kind} in the same namespace.`);

/** secretKeyRef points at one key of a Secret in the same namespace. */
export const secretKeyRef = d(
  z.strictObject({
    name: d(dnsName, 'Name of the Secret in the same namespace.'),
    key: d(z.string().min(1).max(253).default('uri'), 'Key within the Secret.'),
  }),
  'Reference to a key of a Secret in the same namespace.',
);

/** quantity is a Kubernetes resource quantity ("500m", "1Gi", 2). */
export const quantity = z
  .union([z.number().int(), z.string().max(64).regex(/^[0-9.]+([eE][-+]?[0-9]+|[numkKMGTPE]i?)?$/, 'must be a quantity such as 500m or 1Gi')])
  .meta({ 'x-kubernetes-int-or-string': true });

/** resources mirrors a container's resource requirements. */
export const resources = d(
  z.strictObject({
    requests: d(z.record(z.string().max(64), quantity), 'Minimum resources, e.g. {cpu: "1", memory: 1Gi}.').optional(),
    limits: d(z.record(z.string().max(64), quantity), 'Maximum resources.').optional(),
  }),
  'Compute resources of the workload containers.',
);

/** duration is a Go-style duration with one unit, e.g. 30s, 15m, 24h, 7d. */
export const duration = z.string().max(16).regex(/^[0-9]+(s|m|h|d)$/, 'must be a duration such as 30m, 24h or 7d');

/** cronSchedule is a five-field cron expression (or a @-macro). */
export const cronSchedule = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/,
    'must be a cron schedule with five fields, e.g. "*/30 * * * *"',
  );

/** condition is a metav1.Condition, as kstatus and Argo CD read it. */
export const condition = z.object({
  type: d(z.string().max(316), 'Type of condition: Ready, Reconciling or Stalled.'),
  status: d(z.enum(['True', 'False', 'Unknown']), 'Status of the condition.'),
  reason: d(z.string().max(1024), 'Machine-readable reason in CamelCase.').optional(),
  message: d(z.string().max(32768), 'Human-readable message.').optional(),
  lastTransitionTime: d(z.string().max(64), 'When the status last changed (RFC 3339).').optional(),
  observedGeneration: d(z.number().int().min(0), 'The generation this condition was computed from.').optional(),
});

/** Condition is the TypeScript form of a status condition. */
export type Condition = z.infer<typeof condition>;

/** baseStatus holds the fields every kind's status carries. */
export const baseStatus = {
  observedGeneration: d(z.number().int().min(0), 'The generation of the spec the status was computed from.').optional(),
  conditions: d(z.array(condition).max(16), 'Ready, Reconciling and Stalled conditions.')
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .optional(),
};

/** objectMeta is the part of metadata that validation looks at. */
export const objectMeta = z.looseObject({
  name: dnsName.optional(),
  namespace: dnsLabel.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** PrinterColumn is one `additionalPrinterColumns` entry of a CRD. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** readyColumn is the printer column every kind shows first. */
export const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the resource is ready.',
};

/** reasonColumn shows why a resource is not ready (wide output). */
export const reasonColumn: PrinterColumn = {
  name: 'Reason',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  priority: 1,
};

/** ageColumn is the conventional Age column. */
export const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** KindDefinition is everything the generator and the validator know about one kind. */
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
  description: string;
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}
