import { HttpMethod, type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import type { Condition } from '../../crds/common.ts';
import { isNotFound } from './api-error.ts';
import { type Clock, systemClock } from './clock.ts';
import { formatTime } from './conditions.ts';
import { applyReason, carryTransitionTimes } from './desired-state.ts';
import { defaultKubeLogger, type KubeLogger } from './logger.ts';
import type { JsonObjectApi } from './object-api.ts';

/** FIELD_MANAGER is the one stable server-side-apply field manager of the operator. */
export const FIELD_MANAGER = 'fluxora-operator';

/** ApplyOptions: `live` is the object as last seen (from an informer); undefined reads it, null means known absent. */
export interface ApplyOptions<T extends KubernetesObject> {
  live?: T | null;
}

/** ApplyResult is the object after the call, whether a request was sent, and why. */
export interface ApplyResult<T extends KubernetesObject> {
  object: T;
  written: boolean;
  /** Why a write was needed (see applyReason); undefined when skipped. */
  reason?: string;
}

/** ApplierOptions configure an Applier. */
export interface ApplierOptions {
  fieldManager?: string;
  clock?: Clock;
  logger?: KubeLogger;
}

/** ObjectWithStatus is any object that has a status (a custom resource). */
export type ObjectWithStatus = KubernetesObject & { status?: Record<string, unknown> & { conditions?: Condition[] } };

const SERVER_OWNED_METADATA = ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];

function applyBody<T extends KubernetesObject>(desired: T): T {
  const metadata = Object.fromEntries(
    Object.entries(desired.metadata ?? {}).filter(([k]) => !SERVER_OWNED_METADATA.includes(k)),
  );
  return { ...desired, metadata } as T;
}

function logFields(obj: KubernetesObject): Record<string, unknown> {
  return { kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace };
}

/**
 * Applier writes objects with server-side apply (field manager
 * `fluxora-operator`, force=true: the operator owns the fields it renders),
 * but only when something would change: it compares the desired fields with
 * the live object (and the manager's managedFields, to catch fields it
 * stopped setting), so a steady cluster costs zero writes.
 *
 * Status goes through the status subresource, also with server-side apply
 * (`PATCH .../status`, application/apply-patch+yaml) rather than a merge
 * patch: a merge patch replaces the whole conditions list, clobbering
 * conditions other controllers set, while apply merges the list by `type`
 * (the CRDs declare `x-kubernetes-list-type: map`) and removes only the
 * fields this manager owned and no longer sets.
 */
export class Applier {
  readonly fieldManager: string;
  private readonly api: JsonObjectApi;
  private readonly clock: Clock;
  private readonly logger: KubeLogger;

  constructor(api: JsonObjectApi, options: ApplierOptions = {}) {
    this.api = api;
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? defaultKubeLogger();
  }

  /** read returns the live object, or undefined when it does not exist. */
  async read<T extends KubernetesObject>(obj: T): Promise<T | undefined> {
    try {
      return await this.api.read<T>({
        apiVersion: obj.apiVersion as string,
        kind: obj.kind as string,
        metadata: { name: obj.metadata?.name as string, namespace: obj.metadata?.namespace },
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** apply makes the object's fields match `desired` (everything but status) with one apply request, or none. */
  async apply<T extends KubernetesObject>(desired: T, options: ApplyOptions<T> = {}): Promise<ApplyResult<T>> {
    const live = options.live === undefined ? await this.read(desired) : (options.live ?? undefined);
    const reason = applyReason(desired, live, { fieldManager: this.fieldManager });
    if (reason === undefined && live) {
      this.logger.debug(logFields(desired), 'Apply skipped, object in sync');
      return { object: live, written: false };
    }
    const object = await this.api.patch<T>(
      applyBody(desired),
      undefined,
      undefined,
      this.fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
    this.logger.info({ ...logFields(desired), reason, resourceVersion: object.metadata?.resourceVersion }, 'Object applied');
    return { object, written: true, reason };
  }

  /**
   * applyStatus makes the status match `desired.status` through the status
   * subresource, keeping the lastTransitionTime of conditions whose status did
   * not change; no request when it already matches.
   */
  async applyStatus<T extends ObjectWithStatus>(desired: T, options: ApplyOptions<T> = {}): Promise<ApplyResult<T>> {
    const live = options.live === undefined ? await this.read(desired) : (options.live ?? undefined);
    if (!live) throw new Error(`applyStatus: ${desired.kind} ${desired.metadata?.namespace}/${desired.metadata?.name} does not exist`);
    const status = { ...(desired.status ?? {}) };
    if (Array.isArray(status.conditions)) {
      status.conditions = carryTransitionTimes(
        status.conditions,
        (live as ObjectWithStatus).status?.conditions,
        formatTime(this.clock.now()),
      );
    }
    const body = {
      apiVersion: desired.apiVersion,
      kind: desired.kind,
      metadata: { name: desired.metadata?.name, namespace: desired.metadata?.namespace },
      status,
    } as T;
    const reason = applyReason(body, live, { fieldManager: this.fieldManager, subresource: 'status' });
    if (reason === undefined) {
      this.logger.debug(logFields(desired), 'Status apply skipped, status in sync');
      return { object: live, written: false };
    }
    const path = await this.api.pathFor(body, 'status');
    const object = await this.api.requestJson<T>(HttpMethod.PATCH, path, {
      query: { fieldManager: this.fieldManager, force: 'true' },
      body,
      contentType: PatchStrategy.ServerSideApply,
    });
    this.logger.info({ ...logFields(desired), reason, resourceVersion: object.metadata?.resourceVersion }, 'Status applied');
    return { object, written: true, reason };
  }
}
