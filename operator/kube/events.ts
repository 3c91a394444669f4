import { hostname } from 'node:os';
import { type EventsV1Event, EventsV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { isNotFound } from './api-error.ts';
import { type Clock, systemClock } from './clock.ts';
import { defaultKubeLogger, errorMessage, type KubeLogger } from './logger.ts';
import { formatMicroTime, PreciseMicroTime } from './micro-time.ts';

/** EventType is an Event's type: Normal for progress, Warning for what a user should look at. */
export type EventType = 'Normal' | 'Warning';

/** EventSeries is the count and last occurrence of an aggregated Event. */
export interface EventSeries {
  count: number;
  /** MicroTime string. */
  lastObservedTime: string;
}

/** EventSink is where events go: the API server (kubeEventSink) or a test double. */
export interface EventSink {
  create(namespace: string, event: EventsV1Event): Promise<EventsV1Event>;
  /** patchSeries sets `series` on an existing Event; rejects with 404 when it is gone (expired). */
  patchSeries(namespace: string, name: string, series: EventSeries): Promise<void>;
}

/** kubeEventSink writes events.k8s.io/v1 Events through client-node's EventsV1Api (series with a JSON patch). */
export function kubeEventSink(kubeConfig: KubeConfig): EventSink {
  const api = kubeConfig.makeApiClient(EventsV1Api);
  return {
    create: (namespace, body) => api.createNamespacedEvent({ namespace, body }),
    async patchSeries(namespace, name, series) {
      await api.patchNamespacedEvent({ name, namespace, body: [{ op: 'add', path: '/series', value: series }] });
    },
  };
}

/** EventRecorderOptions configure an EventRecorder. */
export interface EventRecorderOptions {
  sink: EventSink;
  /** reportingController of every Event. Default `fluxora.io/operator`. */
  reportingController?: string;
  /** reportingInstance: this replica. Default the hostname (the pod name). */
  reportingInstance?: string;
  /** The same event within this window increments the existing Event's series. Default 10 min. */
  seriesWindowMs?: number;
  /**
   * Events waiting to be written beyond this many are dropped (and logged),
   * as client-go's broadcaster drops past its 1000-event queue: under client
   * throttling events wait behind other requests, and the backlog stays bounded.
   * Default 1000.
   */
  maxPending?: number;
  clock?: Clock;
  logger?: KubeLogger;
}

interface SeriesEntry {
  namespace: string;
  name: string;
  count: number;
  lastAt: number;
  pending: Promise<void>;
}

const NOTE_MAX_BYTES = 1024;
const FIELD_MAX = 128;
const SECRET_PATTERNS: [RegExp, string][] = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1***@'],
  // Authorization: Bearer <token>
  [/(\bbearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1***'],
  // password=..., token: ..., secret=..., api_key=..., access-key: ...
  [/(\b(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|client[_-]?secret)\b\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi, '$1***'],
  // PEM private keys
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key redacted]'],
];

/**
 * redactSecrets masks credentials an error message may carry (URL passwords,
 * bearer tokens, `password=`/`token:`-style pairs, private keys) before the
 * text is stored in an Event, which anyone allowed to list events can read.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let s = text.slice(0, maxBytes);
  while (Buffer.byteLength(s) > maxBytes - 3) s = s.slice(0, -1);
  return `${s}...`;
}

/**
 * EventRecorder records events.k8s.io/v1 Events about objects, aggregated as
 * client-go's new events library does: the same event (same object, type,
 * reason, action and note) within 10 minutes bumps the existing Event's
 * `series` (count, lastObservedTime) instead of creating another object, so a
 * retry loop cannot flood etcd. Notes are redacted (see redactSecrets) and cut
 * to 1 kB; the regarding reference carries no object content. Recording never
 * throws: a failed write is logged and dropped.
 */
export class EventRecorder {
  private readonly sink: EventSink;
  private readonly reportingController: string;
  private readonly reportingInstance: string;
  private readonly seriesWindowMs: number;
  private readonly clock: Clock;
  private readonly logger: KubeLogger;
  private readonly series = new Map<string, SeriesEntry>();
  private readonly maxPending: number;
  private pendingCount = 0;
  private droppedCount = 0;
  private seq = 0;

  constructor(options: EventRecorderOptions) {
    this.sink = options.sink;
    this.reportingController = options.reportingController ?? 'fluxora.io/operator';
    this.reportingInstance = (options.reportingInstance ?? hostname()).slice(0, FIELD_MAX);
    this.seriesWindowMs = options.seriesWindowMs ?? 10 * 60_000;
    this.maxPending = options.maxPending ?? 1000;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? defaultKubeLogger();
  }

  /**
   * record emits an event about `regarding`. `action` says what was done or
   * failed (`Apply`, `Train`; defaults to the reason). The returned promise
   * resolves once written (or dropped); callers need not await it.
   */
  record(regarding: KubernetesObject, type: EventType, reason: string, note: string, action = reason): Promise<void> {
    const meta = regarding.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const safeNote = truncateBytes(redactSecrets(note), NOTE_MAX_BYTES);
    const key = JSON.stringify([
      regarding.apiVersion,
      regarding.kind,
      meta.namespace ?? '',
      meta.name,
      meta.uid ?? '',
      type,
      reason,
      action,
      safeNote,
    ]);
    if (this.pendingCount >= this.maxPending) {
      this.droppedCount++;
      this.logger.debug({ kind: regarding.kind, name: meta.name, namespace, reason, pending: this.pendingCount, dropped: this.droppedCount }, 'Event dropped, too many waiting');
      return Promise.resolve();
    }
    this.pendingCount++;
    const now = this.clock.now();
    this.prune(now);
    let entry = this.series.get(key);
    if (!entry || now - entry.lastAt > this.seriesWindowMs) {
      entry = { namespace, name: '', count: 0, lastAt: now, pending: entry?.pending ?? Promise.resolve() };
      this.series.set(key, entry);
    }
    const current = entry;
    current.lastAt = now;
    current.pending = current.pending
      .then(() => this.write(current, regarding, type, reason.slice(0, FIELD_MAX), action.slice(0, FIELD_MAX), safeNote, now))
      .finally(() => {
        this.pendingCount--;
      });
    return current.pending;
  }

  /** dropped is how many events were dropped because too many were waiting. */
  dropped(): number {
    return this.droppedCount;
  }

  private async write(
    entry: SeriesEntry,
    regarding: KubernetesObject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    at: number,
  ): Promise<void> {
    const fields = {
      kind: regarding.kind,
      name: regarding.metadata?.name,
      namespace: regarding.metadata?.namespace,
      reason,
    };
    try {
      if (entry.count > 0) {
        try {
          await this.sink.patchSeries(entry.namespace, entry.name, {
            count: entry.count + 1,
            lastObservedTime: formatMicroTime(at),
          });
          entry.count++;
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          entry.count = 0; // the Event expired: start a new one
        }
      }
      const meta = regarding.metadata ?? {};
      // client-go's naming: <object>.<hex nanoseconds>; a counter keeps events of one microsecond apart.
      const nanos = BigInt(Math.floor(at * 1000)) * 1000n + BigInt(this.seq++ % 1000);
      const name = `${meta.name}.${nanos.toString(16)}`;
      await this.sink.create(entry.namespace, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: entry.namespace },
        eventTime: new PreciseMicroTime(at),
        type,
        reason,
        action,
        note,
        reportingController: this.reportingController,
        reportingInstance: this.reportingInstance,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
        },
      });
      entry.name = name;
      entry.count = 1;
    } catch (err) {
      this.logger.warn({ ...fields, error: errorMessage(err) }, 'Event not recorded');
    }
  }

  private prune(now: number): void {
    if (this.series.size < 4096) return;
    for (const [key, entry] of this.series) {
      if (now - entry.lastAt > this.seriesWindowMs) this.series.delete(key);
    }
  }
}
