/**
 * The one place that decides how every Lambda function of the product is built and run. Stacks never
 * create a `NodejsFunction` directly: they create a `SatupintuFunction`, then give it access to resources
 * only through the grant helpers in `grants.ts`, which set the environment variable and the IAM permission
 * together.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Regency } from '#config/regency-schema.ts';

/** Where a deployed function finds the regency it serves (see `functions/runtime/regency.ts`). */
export const REGENCY_FILE_IN_BUNDLE = 'regency.json';
export const REGENCY_FILE_ENV = 'SATUPINTU_REGENCY_FILE';

export interface SatupintuFunctionProps {
  /** Entry file relative to `repoRoot`, e.g. `functions/http/health.ts`. It must export `handler`. */
  readonly entry: string;
  /** Absolute path of the repository root (holds package.json and package-lock.json). */
  readonly repoRoot: string;
  /** The validated regency, bundled as `regency.json` next to the handler. */
  readonly regency: Regency;
  /** What the function is for, shown in the console. */
  readonly description: string;
  /**
   * Memory in MB. On ARM64 a 256 MB function gets enough CPU for JSON, zod and SDK calls; functions that
   * render documents ask for more.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10): API Gateway gives up on an integration after 30 s, and a human-facing
   * request that takes 10 s has already failed.
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's own log group. Logs hold no personal data and are for operations only;
   * the audit trail lives in DynamoDB.
   * @default logs.RetentionDays.SIX_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /** Variables that name no AWS resource (resources are added by the grant helpers). */
  readonly environment?: Record<string, string>;
}

/**
 * A Node.js Lambda function with the project's defaults:
 *
 * - **esbuild** bundling, locally (no Docker), **ESM** output (`index.mjs`), **minified**, with **source
 *   maps** (external, no sources embedded) and `--enable-source-maps` so stack traces point at the
 *   TypeScript;
 * - **ARM64** (Graviton: about 20 % cheaper per GB-second than x86 for the same work) on **`nodejs22.x`**;
 * - the **AWS SDK v3 is bundled**, not taken from the runtime: the runtime's copy is whatever version
 *   Lambda ships that week, while ours is the version the tests ran against. That matters here: S3
 *   checksum defaults changed between SDK releases and break presigned uploads (aws-sdk-js-v3#6994). esbuild
 *   tree-shakes the modular v3 clients, so the cost is a few hundred KB per function;
 * - an explicit **log group** with retention and JSON log format (no `/aws/lambda` group left unmanaged);
 * - **X-Ray tracing** active;
 * - its own **role**, allowed to write only to its own log group (instead of the AWS managed
 *   `AWSLambdaBasicExecutionRole`, which may create and write any log group);
 * - the validated **regency configuration** bundled as `regency.json` beside the handler.
 */
export class SatupintuFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The entry file, relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: SatupintuFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.SIX_MONTHS,
      // Operational logs only: destroying a regency's stack may take them along (data is retained elsewhere).
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    // The log group's Arn attribute ends in ':*', which covers its log streams and nothing else.
    this.logGroup.grantWrite(this.role);

    const regencyJson = writeRegencyJson(props.regency);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: resolve(props.repoRoot, props.entry),
      handler: 'handler',
      projectRoot: props.repoRoot,
      depsLockFilePath: join(props.repoRoot, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [REGENCY_FILE_ENV]: `/var/task/${REGENCY_FILE_IN_BUNDLE}`,
        REGENCY_ID: props.regency.id,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // Bundle the SDK (see the class comment): nothing is external.
        externalModules: [],
        bundleAwsSDK: true,
        // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp "${regencyJson}" "${outputDir}/${REGENCY_FILE_IN_BUNDLE}"`,
          ],
        },
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*".',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the project targets and tests (issue 7); a newer runtime is adopted deliberately, not by a linter.',
    });
  }

  /** Sets a variable that names no AWS resource. Resources go through the grant helpers. */
  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }

  get functionArn(): string {
    return this.fn.functionArn;
  }

  get stack(): Stack {
    return Stack.of(this);
  }
}

/**
 * Writes the validated configuration as JSON once per content, for the bundling hook to copy. The path
 * depends on the content only, so repeated synths reuse it and bundles stay reproducible.
 */
function writeRegencyJson(regency: Regency): string {
  const json = `${JSON.stringify(regency)}\n`;
  const digest = createHash('sha256').update(json).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'satupintu-regency');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${regency.id}-${digest}.json`);
  writeFileSync(file, json);
  return file;
}
