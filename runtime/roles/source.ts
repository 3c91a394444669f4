import { isAbsolute, join } from 'node:path';
import type { DatasetSpec } from '../../crds/dataset.ts';
import type { ResolvedSource } from '../data/spec.ts';

/** SOURCE_DATABASE_URL_ENV carries a postgres Dataset's connection URI (from its Secret) into the role. */
export const SOURCE_DATABASE_URL_ENV = 'FLUXORA_SOURCE_DATABASE_URL';
/** CONFIGMAP_DIR is where the operator mounts ConfigMaps a Dataset reads: DIR/NAME/KEY. */
export const CONFIGMAP_DIR = '/etc/fluxora/configmaps';

/** SourceContext says where a role finds what a Dataset's source names. */
export interface SourceContext {
  dataDir?: string;
  env?: Record<string, string | undefined>;
  /** Directory holding ConfigMaps as NAME/KEY files; defaults to CONFIGMAP_DIR or $FLUXORA_CONFIGMAP_DIR. */
  configMapDir?: string;
  /** Inline ConfigMap data, as `fluxora run` reads it from manifests. */
  configMaps?: Map<string, Record<string, string>>;
}

/** resolveSource turns a Dataset's source into what the loader reads: a file, a URL, inline text or a query. */
export function resolveSource(spec: DatasetSpec, ctx: SourceContext = {}): ResolvedSource {
  const env = ctx.env ?? process.env;
  const { csv, jsonLines, postgres } = spec.source;
  if (postgres) {
    const connectionString = env[SOURCE_DATABASE_URL_ENV];
    if (!connectionString) {
      throw new Error(`the postgres source needs Secret "${postgres.secretRef.name}" key "${postgres.secretRef.key}" (passed as ${SOURCE_DATABASE_URL_ENV})`);
    }
    return { format: 'postgres', connectionString, query: postgres.query, timeoutMs: postgres.timeoutSeconds * 1000 };
  }
  const format = csv ? 'csv' : 'jsonl';
  const file = (csv ?? jsonLines) as NonNullable<DatasetSpec['source']['csv']>;
  if (file.url) return { format, url: file.url };
  if (file.configMapRef) {
    const { name, key } = file.configMapRef;
    const inline = ctx.configMaps?.get(name);
    if (ctx.configMaps) {
      if (!inline) throw new Error(`ConfigMap "${name}" not found`);
      if (inline[key] === undefined) throw new Error(`ConfigMap "${name}" has no key "${key}"`);
      return { format, text: inline[key] };
    }
    const dir = ctx.configMapDir ?? env.FLUXORA_CONFIGMAP_DIR ?? CONFIGMAP_DIR;
    return { format, file: join(dir, name, key) };
  }
  const path = file.path as string;
  return { format, file: isAbsolute(path) || !ctx.dataDir ? path : join(ctx.dataDir, path) };
}
