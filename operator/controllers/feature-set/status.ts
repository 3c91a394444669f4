/**
 * The FeatureSet's status is a pure function of its spec and its resolved Dataset,
 * shared with `fluxora run`; it lives beside the other status builders.
 */
export { featureSetStatus } from '../../../runtime/pipeline/status.ts';
