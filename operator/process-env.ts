/**
 * OPERATOR_ENV is the environment the operator process is started with, set
 * where it is launched: the chart's Deployment (charts/fluxora), the plain
 * install (operator/manifests/install.ts, equal to `helm template` by the chart
 * e2e test) and bench:operator. glibc otherwise keeps up to 8 malloc arenas per
 * core for Node's threads; 2 keep the resident memory down (measured with 5,000
 * resources: 167 MB -> 138 MB). It must be set before the process starts, so
 * the CLI cannot set it itself (V8 flags it does: cli/main.ts).
 */
export const OPERATOR_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
