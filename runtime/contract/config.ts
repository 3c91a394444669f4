import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type {
  DatasetResource,
  DriftMonitorResource,
  FeatureSetResource,
  ModelDeploymentResource,
  Resource,
  TrainingJobResource,
} from '../pipeline/resources.ts';
import { CONTRACT_VERSION, ContractError, checkVersion, issueText } from './version.ts';

/**
 * The role configuration: what the operator (or `fluxora run`) hands a workload
 * role, as JSON in FLUXORA_CONFIG or a `--config` file. The resources in it were
 * validated by their CRD schemas when the writer resolved them; here they are
 * checked for shape (kind, name, namespace, spec), the rest is the writer's.
 */

/** resource accepts a resolved resource of `kind`. */
function resource<R extends Resource<unknown>>(kind: string) {
  return z.custom<R>((v) => {
    const r = v as Partial<Resource<unknown>> | null;
    return typeof r === 'object' && r !== null && r.kind === kind && typeof r.name === 'string' && typeof r.namespace === 'string' && typeof r.spec === 'object';
  }, `expected a resolved ${kind} (kind, name, namespace, spec)`);
}
const modelSelector = z.object({ name: z.string().min(1), version: z.number().int().optional(), alias: z.string().optional() });
/** Directory relative file paths are read from (the manifest's folder for `run`, the pod's working directory in a cluster). */
const dataDir = z.string().optional();

/** profileConfig is what `fluxora profile` needs: the Dataset to load and profile. */
export const profileConfig = z.object({ role: z.literal('profile'), dataset: resource<DatasetResource>('Dataset'), dataDir });
/** trainConfig is what `fluxora train` needs: the TrainingJob and the resolved FeatureSet and Dataset. */
export const trainConfig = z.object({
  role: z.literal('train'),
  trainingJob: resource<TrainingJobResource>('TrainingJob'),
  featureSet: resource<FeatureSetResource>('FeatureSet'),
  dataset: resource<DatasetResource>('Dataset'),
  dataDir,
});
/** materializeConfig is what `fluxora materialize` needs: the FeatureSet and its resolved Dataset. */
export const materializeConfig = z.object({
  role: z.literal('materialize'),
  featureSet: resource<FeatureSetResource>('FeatureSet'),
  dataset: resource<DatasetResource>('Dataset'),
  dataDir,
});
/** serveConfig is what `fluxora serve` needs: the ModelDeployment and the resolved model. */
export const serveConfig = z.object({ role: z.literal('serve'), deployment: resource<ModelDeploymentResource>('ModelDeployment'), model: modelSelector });
/** driftConfig is what `fluxora drift` needs: the DriftMonitor, its ModelDeployment and the served model. */
export const driftConfig = z.object({
  role: z.literal('drift'),
  monitor: resource<DriftMonitorResource>('DriftMonitor'),
  deployment: resource<ModelDeploymentResource>('ModelDeployment'),
  model: modelSelector,
});
/** roleConfig is any role's configuration, by `role`. */
export const roleConfig = z.discriminatedUnion('role', [profileConfig, trainConfig, materializeConfig, serveConfig, driftConfig]);

/** ProfileConfig configures the profile role. */
export type ProfileConfig = z.output<typeof profileConfig>;
/** TrainConfig configures the train role. */
export type TrainConfig = z.output<typeof trainConfig>;
/** MaterializeConfig configures the materialize role. */
export type MaterializeConfig = z.output<typeof materializeConfig>;
/** ServeConfig configures the serve role. */
export type ServeConfig = z.output<typeof serveConfig>;
/** DriftConfig configures the drift role. */
export type DriftConfig = z.output<typeof driftConfig>;
/** RoleConfig is the resolved resource JSON a workload role runs from. */
export type RoleConfig = z.output<typeof roleConfig>;

/** CONFIG_ENV is the environment variable the operator puts a pod's role config in. */
export const CONFIG_ENV = 'FLUXORA_CONFIG';

/** serializeRoleConfig writes a role config as the JSON a pod reads, with the contract version. */
export function serializeRoleConfig(config: RoleConfig): string {
  return JSON.stringify({ contract: CONTRACT_VERSION, ...config });
}

/**
 * parseRoleConfig checks JSON text from `from` against the contract version and
 * the role's schema; throws a ContractError naming the version or the field.
 */
export function parseRoleConfig<R extends RoleConfig['role']>(role: R, text: string, from: string): Extract<RoleConfig, { role: R }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ContractError('InvalidConfig', `${from}: not valid JSON: ${(err as Error).message}`);
  }
  const given = (parsed as { role?: unknown } | null)?.role;
  if (given !== role) throw new ContractError('InvalidConfig', `${from}: a ${JSON.stringify(given)} configuration cannot run the ${role} role`);
  checkVersion(parsed, `${from} (written by the operator)`, 'this image');
  const checked = roleConfig.safeParse(parsed);
  if (!checked.success) throw new ContractError('InvalidConfig', `${from}: ${issueText(checked.error.issues)}`);
  return checked.data as Extract<RoleConfig, { role: R }>;
}

/** readRoleConfig reads a role's config from `--config FILE`, else from FLUXORA_CONFIG, and checks it (parseRoleConfig). */
export async function readRoleConfig<R extends RoleConfig['role']>(
  role: R,
  file: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<Extract<RoleConfig, { role: R }>> {
  const text = file ? await readFile(file, 'utf8') : env[CONFIG_ENV];
  if (!text) throw new Error(`no configuration: pass --config FILE or set ${CONFIG_ENV}`);
  return parseRoleConfig(role, text, file ?? `$${CONFIG_ENV}`);
}
