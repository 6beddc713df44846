import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration suites start real emulators and the CDK suites synthesize stacks: give them room
    // on a 2-core machine instead of timing out.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The SDK's Node 20 deprecation notice is known (Lambda runs Node 22); keep test output readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // One local stack (the one `npm start` runs) shared by every integration test file.
          globalSetup: ['test/integration/harness/global-setup.ts'],
        },
      },
    ],
  },
});
