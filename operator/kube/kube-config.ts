import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** SERVICE_ACCOUNT_TOKEN is where a pod's service-account token is mounted. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** LoadKubeConfigOptions override where loadKubeConfig looks (tests inject all of them). */
export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig path (wins over everything). */
  kubeconfig?: string;
  /** Command-line arguments searched for `--kubeconfig PATH` / `--kubeconfig=PATH`. Default process.argv. */
  argv?: readonly string[];
  /** Default process.env (KUBECONFIG, KUBERNETES_SERVICE_HOST). */
  env?: NodeJS.ProcessEnv;
  /** Default os.homedir(). */
  home?: string;
  /** Default SERVICE_ACCOUNT_TOKEN. */
  serviceAccountTokenPath?: string;
}

/** KubeConfigSource says where the configuration came from, for the start-up log. */
export type KubeConfigSource = 'explicit' | 'flag' | 'KUBECONFIG' | 'in-cluster' | 'home';

/** LoadedKubeConfig is the configuration and where it was found. */
export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
  /** The file(s) read, when not in-cluster. */
  files: string[];
}

/** kubeconfigFlag returns the value of `--kubeconfig` in `argv`, if given. */
export function kubeconfigFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--kubeconfig' || arg === '-kubeconfig') return argv[i + 1];
    const m = /^--?kubeconfig=(.*)$/.exec(arg);
    if (m) return m[1];
  }
  return undefined;
}

function fromFiles(files: string[]): KubeConfig {
  const [first, ...rest] = files;
  const kc = new KubeConfig();
  kc.loadFromFile(first);
  for (const file of rest) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    kc.mergeConfig(more, true);
  }
  return kc;
}

/**
 * loadKubeConfig finds the cluster the operator talks to, in
 * controller-runtime's order: an explicit path, the `--kubeconfig` flag, the
 * KUBECONFIG variable (a path list, merged, the first file's context wins),
 * the in-cluster service account (KUBERNETES_SERVICE_HOST and a mounted
 * token), and finally ~/.kube/config. Throws when none is available.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const explicit = options.kubeconfig;
  if (explicit) return { kubeConfig: fromFiles([explicit]), source: 'explicit', files: [explicit] };
  const flag = kubeconfigFlag(options.argv ?? process.argv);
  if (flag) return { kubeConfig: fromFiles([flag]), source: 'flag', files: [flag] };
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
  if (list.length > 0) {
    const files = list.filter((f) => existsSync(f));
    if (files.length === 0) throw new Error(`KUBECONFIG names no existing file: ${env.KUBECONFIG}`);
    return { kubeConfig: fromFiles(files), source: 'KUBECONFIG', files };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(options.serviceAccountTokenPath ?? SERVICE_ACCOUNT_TOKEN)) {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return { kubeConfig: kc, source: 'in-cluster', files: [] };
  }
  const home = path.join(options.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return { kubeConfig: fromFiles([home]), source: 'home', files: [home] };
  throw new Error(
    'no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, run in a pod with a service account, or create ~/.kube/config',
  );
}
