/**
 * The local Step Functions service as a process: `node --import tsx local/sfn/main.ts ...`.
 * Launchers (local/stack.ts, the tests' child service, the benchmarks) run this path; the CLI
 * itself is api/cli.ts.
 */
import './api/cli.ts';
