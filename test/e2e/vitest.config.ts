import { defineConfig } from 'vitest/config';

// End-to-end tests against a real control plane (etcd + kube-apiserver +
// kube-controller-manager + kube-scheduler). Run with `npm run test:e2e`.
// The first run builds the Kubernetes binaries from source (see README.md),
// hence the very long hook timeout.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    teardownTimeout: 120_000,
  },
});
