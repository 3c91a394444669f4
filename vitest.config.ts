import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{crds,operator,runtime,cli,charts,examples,test/unit,test/browser}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
