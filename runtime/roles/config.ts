import { readFile } from 'node:fs/promises';
import type {
  DatasetResource,
  DriftMonitorResource,
  FeatureSetResource,
  ModelDeploymentResource,
  TrainingJobResource,
} from '../pipeline/resources.ts';
import type { ModelSelector } from '../pipeline/resolve.ts';

/** ProfileConfig is what `fluxora profile` needs: the Dataset to load and profile. */
export interface ProfileConfig {
  role: 'profile';
  dataset: DatasetResource;
  /** Directory relative file paths are read from (the manifest's folder for `run`, the pod's working directory in a cluster). */
  dataDir?: string;
}

/** TrainConfig is what `fluxora train` needs: the TrainingJob and the resolved FeatureSet and Dataset. */
export interface TrainConfig {
  role: 'train';
  trainingJob: TrainingJobResource;
  featureSet: FeatureSetResource;
  dataset: DatasetResource;
  dataDir?: string;
}

/** MaterializeConfig is what `fluxora materialize` needs: the FeatureSet and its resolved Dataset. */
export interface MaterializeConfig {
  role: 'materialize';
  featureSet: FeatureSetResource;
  dataset: DatasetResource;
  dataDir?: string;
}

/** ServeConfig is what `fluxora serve` needs: the ModelDeployment and the resolved model. */
export interface ServeConfig {
  role: 'serve';
  deployment: ModelDeploymentResource;
  model: ModelSelector;
}

/** DriftConfig is what `fluxora drift` needs: the DriftMonitor, its ModelDeployment and the served model. */
export interface DriftConfig {
  role: 'drift';
  monitor: DriftMonitorResource;
  deployment: ModelDeploymentResource;
  model: ModelSelector;
}

/** RoleConfig is the resolved resource JSON a workload role runs from. */
export type RoleConfig = ProfileConfig | TrainConfig | MaterializeConfig | ServeConfig | DriftConfig;

/** CONFIG_ENV is the environment variable the operator puts a pod's role config in. */
export const CONFIG_ENV = 'FLUXORA_CONFIG';

/**
 * readRoleConfig reads a role's config from `--config FILE`, else from the
 * FLUXORA_CONFIG environment variable, and checks it is for that role.
 */
export async function readRoleConfig<R extends RoleConfig['role']>(
  role: R,
  file: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<Extract<RoleConfig, { role: R }>> {
  let text: string | undefined;
  let from: string;
  if (file) {
    text = await readFile(file, 'utf8');
    from = file;
  } else {
    text = env[CONFIG_ENV];
    from = `$${CONFIG_ENV}`;
  }
  if (!text) throw new Error(`no configuration: pass --config FILE or set ${CONFIG_ENV}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${from}: not valid JSON: ${(err as Error).message}`);
  }
  const config = parsed as RoleConfig;
  if (config?.role !== role) throw new Error(`${from}: a "${config?.role}" configuration cannot run the ${role} role`);
  return config as Extract<RoleConfig, { role: R }>;
}
