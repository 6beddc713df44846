/**
 * The CDK app: `npx cdk synth|deploy -c regency=<id>` builds the stack `Satupintu-<id>` from
 * `regencies/<id>.yaml` (context and environment: see `build-app.ts`).
 *
 * An invalid configuration fails synth with the configuration error (file, path, line) and no stack
 * trace; so does a least-privilege finding (`checks/least-privilege.ts`). cdk-nag findings fail synth
 * through the validation report.
 */
import { RegencyConfigError } from '#config/load.ts';
import { AppUsageError, buildRegencyApp } from './build-app.ts';
import { leastPrivilegeFindings } from './checks/least-privilege.ts';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

let built: ReturnType<typeof buildRegencyApp>;
try {
  built = buildRegencyApp();
} catch (e) {
  if (e instanceof RegencyConfigError || e instanceof AppUsageError) fail(e.message);
  throw e;
}
for (const warning of built.loaded.warnings)
  process.stderr.write(`warning: ${built.loaded.file}: ${warning}\n`);

const assembly = built.app.synth();
const findings = leastPrivilegeFindings(assembly.getStackArtifact(built.stack.artifactId).template);
if (findings.length > 0)
  fail(`least-privilege check failed:\n${findings.map((f) => `  - ${f.resource}: ${f.message}`).join('\n')}`);
