/**
 * PolicyRule is one RBAC rule. The operator's permissions are written here once;
 * the chart's ClusterRole and Role and the plain install manifest are generated
 * from these lists (`npm run generate`), so they cannot drift from the code.
 */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const OWN = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** clusterRules are what the operator needs in every namespace it reconciles. Secrets are never read. */
export const clusterRules: PolicyRule[] = [
  { apiGroups: ['fluxora.io'], resources: ['datasets', 'featuresets', 'modeldeployments', 'driftmonitors'], verbs: [...READ, 'update', 'patch'] },
  // TrainingJobs are also created: a DriftMonitor retrains by creating one.
  { apiGroups: ['fluxora.io'], resources: ['trainingjobs'], verbs: [...READ, 'create', 'update', 'patch'] },
  {
    apiGroups: ['fluxora.io'],
    resources: ['datasets/status', 'featuresets/status', 'trainingjobs/status', 'modeldeployments/status', 'driftmonitors/status'],
    verbs: ['get', 'update', 'patch'],
  },
  // Owner references with blockOwnerDeletion need update on the owner's finalizers.
  {
    apiGroups: ['fluxora.io'],
    resources: ['datasets/finalizers', 'featuresets/finalizers', 'trainingjobs/finalizers', 'modeldeployments/finalizers', 'driftmonitors/finalizers'],
    verbs: ['update'],
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: OWN },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: OWN },
  { apiGroups: [''], resources: ['services'], verbs: OWN },
  // Pods are read for readiness and termination messages (the workloads' results).
  { apiGroups: [''], resources: ['pods'], verbs: READ },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  // The web console checks its users' bearer tokens as kube-rbac-proxy does.
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

/** leaderElectionRules are what the operator needs in its own namespace to hold its Lease. */
export const leaderElectionRules: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];
