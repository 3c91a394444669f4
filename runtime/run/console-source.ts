import type pg from 'pg';
import type { Kind } from '../console/api.ts';
import type { ConsoleResource, ConsoleSource } from '../console/source.ts';
import { sortResources } from '../console/views.ts';
import type { Serving } from '../roles/serve.ts';
import type { RunState } from './state.ts';

/** RunConsoleSource is the console's view of a `fluxora run`: its resources as they progress, its store and its servers. */
export class RunConsoleSource implements ConsoleSource {
  readonly mode = 'local';
  readonly pool: pg.Pool;
  readonly #state: RunState;
  readonly #servers: readonly Serving[];

  constructor(state: RunState, pool: pg.Pool, servers: readonly Serving[]) {
    this.#state = state;
    this.pool = pool;
    this.#servers = servers;
  }

  resources(): ConsoleResource[] {
    return sortResources(
      this.#state.resources.map((r) => ({
        kind: r.kind as Kind,
        namespace: r.namespace,
        name: r.name,
        uid: r.uid,
        createdAt: this.#state.createdAt,
        spec: r.spec as Record<string, unknown>,
        status: (r.status ?? {}) as Record<string, unknown>,
      })),
    );
  }

  onChange(listener: () => void): () => void {
    return this.#state.onChange(listener);
  }

  metricsUrls(md: ConsoleResource): string[] {
    return this.#servers.filter((s) => s.deploymentName === md.name).map((s) => `${s.url}/metrics`);
  }
}
