import type { LeaseRecord, LeaseStore, StoredLease } from '../../operator/kube/lease-store.ts';

function conflict(message: string): Error {
  return Object.assign(new Error(message), { code: 409 });
}

/**
 * FakeLeaseBackend is an in-memory Lease with the API server's optimistic
 * concurrency (a write with a stale resourceVersion gets 409), shared by the
 * LeaseStore views of several candidates. Each view can be cut off to
 * simulate a partitioned replica. Real behaviour: the e2e test.
 */
export class FakeLeaseBackend {
  lease: StoredLease | undefined;
  writes: LeaseRecord[] = [];
  private rv = 0;

  /** view returns a LeaseStore for one candidate; set `down` on it to make its calls fail. */
  view(): LeaseStore & { down: boolean } {
    const backend = this;
    return {
      down: false,
      describe: () => 'ns/lease',
      async get() {
        if (this.down) throw new Error('connect ECONNREFUSED');
        return backend.lease && structuredClone(backend.lease);
      },
      async create(record) {
        if (this.down) throw new Error('connect ECONNREFUSED');
        if (backend.lease) throw conflict('leases.coordination.k8s.io "lease" already exists');
        return backend.store(record);
      },
      async update(record, resourceVersion) {
        if (this.down) throw new Error('connect ECONNREFUSED');
        if (!backend.lease || backend.lease.resourceVersion !== resourceVersion) {
          throw conflict('the object has been modified; please apply your changes to the latest version and try again');
        }
        return backend.store(record);
      },
    };
  }

  /** store writes `record` as another writer would (bumping the resourceVersion). */
  store(record: LeaseRecord): StoredLease {
    this.writes.push(structuredClone(record));
    this.lease = { record: structuredClone(record), resourceVersion: String(++this.rv) };
    return structuredClone(this.lease);
  }
}
