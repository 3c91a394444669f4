/**
 * A container's environment as the kubelet builds it: `envFrom` first, then
 * `env` in order, where a plain value expands `$(VAR)` references to the
 * variables defined before it (`$$` is a literal `$`, an unknown reference
 * stays as written), and `valueFrom` reads a Secret or ConfigMap key, a pod
 * field (downward API: name, namespace, uid, labels/annotations, node name,
 * service account, pod and host IPs) or a resource limit/request. Command and
 * args are expanded with the finished environment.
 *
 * A missing Secret/ConfigMap or key that is not optional raises
 * ContainerConfigError: the container then waits with reason
 * CreateContainerConfigError, as on a real node, and the agent retries.
 */
import type { Container, DataObject, EnvVar, Pod, ResourceFieldRef } from './kube-types.ts';

/** ContainerConfigError is a config problem that keeps a container from starting (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** ObjectSource reads the Secrets and ConfigMaps env and volumes refer to (undefined when not found). */
export interface ObjectSource {
  secret(namespace: string, name: string): Promise<DataObject | undefined>;
  configMap(namespace: string, name: string): Promise<DataObject | undefined>;
}

/** PodRuntimeInfo is what the downward API reports that is not in the pod object yet. */
export interface PodRuntimeInfo {
  podIP: string;
  hostIP: string;
  /** Node allocatable, the default of limits a container does not set (cpu, memory, ephemeral-storage). */
  allocatable: Record<string, string>;
}

/**
 * expandVars expands `$(NAME)` with lookup as the kubelet does: `$$` gives a
 * literal `$`, an unresolved or unterminated reference is kept verbatim.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name ? lookup(name) : undefined;
      out += value ?? input.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** parseQuantity turns a Kubernetes quantity ("500m", "2Gi", "1.5") into a number. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new ContainerConfigError(`invalid quantity ${JSON.stringify(q)}`);
  return Number(m[1]) * SUFFIX[m[2] ?? ''];
}

/** resourceFieldValue is the downward-API value of a resourceFieldRef (limits default to node allocatable). */
export function resourceFieldValue(pod: Pod, container: Container | undefined, ref: ResourceFieldRef, info: PodRuntimeInfo): string {
  const target = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new ContainerConfigError(`resourceFieldRef: no container ${JSON.stringify(ref.containerName)}`);
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!m) throw new ContainerConfigError(`resourceFieldRef: unsupported resource ${JSON.stringify(ref.resource)}`);
  const [, kind, name] = m;
  const limits = target.resources?.limits ?? {};
  const requests = target.resources?.requests ?? {};
  let raw: string | number | undefined = kind === 'limits' ? limits[name] : (requests[name] ?? limits[name]);
  if (raw === undefined) raw = kind === 'limits' ? info.allocatable[name] : 0;
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  return String(Math.ceil(parseQuantity(raw ?? 0) / divisor));
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** fieldValue is the downward-API value of a fieldRef path. */
export function fieldValue(pod: Pod, fieldPath: string, info: PodRuntimeInfo): string {
  const md = pod.metadata;
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? md.labels : md.annotations)?.[sub[2]] ?? '';
  const formatMap = (m: Record<string, string> | undefined) =>
    Object.entries(m ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n');
  switch (fieldPath) {
    case 'metadata.name':
      return md.name;
    case 'metadata.namespace':
      return md.namespace ?? 'default';
    case 'metadata.uid':
      return md.uid;
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return info.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return info.podIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${JSON.stringify(fieldPath)}`);
  }
}

/** decodeData returns the string contents of a Secret (base64 data) or ConfigMap (data + binaryData). */
export function decodeData(obj: DataObject, kind: 'Secret' | 'ConfigMap'): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(v, 'base64');
    for (const [k, v] of Object.entries(obj.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  } else {
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(v, 'utf8');
    for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  }
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * resolveContainerEnv builds the container's own environment (envFrom, env)
 * in the kubelet's order. It does not include the image's or the agent's
 * defaults; the caller layers those underneath.
 */
export async function resolveContainerEnv(pod: Pod, container: Container, source: ObjectSource, info: PodRuntimeInfo): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const obj = kind === 'ConfigMap' ? await source.configMap(ns, ref.name) : await source.secret(ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(decodeData(obj, kind))) {
      const name = `${from.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) env[name] = v.toString('utf8');
    }
  }
  for (const v of container.env ?? []) {
    const value = await envValue(pod, container, v, env, source, info, ns);
    // An optional reference that does not resolve leaves the variable unset.
    if (value !== undefined) env[v.name] = value;
  }
  return env;
}

async function envValue(
  pod: Pod,
  container: Container,
  v: EnvVar,
  sofar: Record<string, string>,
  source: ObjectSource,
  info: PodRuntimeInfo,
  ns: string,
): Promise<string | undefined> {
  const from = v.valueFrom;
  if (!from) return expandVars(v.value ?? '', (name) => sofar[name]);
  const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
  if (keyRef) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const obj = kind === 'Secret' ? await source.secret(ns, keyRef.name) : await source.configMap(ns, keyRef.name);
    if (!obj) {
      if (keyRef.optional) return undefined;
      throw new ContainerConfigError(`${kind === 'Secret' ? 'secret' : 'configmap'} "${keyRef.name}" not found`);
    }
    const value = decodeData(obj, kind)[keyRef.key];
    if (value === undefined) {
      if (keyRef.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind} ${ns}/${keyRef.name}`);
    }
    return value.toString('utf8');
  }
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, info);
  if (from.resourceFieldRef) return resourceFieldValue(pod, container, from.resourceFieldRef, info);
  throw new ContainerConfigError(`env ${v.name}: unsupported valueFrom ${JSON.stringify(from)}`);
}

/**
 * apiServerEnv is what the kubelet puts in every container for the
 * `kubernetes` Service (even with enableServiceLinks false): its address in
 * KUBERNETES_SERVICE_HOST/PORT and the Docker-link style KUBERNETES_PORT*
 * variables. The test node has no kube-proxy to reach the ClusterIP, so
 * this is the API server's real address (its certificate names 127.0.0.1).
 */
export function apiServerEnv(server: string): Record<string, string> {
  const u = new URL(server);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const tcp = `tcp://${u.host}`;
  return {
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: port,
    KUBERNETES_SERVICE_PORT_HTTPS: port,
    KUBERNETES_PORT: tcp,
    [`KUBERNETES_PORT_${port}_TCP`]: tcp,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: port,
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  };
}
