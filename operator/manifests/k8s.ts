/**
 * Typed cdk8s constructs for the Kubernetes kinds Fluxora writes: the
 * equivalent of `cdk8s import k8s` output for these kinds, without the code
 * generator. Props are typed with @kubernetes/client-node's models (the
 * OpenAPI of the API server), so a misspelt field or a wrong type is a compile
 * error; the constructs add the kind's apiVersion and kind.
 *
 * Synthesis (`ApiObject.toJson()`) resolves the props and returns plain JSON:
 * object keys sorted (apiVersion, kind, metadata first), undefined and null
 * fields removed, empty objects and lists kept in the body (`emptyDir: {}`
 * means something) but dropped from metadata. The props are written in the
 * API's own field names: client-node's models use the same JSON names for
 * every kind here (only JSONSchemaProps renames fields, see CrdSpec).
 */
import type {
  V1ClusterRoleBinding,
  V1CronJobSpec,
  V1CustomResourceDefinitionSpec,
  V1CustomResourceDefinitionVersion,
  V1DeploymentSpec,
  V1JobSpec,
  V1NamespaceSpec,
  V1PolicyRule,
  V1RoleBinding,
  V1ServiceSpec,
} from '@kubernetes/client-node';
import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';

/** GroupVersionKind is a kind's apiVersion and kind, as constructs carry them. */
export interface GroupVersionKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** ObjectProps are the props of every construct here: metadata (with a name: children are never generated names). */
export interface ObjectProps {
  readonly metadata: ApiObjectMetadata & { name: string };
}

/** KubeNamespaceProps are a Namespace's props. */
export interface KubeNamespaceProps extends ObjectProps {
  readonly spec?: V1NamespaceSpec;
}

/** KubeNamespace is a core/v1 Namespace. */
export class KubeNamespace extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'v1', kind: 'Namespace' };
  constructor(scope: Construct, id: string, props: KubeNamespaceProps) {
    super(scope, id, { ...KubeNamespace.GVK, ...props });
  }
}

/** KubeServiceAccountProps are a ServiceAccount's props. */
export interface KubeServiceAccountProps extends ObjectProps {
  readonly automountServiceAccountToken?: boolean;
}

/** KubeServiceAccount is a core/v1 ServiceAccount. */
export class KubeServiceAccount extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'v1', kind: 'ServiceAccount' };
  constructor(scope: Construct, id: string, props: KubeServiceAccountProps) {
    super(scope, id, { ...KubeServiceAccount.GVK, ...props });
  }
}

/** KubeServiceProps are a Service's props. */
export interface KubeServiceProps extends ObjectProps {
  readonly spec: V1ServiceSpec;
}

/** KubeService is a core/v1 Service. */
export class KubeService extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'v1', kind: 'Service' };
  constructor(scope: Construct, id: string, props: KubeServiceProps) {
    super(scope, id, { ...KubeService.GVK, ...props });
  }
}

/** KubeDeploymentProps are a Deployment's props. */
export interface KubeDeploymentProps extends ObjectProps {
  readonly spec: V1DeploymentSpec;
}

/** KubeDeployment is an apps/v1 Deployment. */
export class KubeDeployment extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
  constructor(scope: Construct, id: string, props: KubeDeploymentProps) {
    super(scope, id, { ...KubeDeployment.GVK, ...props });
  }
}

/** KubeJobProps are a Job's props. */
export interface KubeJobProps extends ObjectProps {
  readonly spec: V1JobSpec;
}

/** KubeJob is a batch/v1 Job. */
export class KubeJob extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'Job' };
  constructor(scope: Construct, id: string, props: KubeJobProps) {
    super(scope, id, { ...KubeJob.GVK, ...props });
  }
}

/** KubeCronJobProps are a CronJob's props. */
export interface KubeCronJobProps extends ObjectProps {
  readonly spec: V1CronJobSpec;
}

/** KubeCronJob is a batch/v1 CronJob. */
export class KubeCronJob extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'batch/v1', kind: 'CronJob' };
  constructor(scope: Construct, id: string, props: KubeCronJobProps) {
    super(scope, id, { ...KubeCronJob.GVK, ...props });
  }
}

/** KubeRoleProps are a ClusterRole's or Role's props. */
export interface KubeRoleProps extends ObjectProps {
  readonly rules: V1PolicyRule[];
}

/** KubeClusterRole is an rbac.authorization.k8s.io/v1 ClusterRole. */
export class KubeClusterRole extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' };
  constructor(scope: Construct, id: string, props: KubeRoleProps) {
    super(scope, id, { ...KubeClusterRole.GVK, ...props });
  }
}

/** KubeRole is an rbac.authorization.k8s.io/v1 Role. */
export class KubeRole extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' };
  constructor(scope: Construct, id: string, props: KubeRoleProps) {
    super(scope, id, { ...KubeRole.GVK, ...props });
  }
}

/** KubeBindingProps are a ClusterRoleBinding's or RoleBinding's props. */
export interface KubeBindingProps extends ObjectProps {
  readonly roleRef: V1ClusterRoleBinding['roleRef'] & V1RoleBinding['roleRef'];
  readonly subjects: NonNullable<V1ClusterRoleBinding['subjects']>;
}

/** KubeClusterRoleBinding is an rbac.authorization.k8s.io/v1 ClusterRoleBinding. */
export class KubeClusterRoleBinding extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' };
  constructor(scope: Construct, id: string, props: KubeBindingProps) {
    super(scope, id, { ...KubeClusterRoleBinding.GVK, ...props });
  }
}

/** KubeRoleBinding is an rbac.authorization.k8s.io/v1 RoleBinding. */
export class KubeRoleBinding extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' };
  constructor(scope: Construct, id: string, props: KubeBindingProps) {
    super(scope, id, { ...KubeRoleBinding.GVK, ...props });
  }
}

/**
 * CrdSpec is a CustomResourceDefinition's spec. The OpenAPI schema is plain
 * JSON Schema (`x-kubernetes-*` keys as the API spells them): client-node's
 * V1JSONSchemaProps renames those fields for its own serializer, which
 * constructs do not use.
 */
export type CrdSpec = Omit<V1CustomResourceDefinitionSpec, 'versions'> & {
  versions: (Omit<V1CustomResourceDefinitionVersion, 'schema'> & { schema: { openAPIV3Schema: Record<string, unknown> } })[];
};

/** KubeCustomResourceDefinitionProps are a CRD's props. */
export interface KubeCustomResourceDefinitionProps extends ObjectProps {
  readonly spec: CrdSpec;
}

/** KubeCustomResourceDefinition is an apiextensions.k8s.io/v1 CustomResourceDefinition. */
export class KubeCustomResourceDefinition extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
  constructor(scope: Construct, id: string, props: KubeCustomResourceDefinitionProps) {
    super(scope, id, { ...KubeCustomResourceDefinition.GVK, ...props });
  }
}
