import type { CfnElement } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDesign } from '#adapters/dynamodb/keys.ts';
import { routes } from '#api/routes.ts';
import { loadRegency } from '#config/load.ts';
import { ACCESS_LOG_FORMAT } from '../../infra/constructs/http-api.ts';
import type { SatupintuFunction } from '../../infra/constructs/satupintu-function.ts';
import { scheduledFunctionAccess } from '../../infra/function-access.ts';
import { SLA_BREACH_METRIC } from '../../infra/stacks/regency-stack.ts';
import { generateStateMachines } from '../../statemachines/index.ts';
import { buildTestApp, type TestApp } from './helpers.ts';

// One synthesized stack for the whole file: `contoh` has two permit types, so two workflows.
const REGENCY = 'contoh';
const regency = loadRegency(REGENCY).regency;
const workflows = generateStateMachines(regency);
let built: TestApp;
let template: Template;
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
let resources: Record<string, Resource>;

beforeAll(() => {
  built = buildTestApp(REGENCY);
  template = Template.fromStack(built.stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});
afterAll(() => built.cleanup());

const ofType = (type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (type: string, predicate: (r: Resource) => boolean): string => {
  const found = ofType(type).find(([, r]) => predicate(r));
  if (found === undefined) throw new Error(`no ${type} matches`);
  return found[0];
};

describe('RegencyStack', () => {
  it('is named after the regency and deployed to Jakarta by default', () => {
    expect(built.stack.stackName).toBe('Satupintu-contoh');
    expect(built.stack.region).toBe('ap-southeast-3');
    expect(built.stack.terminationProtection).toBe(true);
  });

  describe('Lambda functions', () => {
    it('builds one function per distinct route function, per workflow function and per scheduled function', () => {
      const workflowNames = new Set(workflows.flatMap((w) => Object.values(w.substitutions)));
      const httpNames = new Set(routes.map((r) => r.fn));
      const scheduled = Object.keys(scheduledFunctionAccess);
      expect(ofType('AWS::Lambda::Function')).toHaveLength(
        httpNames.size + workflowNames.size + scheduled.length,
      );
    });

    it('runs the outbox sweeper every 10 minutes', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(10 minutes)',
        Targets: Match.arrayWith([Match.objectLike({ Arn: Match.anyValue() })]),
      });
    });

    it('gives every function the defaults: ARM64, nodejs22.x, ESM handler, tracing, JSON logs in its own group', () => {
      for (const [id, fn] of ofType('AWS::Lambda::Function')) {
        expect(fn.Properties, id).toMatchObject({
          Architectures: ['arm64'],
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
        });
        const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(resources[logGroup]?.Properties.RetentionInDays, id).toBe(180);
      }
    });

    it('points every function at the bundled regency configuration', () => {
      for (const [id, fn] of ofType('AWS::Lambda::Function'))
        expect(
          (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
          id,
        ).toMatchObject({
          SATUPINTU_REGENCY_FILE: '/var/task/regency.json',
          REGENCY_ID: REGENCY,
          NODE_OPTIONS: '--enable-source-maps',
          API_BASE_URL: regency.mail.publicBaseUrl,
        });
    });

    it('sets memory and timeout per function', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('functions/http/health\\.ts$'),
        MemorySize: 256,
        Timeout: 10,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('issue'),
        MemorySize: 512,
        Timeout: 60,
      });
    });

    it('gives each function its own role, never the AWS managed basic execution policy', () => {
      const roles = new Set(
        ofType('AWS::Lambda::Function').map(
          ([, fn]) => (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
        ),
      );
      expect(roles.size).toBe(ofType('AWS::Lambda::Function').length);
      for (const [id, role] of ofType('AWS::IAM::Role'))
        expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    });
  });

  describe('DynamoDB table', () => {
    it('is on-demand, recoverable, encrypted, protected from deletion and retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      });
    });

    it('has the key schema, TTL attribute and GSIs of the shared table design', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: tableDesign.ttlAttribute, Enabled: true },
        GlobalSecondaryIndexes: tableDesign.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' },
            { AttributeName: g.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      });
    });
  });

  describe('documents bucket', () => {
    const documentsId = (): string =>
      logicalIdOf('AWS::S3::Bucket', (r) => r.Properties.VersioningConfiguration !== undefined);

    it('blocks public access, is KMS-encrypted with its own key, versioned and logged', () => {
      const key = new Capture();
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
              },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.anyValue() },
          LogFilePrefix: 'documents/',
        },
      });
      expect(resources[key.asString()]).toMatchObject({
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
      expect(resources[documentsId()]?.DeletionPolicy).toBe('Retain');
    });

    it('denies requests without TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: documentsId() },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('expires abandoned drafts, old versions and incomplete uploads', () => {
      const lifecycle = resources[documentsId()]?.Properties.LifecycleConfiguration as
        | { Rules: Record<string, unknown>[] }
        | undefined;
      const rules = lifecycle?.Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Id: 'abandoned-drafts',
            Prefix: 'drafts/',
            ExpirationInDays: 30,
            Status: 'Enabled',
          }),
          expect.objectContaining({
            Id: 'old-versions',
            NoncurrentVersionExpiration: { NoncurrentDays: 365 },
          }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      );
    });

    it('lets the applicant front end PUT presigned uploads', () => {
      expect(resources[documentsId()]?.Properties.CorsConfiguration).toEqual({
        CorsRules: [
          expect.objectContaining({
            AllowedMethods: expect.arrayContaining(['PUT']),
            AllowedOrigins: [new URL(regency.mail.publicBaseUrl).origin],
            AllowedHeaders: expect.arrayContaining(['content-type']),
          }),
        ],
      });
    });
  });

  describe('HTTP API', () => {
    it('has exactly the routes of the shared route table, each on a Lambda proxy integration', () => {
      const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(routeKeys.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
      template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    });

    it('throttles the default stage and writes JSON access logs without personal data', () => {
      const format = new Capture();
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Format: format },
      });
      const fields = JSON.parse(format.asString()) as Record<string, string>;
      expect(fields).toEqual(ACCESS_LOG_FORMAT);
      expect(Object.values(fields).join(' ')).not.toMatch(/sourceIp|userAgent|\$context\.path/);
    });

    it('allows CORS from the configured origins with the headers applicant routes send', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: {
          AllowOrigins: [new URL(regency.mail.publicBaseUrl).origin],
          AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
          AllowCredentials: false,
        },
      });
    });
  });

  describe('state machines', () => {
    it('creates one per permit type from the generated ASL, with function ARNs substituted', () => {
      expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(regency.permits.length);
      for (const workflow of workflows) {
        const [, machine] = ofType('AWS::StepFunctions::StateMachine').find(
          ([, r]) => r.Properties.StateMachineName === `Satupintu-${REGENCY}-${workflow.name}`,
        ) ?? [undefined, undefined];
        expect(machine, workflow.name).toBeDefined();
        expect(machine?.Properties.DefinitionString).toBe(JSON.stringify(workflow.definition));
        const substitutions = machine?.Properties.DefinitionSubstitutions as Record<
          string,
          { 'Fn::GetAtt': string[] }
        >;
        expect(Object.keys(substitutions).sort()).toEqual(Object.keys(workflow.substitutions).sort());
        for (const ref of Object.values(substitutions))
          expect(resources[ref['Fn::GetAtt'][0] ?? '']?.Type).toBe('AWS::Lambda::Function');
      }
    });

    it('logs every event (without execution data) and traces', () => {
      template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
          ],
        },
        TracingConfiguration: { Enabled: true },
      });
    });

    it("lets each machine's role invoke only the functions its definition names", () => {
      for (const [id, machine] of ofType('AWS::StepFunctions::StateMachine')) {
        const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
        const substituted = Object.values(
          machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': string[] }>,
        ).map((v) => v['Fn::GetAtt'][0]);
        const invokes = ofType('AWS::IAM::Policy')
          .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
          .flatMap(
            ([, p]) =>
              (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
                .Statement,
          )
          .filter((s) => s.Action === 'lambda:InvokeFunction');
        expect(invokes, id).toHaveLength(1);
        const invoked = ([] as unknown[])
          .concat(invokes[0]?.Resource)
          .map((r) => (r as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
        expect(invoked.sort(), id).toEqual([...new Set(substituted)].sort());
      }
    });
  });

  describe('mail', () => {
    it("verifies the sender's domain through a configuration set that suppresses bounces and complaints", () => {
      template.hasResourceProperties('AWS::SES::EmailIdentity', {
        EmailIdentity: 'dpmptsp.contoh.example',
        ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.anyValue() } },
      });
      template.hasResourceProperties('AWS::SES::ConfigurationSet', {
        Name: `satupintu-${REGENCY}`,
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
        ReputationOptions: { ReputationMetricsEnabled: true },
        DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      });
    });

    it('routes bounces and complaints to a record without the address and to the administrators with it', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
          EventBridgeDestination: { EventBusArn: Match.anyValue() },
        },
      });
      const targets = new Capture();
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.ses'], 'detail-type': ['Email Bounced', 'Email Complaint Received'] },
        Targets: targets,
      });
      const [record, notice] = targets.asArray() as {
        Arn: unknown;
        InputTransformer: { InputPathsMap: Record<string, string> };
      }[];
      expect(JSON.stringify(record?.Arn)).toContain(':log-group:');
      expect(Object.values(record?.InputTransformer.InputPathsMap ?? {})).not.toContain(
        '$.detail.mail.destination',
      );
      expect(record?.InputTransformer.InputPathsMap).toMatchObject({
        'detail-mail-messageId': '$.detail.mail.messageId',
      });
      expect(notice?.Arn).toEqual({ Ref: logicalIdOf('AWS::SNS::Topic', () => true) });
      expect(Object.values(notice?.InputTransformer.InputPathsMap ?? {})).toContain(
        '$.detail.mail.destination',
      );
    });
  });

  describe('keys and secrets', () => {
    it('signs permits with a retained asymmetric P-256 key', () => {
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      });
    });

    /** Role logical id -> the actions its policies allow on the KMS key with this key spec. */
    function kmsActionsOn(keySpec: string): Record<string, string[]> {
      const keyId = logicalIdOf('AWS::KMS::Key', (r) => r.Properties.KeySpec === keySpec);
      const kmsActions = new Map<string, string[]>();
      for (const [, policy] of ofType('AWS::IAM::Policy')) {
        const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref);
        const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
          .Statement;
        for (const statement of statements) {
          const actions = [statement.Action].flat() as string[];
          if (!JSON.stringify(statement.Resource).includes(keyId)) continue;
          for (const role of roles)
            kmsActions.set(role, [...(kmsActions.get(role) ?? []), ...actions].sort());
        }
      }
      return Object.fromEntries(kmsActions);
    }
    const logical = (fn: SatupintuFunction | undefined) =>
      built.stack.getLogicalId(fn?.role.node.defaultChild as CfnElement);

    it('lets only the issue function sign, and the verify function read the public key, of that key alone', () => {
      expect(kmsActionsOn('ECC_NIST_P256')).toEqual({
        [logical(built.stack.workflowFunctions.get('issue'))]: ['kms:GetPublicKey', 'kms:Sign'],
        [logical(built.stack.httpFunctions.get('verify'))]: ['kms:GetPublicKey'],
      });
    });

    it('hashes NIKs with a retained HMAC key that only the submission function may use, to generate MACs only', () => {
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      });
      expect(kmsActionsOn('HMAC_256')).toEqual({
        [logical(built.stack.httpFunctions.get('submission'))]: ['kms:GenerateMac'],
      });
    });

    it('holds no link key (links are random and stored hashed) and puts no secret value in the template', () => {
      expect(ofType('AWS::SecretsManager::Secret')).toEqual([]);
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toMatch(/"SecretString"|"SecretValue"|PRIVATE KEY/);
    });
  });

  describe('alarms', () => {
    const alarmsOn = (metricName: string): Resource[] =>
      ofType('AWS::CloudWatch::Alarm')
        .map(([, a]) => a)
        .filter((a) => a.Properties.MetricName === metricName);

    it('mail the administrators from the configuration through the alarm topic', () => {
      const topic = logicalIdOf('AWS::SNS::Topic', () => true);
      for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm'))
        expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topic }]);
      const endpoints = ofType('AWS::SNS::Subscription').map(([, s]) => [
        s.Properties.Protocol,
        s.Properties.Endpoint,
      ]);
      expect(endpoints).toEqual(regency.mail.administrators.map((a) => ['email', a]));
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });

    it('cover failed and timed-out executions of every workflow', () => {
      expect(alarmsOn('ExecutionsFailed')).toHaveLength(regency.permits.length);
      expect(alarmsOn('ExecutionsTimedOut')).toHaveLength(regency.permits.length);
    });

    it('cover SLA breaches from the custom metric of this regency', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: SLA_BREACH_METRIC.namespace,
        MetricName: SLA_BREACH_METRIC.metricName,
        Dimensions: [{ Name: SLA_BREACH_METRIC.dimension, Value: REGENCY }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    });

    it('cover API 5xx, and errors and throttles of every function', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
      });
      const functions = ofType('AWS::Lambda::Function').length;
      expect(alarmsOn('Errors')).toHaveLength(functions);
      expect(alarmsOn('Throttles')).toHaveLength(functions);
    });

    it('cover bounces and complaints', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalIdOf('AWS::Events::Rule', () => true) } }],
      });
    });
  });

  it('outputs the API URL, bucket, table, state machine ARNs and mail identity', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'DocumentsBucketName',
        'TableName',
        'MailIdentity',
        ...regency.permits.map((p) => `StateMachineArn${p.code}`),
      ]),
    );
  });

  it('keeps the stateful resources unchanged (snapshot of retained resources, asset hashes removed)', () => {
    const retained = Object.fromEntries(
      Object.entries(template.toJSON().Resources as Record<string, Resource>)
        .filter(([, r]) => r.DeletionPolicy === 'Retain')
        .map(([id, r]) => [id, r]),
    );
    const normalised = JSON.parse(JSON.stringify(retained).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>'));
    expect(normalised).toMatchSnapshot();
  });
});
