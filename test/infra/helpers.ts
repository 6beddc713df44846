/**
 * Building a regency's stack in a test exactly as `infra/app.ts` does (same `buildRegencyApp`, cdk.json's
 * context), but without bundling unless asked: bundling is tested once, in `bundle.test.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltApp, buildRegencyApp, REPO_ROOT } from '../../infra/build-app.ts';

export { REPO_ROOT };

export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

export interface TestBuildOptions {
  readonly bundling?: boolean;
  /**
   * CDK's built-in CloudFormation schema validation (what `cdk synth` runs). Its engine costs seconds to
   * start, so only the test that checks every regency's template turns it on.
   */
  readonly cfnValidation?: boolean;
  readonly context?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
  readonly regenciesDir?: string;
}

export interface TestApp extends BuiltApp {
  readonly outdir: string;
  /** Removes the cloud assembly directory. */
  cleanup(): void;
}

export function buildTestApp(regencyId: string, options: TestBuildOptions = {}): TestApp {
  const outdir = mkdtempSync(join(tmpdir(), 'satupintu-cdk-test-'));
  const cleanup = (): void => rmSync(outdir, { recursive: true, force: true });
  let built: BuiltApp;
  try {
    built = buildRegencyApp({
      appProps: {
        outdir,
        builtinCloudFormationValidation: options.cfnValidation === true,
        context: {
          ...CDK_JSON_CONTEXT,
          regency: regencyId,
          // Stack traces in construct metadata cost seconds per synth and nothing here reads them.
          'aws:cdk:disable-stack-trace': true,
          'aws:cdk:disable-creation-stack-traces': true,
          ...(options.bundling === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
          ...options.context,
        },
      },
      env: options.env ?? {},
      regenciesDir: options.regenciesDir,
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  return { ...built, outdir, cleanup };
}
