import type pg from 'pg';
import type { Kind } from './api.ts';

/** ConsoleResource is a Fluxora object as the console reads it: identity, spec and status as stored. */
export interface ConsoleResource {
  kind: Kind;
  namespace: string;
  name: string;
  uid?: string;
  /** metadata.creationTimestamp (ISO 8601). */
  createdAt?: string;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/**
 * ConsoleSource is where the console reads from: the operator's informer caches
 * and its store connection (cluster), or a `fluxora run`'s state and store
 * (local). The console never writes through it.
 */
export interface ConsoleSource {
  readonly mode: 'cluster' | 'local';
  /** Every Fluxora resource, in pipeline order (kind, then namespace and name). */
  resources(): ConsoleResource[];
  /** onChange calls `listener` after any resource changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** The store with the registry, curves and drift history; undefined when the console has none. */
  readonly pool?: pg.Pool;
  /** Why there is no store, shown to users (e.g. which setting to set). */
  readonly storeUnavailable?: string;
  /** The /metrics URLs of a ModelDeployment's serving pods (none when it has none Ready). */
  metricsUrls(md: ConsoleResource): string[];
}
