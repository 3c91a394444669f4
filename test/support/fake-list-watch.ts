import type { ErrorCallback, KubernetesObject, ObjectCallback } from '@kubernetes/client-node';
import type { ListWatchSource } from '../../operator/kube/informer.ts';
import { objectKey } from '../../operator/kube/object-key.ts';

type Verb = 'add' | 'update' | 'delete' | 'change' | 'connect' | 'error';

interface LoggedEvent<T> {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: T;
}

/**
 * FakeApiServer is a test double of the API server side of a list-watch: a
 * store with resourceVersions, an event log to resume watches from, and knobs
 * to take it down, break watches and expire old resourceVersions. The real
 * behaviour is covered by test/e2e/operator-kube.e2e.test.ts.
 */
export class FakeApiServer<T extends KubernetesObject> {
  readonly objects = new Map<string, T>();
  readonly log: LoggedEvent<T>[] = [];
  readonly watchers = new Set<FakeListWatch<T>>();
  rv = 1;
  /** When true, every list or watch fails with a connection error. */
  down = false;
  /** Watches resuming from a resourceVersion older than this fail with 410 Gone. */
  compactedBefore = 0;
  lists = 0;

  /** upsert stores `obj` with a new resourceVersion and tells open watches. */
  upsert(obj: T): T {
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } } as T;
    const key = objectKey(stored);
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.objects.set(key, stored);
    this.append(type, stored);
    return stored;
  }

  /** remove deletes the object of `key` and tells open watches. */
  remove(key: string): void {
    const obj = this.objects.get(key);
    if (!obj) return;
    this.objects.delete(key);
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } } as T;
    this.append('DELETED', stored);
  }

  /** breakWatches ends every open watch with `err`, as a dropped connection does. */
  breakWatches(err: unknown): void {
    for (const w of [...this.watchers]) w.fail(err);
  }

  private append(type: LoggedEvent<T>['type'], obj: T): void {
    const event = { rv: this.rv, type, obj };
    this.log.push(event);
    for (const w of this.watchers) w.deliver(event);
  }
}

/**
 * FakeListWatch mimics client-node's ListWatch against a FakeApiServer: start()
 * lists when it has no resourceVersion and otherwise resumes the watch from it;
 * on any failure it emits 'error' and stops, as the real one does.
 */
export class FakeListWatch<T extends KubernetesObject> implements ListWatchSource<T> {
  starts = 0;
  private readonly server: FakeApiServer<T>;
  private readonly callbacks = new Map<Verb, ((arg?: unknown) => void)[]>();
  private readonly objects = new Map<string, T>();
  private resourceVersion = 0;

  constructor(server: FakeApiServer<T>) {
    this.server = server;
  }

  on(verb: 'add' | 'update' | 'delete' | 'change', cb: ObjectCallback<T>): void;
  on(verb: 'error' | 'connect', cb: ErrorCallback): void;
  on(verb: Verb, cb: ObjectCallback<T> | ErrorCallback): void {
    const list = this.callbacks.get(verb) ?? [];
    list.push(cb as (arg?: unknown) => void);
    this.callbacks.set(verb, list);
  }

  off(verb: 'add' | 'update' | 'delete' | 'change', cb: ObjectCallback<T>): void;
  off(verb: 'error' | 'connect', cb: ErrorCallback): void;
  off(verb: Verb, cb: ObjectCallback<T> | ErrorCallback): void {
    const list = this.callbacks.get(verb) ?? [];
    this.callbacks.set(
      verb,
      list.filter((c) => c !== cb),
    );
  }

  async start(): Promise<void> {
    this.starts++;
    this.emit('connect');
    if (this.server.down) {
      this.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6443'));
      return;
    }
    if (this.resourceVersion === 0) {
      this.server.lists++;
      const listed = new Set<string>();
      for (const [key, obj] of this.server.objects) {
        listed.add(key);
        this.apply('ADDED', obj);
      }
      for (const [key, obj] of [...this.objects]) {
        if (!listed.has(key)) {
          this.objects.delete(key);
          this.emit('delete', obj);
        }
      }
      this.resourceVersion = this.server.rv;
    } else if (this.resourceVersion < this.server.compactedBefore) {
      this.emit('error', Object.assign(new Error('too old resource version'), { statusCode: 410 }));
      return;
    } else {
      for (const e of this.server.log) if (e.rv > this.resourceVersion) this.deliver(e);
    }
    this.server.watchers.add(this);
  }

  async stop(): Promise<void> {
    this.server.watchers.delete(this);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return [...this.objects.values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace);
  }

  /** deliver applies one watch event (called by the server). */
  deliver(event: LoggedEvent<T>): void {
    this.apply(event.type, event.obj);
    this.resourceVersion = event.rv;
  }

  /** fail ends the watch with an error, as client-node does on a dropped connection. */
  fail(err: unknown): void {
    this.server.watchers.delete(this);
    this.emit('error', err);
  }

  private apply(type: LoggedEvent<T>['type'], obj: T): void {
    const key = objectKey(obj);
    if (type === 'DELETED') {
      if (this.objects.delete(key)) this.emit('delete', obj);
      return;
    }
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    if (!old) this.emit('add', obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj);
  }

  private emit(verb: Verb, arg?: unknown): void {
    for (const cb of this.callbacks.get(verb) ?? []) cb(arg);
  }
}
