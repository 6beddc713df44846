import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { httpFunctionEntry, type RouteDefinition, routes } from '#api/routes.ts';
import type { Regency } from '#config/regency-schema.ts';
import { Alerts } from '../constructs/alerts.ts';
import { DataStores } from '../constructs/data-stores.ts';
import { type GrantTargets, grantAccess, type WorkflowRef } from '../constructs/grants.ts';
import { type CustomDomain, HttpApi } from '../constructs/http-api.ts';
import { Mail } from '../constructs/mail.ts';
import { SatupintuFunction } from '../constructs/satupintu-function.ts';
import {
  executionArnPattern,
  stateMachineArn,
  stateMachineName,
  type WorkflowDefinition,
  Workflows,
} from '../constructs/workflows.ts';
import {
  type FunctionAccessMap,
  type FunctionSettings,
  httpFunctionAccess,
  scheduledEveryMinutes,
  scheduledFunctionAccess,
  workflowFunctionAccess,
} from '../function-access.ts';

/** The custom metric the workflows emit (CloudWatch embedded metric format) when a stage deadline passes. */
export const SLA_BREACH_METRIC = {
  namespace: 'Satupintu',
  metricName: 'StageDeadlineBreached',
  /** Dimension name; the value is the regency id. */
  dimension: 'Regency',
} as const;

export const workflowFunctionEntry = (name: string): string => `functions/workflow/${name}.ts`;
export const scheduledFunctionEntry = (name: string): string => `functions/scheduled/${name}.ts`;

export const stackNameFor = (regencyId: string): string => `Satupintu-${regencyId}`;

export interface RegencyStackProps extends StackProps {
  readonly regency: Regency;
  /** From `statemachines/` (`generateStateMachines(regency)`). */
  readonly workflows: readonly WorkflowDefinition[];
  /** Absolute path of the repository root. */
  readonly repoRoot: string;
  /** @default the shared route table */
  readonly routes?: readonly RouteDefinition[];
  /** @default `httpFunctionAccess` */
  readonly httpAccess?: FunctionAccessMap;
  /** @default `workflowFunctionAccess` */
  readonly workflowAccess?: FunctionAccessMap;
  /** Browser origins of the applicant front end. @default the origins of `mail.publicBaseUrl` and `office.website` */
  readonly corsOrigins?: readonly string[];
  readonly customDomain?: CustomDomain;
}

export class RegencyStack extends Stack {
  readonly data: DataStores;
  readonly alerts: Alerts;
  readonly mail: Mail;
  readonly api: HttpApi;
  readonly workflows: Workflows;
  readonly permitSigningKey: kms.Key;
  readonly keyedHashKey: kms.Key;
  readonly httpFunctions = new Map<string, SatupintuFunction>();
  readonly workflowFunctions = new Map<string, SatupintuFunction>();
  readonly scheduledFunctions = new Map<string, SatupintuFunction>();
  /** Function ids that have no declared access (they get none). */
  readonly undeclaredFunctions: string[] = [];
  /** What the grant helpers may point functions at. */
  readonly grantTargets: GrantTargets;

  constructor(scope: Construct, id: string, props: RegencyStackProps) {
    super(scope, id, {
      description: `Satupintu permit workflows for ${props.regency.name} (${props.regency.id})`,
      ...props,
    });
    const { regency, repoRoot } = props;
    Tags.of(this).add('satupintu:regency', regency.id);
    const corsOrigins = props.corsOrigins ?? defaultCorsOrigins(regency);

    this.alerts = new Alerts(this, 'Alerts', {
      regencyId: regency.id,
      regencyName: regency.name,
      administrators: regency.mail.administrators,
    });
    this.data = new DataStores(this, 'Data', { regencyId: regency.id, corsOrigins });

    // Permits are signed with an asymmetric key whose private half never leaves KMS; the public half
    // verifies a permit years later, so the key outlives the stack.
    this.permitSigningKey = new kms.Key(this, 'PermitSigningKey', {
      description: `Satupintu ${regency.id}: permit signatures`,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The places registers are keyed by an HMAC of the NIK under this key, which never leaves KMS: the
    // table alone cannot be searched for a NIK. Losing the key would orphan every register (a person's
    // active permits would no longer be counted), so it outlives the stack like the signing key.
    this.keyedHashKey = new kms.Key(this, 'KeyedHashKey', {
      description: `Satupintu ${regency.id}: keyed hash of NIKs (places of practice)`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.mail = new Mail(this, 'Mail', {
      regencyId: regency.id,
      sender: regency.mail.sender,
      alerts: this.alerts,
    });

    const deployable = props.workflows;
    const workflowRefs: WorkflowRef[] = deployable.map((w) => ({
      permitCode: w.name,
      stateMachineArn: stateMachineArn(this, regency.id, w.name),
      executionArnPattern: executionArnPattern(this, regency.id, w.name),
      stateMachineName: stateMachineName(regency.id, w.name),
    }));

    const targets: GrantTargets = {
      table: this.data.table,
      tableIndexes: this.data.tableIndexes,
      documents: { bucket: this.data.documents, key: this.data.documentsKey },
      workflows: workflowRefs,
      mail: this.mail.sending,
      signingKey: this.permitSigningKey,
      keyedHashKey: this.keyedHashKey,
    };
    this.grantTargets = targets;
    const commonEnvironment = {
      API_BASE_URL: regency.mail.publicBaseUrl.replace(/\/+$/, ''),
      METRICS_NAMESPACE: SLA_BREACH_METRIC.namespace,
    };
    const makeFunction = (
      kind: 'http' | 'workflow' | 'scheduled',
      name: string,
      entry: string,
      declared: FunctionSettings | undefined,
    ): SatupintuFunction => {
      const prefix = { http: 'Http', workflow: 'Workflow', scheduled: 'Scheduled' }[kind];
      const fn = new SatupintuFunction(this, `${prefix}-${name}`, {
        entry,
        repoRoot,
        regency,
        description: `${regency.id}: ${entry}`,
        memorySize: declared?.memorySize,
        timeout: Duration.seconds(declared?.timeoutSeconds ?? (kind === 'http' ? 10 : 30)),
        environment: commonEnvironment,
      });
      if (declared === undefined) {
        this.undeclaredFunctions.push(name);
        Annotations.of(fn).addWarningV2(
          'satupintu:undeclared-access',
          `function '${name}' has no entry in infra/function-access.ts: it gets no access to any resource`,
        );
      }
      for (const access of new Set(declared?.access ?? [])) grantAccess(fn, access, targets);
      return fn;
    };

    const workflowAccess = props.workflowAccess ?? workflowFunctionAccess;
    for (const name of new Set(deployable.flatMap((w) => Object.values(w.substitutions))))
      this.workflowFunctions.set(
        name,
        makeFunction('workflow', name, workflowFunctionEntry(name), workflowAccess[name]),
      );
    this.workflows = new Workflows(this, 'Workflows', {
      regencyId: regency.id,
      definitions: deployable,
      functions: this.workflowFunctions,
    });

    const routeTable = props.routes ?? routes;
    const httpAccess = props.httpAccess ?? httpFunctionAccess;
    for (const name of new Set(routeTable.map((r) => r.fn)))
      this.httpFunctions.set(name, makeFunction('http', name, httpFunctionEntry(name), httpAccess[name]));
    this.api = new HttpApi(this, 'Http', {
      regencyId: regency.id,
      routes: routeTable,
      functions: this.httpFunctions,
      corsOrigins,
      customDomain: props.customDomain,
    });

    for (const [name, settings] of Object.entries(scheduledFunctionAccess)) {
      const fn = makeFunction('scheduled', name, scheduledFunctionEntry(name), settings);
      this.scheduledFunctions.set(name, fn);
      new events.Rule(this, `Schedule-${name}`, {
        description: `${regency.id}: ${scheduledFunctionEntry(name)}`,
        schedule: events.Schedule.rate(Duration.minutes(scheduledEveryMinutes[name] ?? 10)),
        targets: [new eventTargets.LambdaFunction(fn.fn)],
      });
    }

    this.addAlarms(regency.id);
    this.addOutputs(regency, workflowRefs);
  }

  private addAlarms(regencyId: string): void {
    const alarm = this.alerts.alarm.bind(this.alerts);
    const fiveMinutes = Duration.minutes(5);
    for (const [code, machine] of this.workflows.stateMachines) {
      alarm(`${code}ExecutionsFailed`, {
        metric: machine.metricFailed({ period: fiveMinutes }),
        description: `Alur ${code} gagal: sebuah permohonan perlu ditangani administrator. Lihat riwayat eksekusi di Step Functions.`,
      });
      alarm(`${code}ExecutionsTimedOut`, {
        metric: machine.metricTimedOut({ period: fiveMinutes }),
        description: `Alur ${code} melewati batas waktu eksekusi: sebuah permohonan perlu ditangani administrator.`,
      });
    }
    alarm('StageDeadlineBreached', {
      metric: new cloudwatch.Metric({
        namespace: SLA_BREACH_METRIC.namespace,
        metricName: SLA_BREACH_METRIC.metricName,
        dimensionsMap: { [SLA_BREACH_METRIC.dimension]: regencyId },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      description:
        'Batas waktu tahap SOP terlewati (pelanggaran SLA). Atasan sudah diberi tahu oleh alur kerja.',
    });
    alarm('Api5xx', {
      metric: this.api.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      description: 'API mengembalikan galat 5xx: ada kesalahan sistem. Lihat log akses API dan log fungsi.',
    });
    for (const [name, fn] of [...this.httpFunctions, ...this.workflowFunctions, ...this.scheduledFunctions]) {
      alarm(`${fn.node.id}Errors`, {
        metric: fn.fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        description: `Fungsi ${name} gagal. Lihat log fungsinya.`,
      });
      alarm(`${fn.node.id}Throttles`, {
        metric: fn.fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        description: `Fungsi ${name} dibatasi (throttled): kapasitas konkurensi akun habis.`,
      });
    }
    // Each bounce is already mailed to the administrators with its address; this alarm is for a pattern
    // (DNS or DKIM broken, a bad address list) rather than one mistyped address.
    alarm('MailBounces', {
      metric: this.mail.metricFeedback(Duration.hours(1)),
      threshold: 3,
      description: 'Beberapa e-mail memantul atau diadukan dalam satu jam: periksa DNS/DKIM domain pengirim.',
    });
  }

  private addOutputs(regency: Regency, workflowRefs: readonly WorkflowRef[]): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    if (this.api.domain !== undefined)
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.api.domain.regionalDomainName,
        description: 'CNAME target for the custom domain',
      });
    new CfnOutput(this, 'DocumentsBucketName', { value: this.data.documents.bucketName });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    for (const ref of workflowRefs)
      new CfnOutput(this, `StateMachineArn${ref.permitCode.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: this.workflows.stateMachines.get(ref.permitCode)?.stateMachineArn ?? ref.stateMachineArn,
        description: `Workflow of permit ${ref.permitCode}`,
      });
    new CfnOutput(this, 'MailIdentity', {
      value: this.mail.identity.emailIdentityName,
      description: `SES domain identity; the product sends as ${regency.mail.sender}`,
    });
    new CfnOutput(this, 'MailConfigurationSet', { value: this.mail.configurationSet.configurationSetName });
    this.mail.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `MailDkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: 'Add to the sender domain DNS to verify it (Easy DKIM)',
      });
    });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'PermitSigningKeyArn', { value: this.permitSigningKey.keyArn });
  }
}

/** The origins a browser front end may call from: where the API says it lives and the office's website. */
export function defaultCorsOrigins(regency: Regency): string[] {
  const origins = [regency.mail.publicBaseUrl, regency.office.website]
    .filter((u): u is string => u !== undefined)
    .map((u) => new URL(u).origin);
  return [...new Set(origins)];
}
