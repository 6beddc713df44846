import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real emulators and the CDK suites synthesize stacks: give them room
    // on a 2-core machine instead of timing out.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
