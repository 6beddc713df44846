import { defineConfig } from 'vitest/config';

/**
 * The crash-resilience suite (test/resilience/, `npm run test:resilience`) kills and restarts a whole
 * local stack for minutes: it is a project only when asked for by name (`--project resilience`), so
 * `npm test` and a bare `vitest run` never pick it up.
 */
const projectFilters = process.argv.flatMap((arg, i, argv) => {
  if (arg === '--project') return argv[i + 1] === undefined ? [] : [argv[i + 1] as string];
  return arg.startsWith('--project=') ? [arg.slice('--project='.length)] : [];
});
const resilienceSelected = projectFilters.includes('resilience');

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
      ...(resilienceSelected
        ? [
            {
              extends: true as const,
              test: {
                name: 'resilience',
                include: ['test/resilience/**/*.test.ts'],
                // Starts its own stack as `npm start` does, kills it with SIGKILL and restarts it.
                testTimeout: 360_000,
                // One crash suite at a time: each runs a whole stack, and two of them on a 2-core machine
                // starve each other's processes (kill timings and restarts are measured, not awaited).
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
