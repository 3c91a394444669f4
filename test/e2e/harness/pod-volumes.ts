/**
 * Pod volumes on the test node: each volume is a local directory and the
 * container's paths are rewritten to it; mounts at or below /var/run/secrets
 * (the service-account token, which clients open by that path) are also
 * bind-mounted there, in the container's own mount namespace
 * (mount-namespace.ts, `namespaceMounts`).
 *
 * - secret / configMap: `<podDir>/volumes/<name>` with one file per key (or per
 *   `items` entry, honouring `path` and `mode`); a missing, non-optional
 *   object or key fails with VolumeSetupError (the container waits in
 *   ContainerCreating, as with a real FailedMount, and the agent retries).
 * - emptyDir: an empty directory (mode 0777).
 * - downwardAPI, projected (secret, configMap, downwardAPI and
 *   serviceAccountToken sources): files like the kubelet writes; a token
 *   that cannot be issued fails the volume (VolumeSetupError), as on a node.
 * - hostPath: the host directory itself (this is the host).
 * - persistentVolumeClaim: `<agentDir>/claims/<namespace>/<claim>`, which
 *   outlives the pod (a replacement pod finds the data again).
 * - anything else: an empty directory, with a warning.
 *
 * Per container, every `volumeMount.mountPath` (plus `subPath`) maps to its
 * local directory: mapPath() rewrites such a path wherever it appears in an
 * env value or argument (after `=`, `:`, `,`, a quote, a bracket or
 * whitespace, or at the start), longest mount first. `/tmp` maps to a
 * private per-container directory (mode 1777) unless a volume is mounted
 * there, and the terminationMessagePath to a per-container file. The
 * container's root `<podDir>/containers/<name>/root` mirrors the mounts as
 * symlinks, so the parent of mounts (`/etc/fluxora/configmaps` holding one
 * mount per ConfigMap) is a real directory whose entries are siblings.
 */
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container, KeyToPath, Pod, Volume } from './kube-types.ts';
import { type NamespaceMount, needsMountNamespace } from './mount-namespace.ts';
import { ContainerConfigError, decodeData, fieldValue, type ObjectSource, type PodRuntimeInfo, resourceFieldValue } from './pod-env.ts';

/** CONFIGMAP_MOUNT_ROOT is where the operator mounts ConfigMaps a Dataset reads: one mount per ConfigMap below it. */
export const CONFIGMAP_MOUNT_ROOT = '/etc/fluxora/configmaps';

/** VolumeSetupError is a volume that cannot be set up yet (missing Secret/ConfigMap): the pod stays in ContainerCreating. */
export class VolumeSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeSetupError';
  }
}

/** VolumeContext is what setting up a pod's volumes needs. */
export interface VolumeContext {
  pod: Pod;
  podDir: string;
  /** Directory of the agent's persistentVolumeClaim data. */
  claimsDir: string;
  source: ObjectSource;
  info: PodRuntimeInfo;
  /** Issues a service-account token (TokenRequest API) for projected volumes. */
  requestToken(namespace: string, serviceAccount: string, audience: string | undefined, expirationSeconds: number): Promise<string>;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** setUpVolumes materialises every volume of the pod and returns volume name -> local directory. */
export async function setUpVolumes(ctx: VolumeContext): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  const base = path.join(ctx.podDir, 'volumes');
  await mkdir(base, { recursive: true, mode: 0o755 });
  for (const v of ctx.pod.spec.volumes ?? []) {
    try {
      dirs.set(v.name, await setUpVolume(ctx, v, path.join(base, v.name)));
    } catch (err) {
      if (err instanceof VolumeSetupError || err instanceof ContainerConfigError) {
        throw new VolumeSetupError(`MountVolume.SetUp failed for volume "${v.name}" : ${err.message}`);
      }
      throw err;
    }
  }
  return dirs;
}

async function freshDir(dir: string, mode = 0o755): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
  return dir;
}

async function writeKeyFile(dir: string, rel: string, content: Buffer | string, mode: number): Promise<void> {
  const normal = path.normalize(rel);
  if (path.isAbsolute(normal) || normal.startsWith('..')) throw new VolumeSetupError(`invalid item path ${JSON.stringify(rel)}`);
  const file = path.join(dir, normal);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await writeFile(file, content, { mode });
  await chmod(file, mode);
}

async function writeKeys(
  dir: string,
  kind: 'Secret' | 'ConfigMap',
  name: string | undefined,
  items: KeyToPath[] | undefined,
  optional: boolean | undefined,
  mode: number,
  ctx: VolumeContext,
): Promise<void> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (!name) throw new VolumeSetupError(`${kind} volume without a name`);
  const obj = kind === 'Secret' ? await ctx.source.secret(ns, name) : await ctx.source.configMap(ns, name);
  if (!obj) {
    if (optional) return;
    throw new VolumeSetupError(`${kind === 'Secret' ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const data = decodeData(obj, kind);
  const wanted: KeyToPath[] = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of wanted) {
    const content = data[item.key];
    if (content === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(`${kind === 'Secret' ? 'secret' : 'configmap'} references non-existent ${kind === 'Secret' ? 'secret' : 'config'} key: ${item.key}`);
    }
    await writeKeyFile(dir, item.path, content, item.mode ?? mode);
  }
}

async function setUpVolume(ctx: VolumeContext, v: Volume, dir: string): Promise<string> {
  const { pod } = ctx;
  const ns = pod.metadata.namespace ?? 'default';
  if (v.emptyDir) {
    await mkdir(dir, { recursive: true, mode: 0o777 });
    await chmod(dir, 0o777);
    return dir;
  }
  if (v.secret) {
    await freshDir(dir);
    await writeKeys(dir, 'Secret', v.secret.secretName, v.secret.items, v.secret.optional, v.secret.defaultMode ?? 0o644, ctx);
    return dir;
  }
  if (v.configMap) {
    await freshDir(dir);
    await writeKeys(dir, 'ConfigMap', v.configMap.name, v.configMap.items, v.configMap.optional, v.configMap.defaultMode ?? 0o644, ctx);
    return dir;
  }
  if (v.downwardAPI) {
    await freshDir(dir);
    for (const item of v.downwardAPI.items ?? []) {
      await writeKeyFile(dir, item.path, downwardValue(ctx, item), item.mode ?? v.downwardAPI.defaultMode ?? 0o644);
    }
    return dir;
  }
  if (v.projected) {
    await freshDir(dir);
    const mode = v.projected.defaultMode ?? 0o644;
    for (const src of v.projected.sources ?? []) {
      if (src.secret) await writeKeys(dir, 'Secret', src.secret.name, src.secret.items, src.secret.optional, mode, ctx);
      if (src.configMap) await writeKeys(dir, 'ConfigMap', src.configMap.name, src.configMap.items, src.configMap.optional, mode, ctx);
      for (const item of src.downwardAPI?.items ?? []) await writeKeyFile(dir, item.path, downwardValue(ctx, item), item.mode ?? mode);
      if (src.serviceAccountToken) {
        const sa = pod.spec.serviceAccountName ?? 'default';
        let token: string;
        try {
          token = await ctx.requestToken(ns, sa, src.serviceAccountToken.audience, src.serviceAccountToken.expirationSeconds ?? 3607);
        } catch (err) {
          // As the kubelet: no token, no volume (the pod waits and the agent retries).
          throw new VolumeSetupError(`failed to fetch token: ${(err as Error).message}`);
        }
        // Mode 0644 like the kubelet's projected token without fsGroup: readable by a process that drops root.
        await writeKeyFile(dir, src.serviceAccountToken.path, token, mode);
      }
    }
    return dir;
  }
  if (v.hostPath) {
    if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
    return v.hostPath.path;
  }
  if (v.persistentVolumeClaim) {
    const claimDir = path.join(ctx.claimsDir, ns, v.persistentVolumeClaim.claimName);
    await mkdir(claimDir, { recursive: true, mode: 0o777 });
    await chmod(claimDir, 0o777);
    return claimDir;
  }
  const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
  ctx.warn({ pod: `${ns}/${pod.metadata.name}`, volume: v.name, kind }, 'Unsupported volume type: using an empty directory');
  await mkdir(dir, { recursive: true, mode: 0o777 });
  return dir;
}

function downwardValue(ctx: VolumeContext, item: { fieldRef?: { fieldPath: string }; resourceFieldRef?: { resource: string; containerName?: string; divisor?: string | number } }): string {
  if (item.fieldRef) return fieldValue(ctx.pod, item.fieldRef.fieldPath, ctx.info);
  if (item.resourceFieldRef) return resourceFieldValue(ctx.pod, undefined, item.resourceFieldRef, ctx.info);
  throw new VolumeSetupError('downwardAPI item without fieldRef or resourceFieldRef');
}

/** ContainerFs is a container's view of the pod's volumes on the host. */
export interface ContainerFs {
  /** `<podDir>/containers/<name>/root`: the mounts as symlinks at their mount paths. */
  root: string;
  /** Local directory of /tmp (a mounted volume or a private directory). */
  tmpDir: string;
  /** The file standing for terminationMessagePath. */
  terminationFile: string;
  /** Local directory of /etc/fluxora/configmaps, when anything is mounted there or below. */
  configMapDir?: string;
  /** Local directory standing for workingDir, when a volume is mounted there. */
  workingDir?: string;
  /** Mounts that only a real mount serves (the service-account token): the container runs in a mount namespace. */
  namespaceMounts: NamespaceMount[];
  /** Rewrites container paths (mount paths, /tmp, the termination message path) in a string. */
  mapPath(value: string): string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * prepareContainerFs lays out a container's root (symlinks for its mounts, a
 * private /tmp, the termination-message file) and returns the path mapping.
 * `imagePaths` adds paths of the image below the mounts (for the project's
 * image: /app is the checkout, /app/bin/fluxora.mjs the CLI).
 */
export async function prepareContainerFs(
  container: Container,
  podDir: string,
  volumes: Map<string, string>,
  imagePaths: Record<string, string> = {},
): Promise<ContainerFs> {
  const root = path.join(podDir, 'containers', container.name, 'root');
  await mkdir(root, { recursive: true, mode: 0o755 });
  const map = new Map<string, string>();
  const namespaceMounts: NamespaceMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const dir = volumes.get(m.name);
    if (dir === undefined) throw new ContainerConfigError(`volumeMount ${JSON.stringify(m.name)}: no such volume in the pod`);
    const mountPath = m.mountPath.replace(/\/+$/, '') || '/';
    if (mountPath === '/') throw new ContainerConfigError('a volume mounted at / is not supported on the fluxora test node');
    const local = m.subPath ? path.join(dir, m.subPath) : dir;
    if (m.subPath) await mkdir(path.dirname(local), { recursive: true });
    map.set(mountPath, local);
    if (needsMountNamespace(mountPath)) namespaceMounts.push({ mountPath, local });
    const link = path.join(root, mountPath);
    await mkdir(path.dirname(link), { recursive: true, mode: 0o755 });
    await rm(link, { recursive: true, force: true });
    await symlink(local, link);
  }
  let tmpDir = map.get('/tmp');
  if (tmpDir === undefined) {
    tmpDir = path.join(root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    await chmod(tmpDir, 0o1777);
    map.set('/tmp', tmpDir);
  }
  const terminationPath = container.terminationMessagePath ?? '/dev/termination-log';
  const terminationFile = path.join(podDir, 'containers', container.name, 'termination-log');
  map.set(terminationPath, terminationFile);
  // Paths of the image itself (e.g. /app -> the checkout): mounts win.
  for (const [p, local] of Object.entries(imagePaths)) if (!map.has(p)) map.set(p, local);
  let configMapDir = map.get(CONFIGMAP_MOUNT_ROOT);
  if (configMapDir === undefined && [...map.keys()].some((p) => p.startsWith(`${CONFIGMAP_MOUNT_ROOT}/`))) {
    configMapDir = path.join(root, CONFIGMAP_MOUNT_ROOT);
    map.set(CONFIGMAP_MOUNT_ROOT, configMapDir);
  }
  const prefixes = [...map.keys()].sort((a, b) => b.length - a.length);
  const re = new RegExp(`(^|[\\s=:,;"'(\\[{])(${prefixes.map(escapeRe).join('|')})(?=$|[/\\s,;:"')\\]}])`, 'g');
  const mapPath = (value: string) => value.replace(re, (_all, pre: string, p: string) => `${pre}${map.get(p)}`);
  const wd = container.workingDir ? mapPath(container.workingDir) : undefined;
  return { root, tmpDir, terminationFile, configMapDir, workingDir: wd !== container.workingDir ? wd : undefined, namespaceMounts, mapPath };
}
