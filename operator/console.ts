import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import { KINDS, type Kind } from '../runtime/console/api.ts';
import type { AuthResult, ConsoleAuth } from '../runtime/console/auth.ts';
import type { ConsoleResource, ConsoleSource } from '../runtime/console/source.ts';
import { sortResources } from '../runtime/console/views.ts';
import { isReady, type ServingPod } from './controllers/model-deployment/observe.ts';
import { SERVE_PORT } from './controllers/model-deployment/render.ts';
import type { Informers } from './controllers/shared/context.ts';
import { errorText } from './kube/api-error.ts';

/** PLURALS are the resources the console reads, as RBAC names them. */
const PLURALS: Record<Kind, string> = {
  Dataset: 'datasets',
  FeatureSet: 'featuresets',
  TrainingJob: 'trainingjobs',
  ModelDeployment: 'modeldeployments',
  DriftMonitor: 'driftmonitors',
};

const iso = (v: unknown): string | undefined => {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : undefined;
};

/**
 * ClusterConsoleSource is the console's view of a cluster: the operator's
 * informer caches (warm on standby replicas too) and, when configured, the
 * store. It adds one handler per kind and fans changes out to its listeners.
 */
export class ClusterConsoleSource implements ConsoleSource {
  readonly mode = 'cluster';
  readonly pool?: pg.Pool;
  readonly storeUnavailable?: string;
  readonly #informers: Informers;
  readonly #listeners = new Set<() => void>();

  constructor(informers: Informers, store: { pool: pg.Pool } | { unavailable: string }) {
    this.#informers = informers;
    if ('pool' in store) this.pool = store.pool;
    else this.storeUnavailable = store.unavailable;
    const notify = () => {
      for (const l of this.#listeners) l();
    };
    for (const kind of KINDS) informers[kind].addHandler({ onAdd: notify, onUpdate: notify, onDelete: notify });
  }

  resources(): ConsoleResource[] {
    const out: ConsoleResource[] = [];
    for (const kind of KINDS) {
      for (const o of this.#informers[kind].list()) {
        const obj = o as KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
        out.push({
          kind,
          namespace: obj.metadata?.namespace ?? '',
          name: obj.metadata?.name ?? '',
          uid: obj.metadata?.uid,
          createdAt: iso(obj.metadata?.creationTimestamp),
          spec: obj.spec ?? {},
          status: obj.status ?? {},
        });
      }
    }
    return sortResources(out);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  metricsUrls(md: ConsoleResource): string[] {
    return (this.#informers.Pod.list(md.namespace) as ServingPod[])
      .filter((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === 'inference' && p.metadata?.labels?.['app.kubernetes.io/instance'] === md.name)
      .filter(isReady)
      .map((p) => p.status?.podIP)
      .filter((ip): ip is string => Boolean(ip))
      .map((ip) => `http://${ip.includes(':') ? `[${ip}]` : ip}:${SERVE_PORT}/metrics`);
  }
}

/**
 * KubeTokenAuth accepts the cluster's own bearer tokens, as kube-rbac-proxy
 * does: a TokenReview says who the token belongs to, and SubjectAccessReviews
 * say whether that user may list each Fluxora kind (in the watched namespace,
 * or cluster-wide). Answers are cached for `ttlMs` by the token's SHA-256, so
 * a page's requests cost the API server one review per minute, not per request.
 */
export class KubeTokenAuth implements ConsoleAuth {
  readonly #authn: AuthenticationV1Api;
  readonly #authz: AuthorizationV1Api;
  readonly #namespace?: string;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { result: AuthResult; until: number }>();

  constructor(kubeConfig: KubeConfig, opts: { namespace?: string; ttlMs?: number } = {}) {
    this.#authn = kubeConfig.makeApiClient(AuthenticationV1Api);
    this.#authz = kubeConfig.makeApiClient(AuthorizationV1Api);
    this.#namespace = opts.namespace;
    this.#ttlMs = opts.ttlMs ?? 60_000;
  }

  async authenticate(token: string | undefined): Promise<AuthResult> {
    if (token === undefined) {
      return { ok: false, status: 401, message: 'Missing token: send authorization: Bearer TOKEN with a Kubernetes token (kubectl create token SERVICE_ACCOUNT)' };
    }
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && hit.until > now) return hit.result;
    let result: AuthResult;
    try {
      result = await this.#review(token);
    } catch (err) {
      // The API server is unreachable or refused the review: not the user's fault, and not cached.
      return { ok: false, status: 503, message: `Cannot check the token with the Kubernetes API (TokenReview, SubjectAccessReview): ${errorText(err)}` };
    }
    if (this.#cache.size >= 1000) this.#cache.clear();
    this.#cache.set(key, { result, until: now + this.#ttlMs });
    return result;
  }

  async #review(token: string): Promise<AuthResult> {
    const review = await this.#authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username) return { ok: false, status: 401, message: 'The Kubernetes API did not accept this token' };
    const denied: string[] = [];
    await Promise.all(
      KINDS.map(async (kind) => {
        const sar = await this.#authz.createSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: user.username,
              groups: user.groups,
              uid: user.uid,
              extra: user.extra,
              resourceAttributes: { group: 'fluxora.io', resource: PLURALS[kind], verb: 'list', namespace: this.#namespace },
            },
          },
        });
        if (!sar.status?.allowed) denied.push(`${PLURALS[kind]}.fluxora.io`);
      }),
    );
    if (denied.length > 0) {
      const where = this.#namespace ? `in namespace ${this.#namespace}` : 'in all namespaces';
      return { ok: false, status: 403, message: `${user.username} may not list ${denied.sort().join(', ')} ${where}` };
    }
    return { ok: true, user: user.username };
  }
}
