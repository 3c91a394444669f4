import { CoordinationV1Api, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { isNotFound } from './api-error.ts';
import { microTimeString, PreciseMicroTime, parseMicroTime } from './micro-time.ts';

/** LeaseRecord is the leader-election state held in a coordination.k8s.io/v1 Lease's spec. */
export interface LeaseRecord {
  /** Who holds the lease; '' once released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime strings, `2026-11-26T11:22:33.123456Z`. */
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** StoredLease is a LeaseRecord with the resourceVersion it was read or written at. */
export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/**
 * LeaseStore reads and writes one Lease with optimistic concurrency: `create`
 * and `update` reject with a 409 (see isConflict) when someone else wrote
 * first. A fake implementation drives the leader-election unit tests.
 */
export interface LeaseStore {
  /** describe names the lease for logs, `namespace/name`. */
  describe(): string;
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

function fromLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: microTimeString(spec.acquireTime),
      renewTime: microTimeString(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}

function microTime(value: string): PreciseMicroTime | undefined {
  const ms = parseMicroTime(value);
  return ms === undefined ? undefined : new PreciseMicroTime(ms);
}

function toSpec(record: LeaseRecord): V1LeaseSpec {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: microTime(record.acquireTime),
    renewTime: microTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

/** kubeLeaseStore keeps the record in the Lease `namespace/name` through client-node's CoordinationV1Api. */
export function kubeLeaseStore(kubeConfig: KubeConfig, namespace: string, name: string): LeaseStore {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  return {
    describe: () => `${namespace}/${name}`,
    async get() {
      try {
        return fromLease(await api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record) {
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: toSpec(record),
      };
      return fromLease(await api.createNamespacedLease({ namespace, body }));
    },
    async update(record, resourceVersion) {
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace, resourceVersion },
        spec: toSpec(record),
      };
      return fromLease(await api.replaceNamespacedLease({ name, namespace, body }));
    },
  };
}
