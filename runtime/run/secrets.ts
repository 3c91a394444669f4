import { randomBytes } from 'node:crypto';
import type { Manifest } from '../../crds/validate.ts';

/** ManifestData holds the Secrets and ConfigMaps a run's manifests carry, decoded. */
export interface ManifestData {
  secrets: Map<string, Record<string, string>>;
  configMaps: Map<string, Record<string, string>>;
}

/** manifestData collects Secret (stringData and base64 data) and ConfigMap manifests by name. */
export function manifestData(manifests: Manifest[]): ManifestData {
  const secrets = new Map<string, Record<string, string>>();
  const configMaps = new Map<string, Record<string, string>>();
  for (const { object } of manifests) {
    const name = object.metadata?.name;
    if (object.apiVersion !== 'v1' || typeof name !== 'string') continue;
    if (object.kind === 'Secret') {
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries((object.data as Record<string, string>) ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
      Object.assign(data, (object.stringData as Record<string, string>) ?? {});
      secrets.set(name, data);
    } else if (object.kind === 'ConfigMap') {
      configMaps.set(name, { ...((object.data as Record<string, string>) ?? {}) });
    }
  }
  return { secrets, configMaps };
}

/**
 * secretValue reads a key of a Secret from the manifests; when the Secret is absent
 * it generates a random value for this run (reported as generated), so an
 * API-key-protected deployment still runs locally.
 */
export function secretValue(data: ManifestData, name: string, key: string): { value: string; generated: boolean } {
  const secret = data.secrets.get(name);
  if (secret) {
    if (secret[key] === undefined) throw new Error(`Secret "${name}" has no key "${key}"`);
    return { value: secret[key], generated: false };
  }
  const value = randomBytes(18).toString('base64url');
  data.secrets.set(name, { [key]: value });
  return { value, generated: true };
}
