/**
 * Builds the CDK app of one regency from context and environment, without synthesizing it, so that
 * `infra/app.ts` (the CLI entry) and the infra tests go through exactly the same code.
 *
 * Context (or environment) it reads:
 * - `regency` (required): the regency id, the name of a file under `regencies/`;
 * - `region` / `CDK_DEPLOY_REGION`: default `ap-southeast-3` (Jakarta) for data residency. The CLI
 *   profile's region (`CDK_DEFAULT_REGION`) is deliberately ignored, so that a developer's default
 *   profile cannot move applicants' data out of Indonesia by accident;
 * - `account` / `CDK_DEPLOY_ACCOUNT` / the CLI profile's account (`CDK_DEFAULT_ACCOUNT`);
 * - `domainName` and `certificateArn` (optional, together): a custom domain for the API;
 * - `corsOrigins` (optional, comma-separated): browser origins of the applicant front end.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type LoadedRegency, listRegencyIds, loadRegency } from '#config/load.ts';
import { generateStateMachines } from '../statemachines/index.ts';
import { RegencyStack, type RegencyStackProps, stackNameFor } from './stacks/regency-stack.ts';

export const DEFAULT_REGION = 'ap-southeast-3';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A usage mistake (not a configuration error): reported as a message, not a stack trace. */
export class AppUsageError extends Error {
  override name = 'AppUsageError';
}

export interface BuildOptions {
  /** Passed to `new App()`; `context` here is merged over cdk.json's when run by the CLI. */
  readonly appProps?: AppProps;
  readonly env?: NodeJS.ProcessEnv;
  /** Directory of regency files. @default `regencies/` (or SATUPINTU_REGENCIES_DIR) */
  readonly regenciesDir?: string;
  /** Overrides for tests (e.g. workflow entry files). */
  readonly stackOverrides?: Partial<RegencyStackProps>;
}

export interface BuiltApp {
  app: App;
  stack: RegencyStack;
  loaded: LoadedRegency;
}

/** Throws `RegencyConfigError` for an invalid configuration and `AppUsageError` for bad context. */
export function buildRegencyApp(options: BuildOptions = {}): BuiltApp {
  const env = options.env ?? process.env;
  // Construct stack traces in metadata triple synth time (seconds per regency in CI) and only help when
  // debugging CDK itself: on with CDK_DEBUG=true.
  const app = new App({ stackTraces: env.CDK_DEBUG === 'true', ...options.appProps });
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };

  const regencyId = context('regency');
  if (regencyId === undefined)
    throw new AppUsageError(
      `which regency? Use -c regency=<id>. Configured: ${listRegencyIds(options.regenciesDir).join(', ')}`,
    );
  const loaded = loadRegency(regencyId, options.regenciesDir);

  const domainName = context('domainName');
  const certificateArn = context('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined))
    throw new AppUsageError(
      'a custom domain needs both -c domainName=<name> and -c certificateArn=<ACM certificate ARN>',
    );

  const stack = new RegencyStack(app, stackNameFor(regencyId), {
    regency: loaded.regency,
    workflows: generateStateMachines(loaded.regency),
    repoRoot: REPO_ROOT,
    env: {
      account: context('account') ?? env.CDK_DEPLOY_ACCOUNT ?? env.CDK_DEFAULT_ACCOUNT,
      region: context('region') ?? env.CDK_DEPLOY_REGION ?? DEFAULT_REGION,
    },
    // Deleting a regency's stack is a decision, not an accident: `cdk destroy` needs this turned off first.
    terminationProtection: true,
    corsOrigins: context('corsOrigins')
      ?.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    customDomain:
      domainName !== undefined && certificateArn !== undefined ? { domainName, certificateArn } : undefined,
    ...options.stackOverrides,
  });

  // cdk-nag runs as a validation plugin: any unacknowledged finding fails synth with its report. The
  // acknowledgements (each with its reason) are also written into the template metadata, for auditors
  // and for the least-privilege check.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack, loaded };
}
