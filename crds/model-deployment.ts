import { z } from 'zod';
import {
  ageColumn,
  baseStatus,
  d,
  dnsLabel,
  type KindDefinition,
  localObjectRef,
  readyColumn,
  reasonColumn,
  resources,
  withRules,
} from './common.ts';

const modelRef = withRules(
  z.strictObject({
    name: d(dnsLabel, 'Registered model name.').optional(),
    version: d(z.number().int().min(1), 'Registered model version.').optional(),
    alias: d(dnsLabel, 'Registered alias, e.g. production; follows the alias when it moves.').optional(),
    trainingJobRef: d(localObjectRef('TrainingJob'), 'Serve the model a TrainingJob registered.').optional(),
  }),
  [
    {
      cel: 'has(self.name) != has(self.trainingJobRef)',
      message: 'set exactly one of name or trainingJobRef',
      check: (m) => (m.name !== undefined) !== (m.trainingJobRef !== undefined),
    },
    {
      cel: '!(has(self.version) && has(self.alias))',
      message: 'set at most one of version or alias',
      field: ['alias'],
      check: (m) => !(m.version !== undefined && m.alias !== undefined),
    },
    {
      cel: '!has(self.trainingJobRef) || (!has(self.version) && !has(self.alias))',
      message: 'version and alias apply to name, not to trainingJobRef',
      check: (m) => m.trainingJobRef === undefined || (m.version === undefined && m.alias === undefined),
    },
  ],
);

const autoscaling = withRules(
  z.strictObject({
    minReplicas: d(z.number().int().min(0).max(1000).default(1), 'Fewest replicas.'),
    maxReplicas: d(z.number().int().min(1).max(1000), 'Most replicas.'),
    targetConcurrency: d(z.number().int().min(1).max(10000).default(8), 'In-flight requests per replica to aim for.'),
    stabilizationWindowSeconds: d(z.number().int().min(0).max(3600).default(300), 'Scale down only to the highest recommendation of this window.'),
  }),
  [
    {
      cel: 'self.minReplicas <= self.maxReplicas',
      message: 'minReplicas must not exceed maxReplicas',
      field: ['minReplicas'],
      check: (a) => a.minReplicas <= a.maxReplicas,
    },
  ],
);

/** modelDeploymentSpec is the desired state of a ModelDeployment: which model to serve and how. */
export const modelDeploymentSpec = withRules(
  z.strictObject({
    model: d(modelRef, 'The model to serve: a registered name (with version or alias) or a TrainingJob.'),
    replicas: d(z.number().int().min(0).max(1000), 'Fixed number of replicas (also set by kubectl scale).').optional(),
    autoscaling: d(autoscaling, 'Scale by in-flight requests between the bounds.').optional(),
    batching: d(
      z.strictObject({
        maxBatchSize: d(z.number().int().min(1).max(4096).default(32), 'Most requests in one model call.'),
        maxLatencyMs: d(z.number().min(0).max(1000).default(2), 'Longest a request waits for a batch to fill.'),
        maxQueue: d(z.number().int().min(1).max(100000).default(1024), 'Queued requests before 503 and Retry-After.'),
      }),
      'Micro-batching of concurrent requests.',
    ).default({ maxBatchSize: 32, maxLatencyMs: 2, maxQueue: 1024 }),
    auth: d(
      z.strictObject({
        apiKeySecretRef: d(
          z.strictObject({ name: d(z.string().min(1).max(253), 'Secret name.'), key: d(z.string().min(1).max(253).default('api-key'), 'Key of the Secret.') }),
          'Secret holding the API key clients send as a bearer token or x-api-key.',
        ),
      }),
      'Require an API key on inference endpoints.',
    ).optional(),
    predictionLog: d(
      z.strictObject({
        enabled: d(z.boolean().default(true), 'Log inputs and outputs for drift checks.'),
        sampleRate: d(z.number().min(0).max(1).default(1), 'Fraction of predictions logged.'),
      }),
      'Asynchronous, bounded prediction log.',
    ).default({ enabled: true, sampleRate: 1 }),
    resources: resources.optional(),
    progressDeadlineSeconds: d(z.number().int().min(30).max(86400).default(600), 'How long a rollout may take before it is Stalled.'),
  }),
  [
    {
      cel: '!(has(self.replicas) && has(self.autoscaling))',
      message: 'set replicas or autoscaling, not both',
      field: ['replicas'],
      check: (s) => !(s.replicas !== undefined && s.autoscaling !== undefined),
    },
  ],
);

/** modelDeploymentStatus reports the serving replicas and model version. */
export const modelDeploymentStatus = z.object({
  ...baseStatus,
  replicas: d(z.number().int(), 'Replicas requested (scale subresource).').optional(),
  readyReplicas: d(z.number().int(), 'Ready replicas serving the requested version.').optional(),
  selector: d(z.string().max(1024), 'Label selector of the pods (scale subresource).').optional(),
  model: z.object({ name: z.string().max(63).optional(), version: z.number().int().optional() }).optional(),
  url: d(z.string().max(1024), 'In-cluster URL of the inference service.').optional(),
  deploymentName: z.string().max(253).optional(),
  autoscaling: z.object({ desiredReplicas: z.number().int().optional(), inFlight: z.number().optional(), lastScaleTime: z.string().max(64).optional() }).optional(),
});

/** ModelDeploymentSpec is the TypeScript type of a ModelDeployment's spec (after defaults). */
export type ModelDeploymentSpec = z.output<typeof modelDeploymentSpec>;
/** ModelDeploymentStatus is the TypeScript type of a ModelDeployment's status. */
export type ModelDeploymentStatus = z.output<typeof modelDeploymentStatus>;

/** modelDeployment describes the ModelDeployment kind. */
export const modelDeployment: KindDefinition = {
  kind: 'ModelDeployment',
  plural: 'modeldeployments',
  singular: 'modeldeployment',
  shortNames: ['md'],
  description: 'ModelDeployment serves a registered model over the Open Inference Protocol and a forecast API, with batching, autoscaling, auth and a prediction log.',
  spec: modelDeploymentSpec,
  status: modelDeploymentStatus,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  printerColumns: [
    readyColumn,
    { name: 'Model', type: 'string', jsonPath: '.status.model.name' },
    { name: 'Version', type: 'integer', jsonPath: '.status.model.version' },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'URL', type: 'string', jsonPath: '.status.url', priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
