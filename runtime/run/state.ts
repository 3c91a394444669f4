import type { ValidatedManifest } from '../../crds/validate.ts';
import type { Lookup, Resource } from '../pipeline/resources.ts';
import { conditionsFor, type Health } from '../pipeline/status.ts';

/**
 * RunState holds the resources of one `fluxora run`: the validated manifests with
 * the statuses this run gives them. It implements Lookup, so references resolve
 * with the same code the operator uses against its informer caches.
 */
export class RunState implements Lookup {
  readonly resources: Resource<unknown>[] = [];
  readonly #byKey = new Map<string, Resource<unknown>>();
  readonly #listeners = new Set<() => void>();
  /** When the run started (the resources' creation time). */
  readonly createdAt = new Date().toISOString();

  constructor(manifests: ValidatedManifest[], runId: string) {
    for (const m of manifests) {
      const r: Resource<unknown> = { kind: m.kind, name: m.name, namespace: m.namespace, generation: 1, uid: runId, spec: m.spec, status: {} };
      this.resources.push(r);
      this.#byKey.set(`${m.kind}/${m.namespace}/${m.name}`, r);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: the overloads of Lookup narrow the result by kind.
  get(kind: string, namespace: string, name: string): any {
    return this.#byKey.get(`${kind}/${namespace}/${name}`);
  }

  // biome-ignore lint/suspicious/noExplicitAny: as above.
  list(kind: string, namespace: string): any[] {
    return this.resources.filter((r) => r.kind === kind && r.namespace === namespace);
  }

  /** setStatus sets a resource's status fields and conditions from its health, as the operator's status writes do, and tells the listeners. */
  setStatus(r: Resource<unknown>, health: Health, fields: Record<string, unknown> = {}): void {
    const now = new Date();
    r.status = { ...(r.status ?? {}), ...fields, observedGeneration: r.generation, conditions: conditionsFor(health, r.generation, r.status?.conditions, now) };
    for (const listener of this.#listeners) listener();
  }

  /** onChange calls `listener` after every status change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** ofKind returns every resource of a kind, in manifest order. */
  ofKind<T extends Resource<unknown>>(kind: string): T[] {
    return this.resources.filter((r) => r.kind === kind) as T[];
  }
}
