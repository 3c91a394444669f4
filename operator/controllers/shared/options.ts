/** OperatorOptions are the operator's settings that shape the children it creates. */
export interface OperatorOptions {
  /** The workload image: the same image (and version) as the operator. */
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** The Secret (in each workload namespace) holding the store's connection URI. */
  databaseSecret: { name: string; key: string };
  /** Directory relative Dataset paths resolve against inside workload pods. */
  dataDir: string;
  /** Service account the workload pods run as ('' for the namespace default). */
  workloadServiceAccount: string;
}

/** defaultOperatorOptions are the operator's defaults (overridden by flags and the chart's values). */
export const defaultOperatorOptions: OperatorOptions = {
  image: 'ghcr.io/fluxora/fluxora:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  databaseSecret: { name: 'fluxora-db', key: 'uri' },
  dataDir: '/data',
  workloadServiceAccount: '',
};

/** FIELD_MANAGER is the server-side apply field manager of everything the operator writes. */
export const FIELD_MANAGER = 'fluxora-operator';
/** LABELS are the labels every child carries, so the operator's informers can select them. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'fluxora-operator' } as const;
