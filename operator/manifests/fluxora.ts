import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { API_VERSION } from '../../crds/common.ts';
import type { TrainingJobSpec } from '../../crds/training-job.ts';
import type { GroupVersionKind, ObjectProps } from './k8s.ts';

/** TrainingJobProps are a TrainingJob's props: its spec typed by the zod schema it is validated with. */
export interface TrainingJobProps extends ObjectProps {
  readonly spec: TrainingJobSpec;
}

/** TrainingJob is a fluxora.io TrainingJob, as a DriftMonitor creates one to retrain. */
export class TrainingJob extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: API_VERSION, kind: 'TrainingJob' };
  constructor(scope: Construct, id: string, props: TrainingJobProps) {
    super(scope, id, { ...TrainingJob.GVK, ...props });
  }
}
