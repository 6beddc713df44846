/**
 * Least-privilege grant helpers. Each one sets the environment variable that names a resource **and**
 * the IAM permission on exactly that resource, in one call, so a function can never be told about a
 * resource it may not use, nor be allowed a resource it is not told about. `test/infra` checks the
 * synthesized template for both mistakes (`infra/checks/least-privilege.ts`).
 *
 * The variable names are the contract with the handlers (and with `local/env.ts`, which sets the same
 * names against the local emulators).
 */

import { type CfnElement, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { SatupintuFunction } from './satupintu-function.ts';

/** Environment variables that name resources, as the handlers read them. */
export const RESOURCE_ENV = {
  table: 'TABLE_NAME',
  documentsBucket: 'DOCUMENTS_BUCKET',
  mailConfigurationSet: 'MAIL_CONFIGURATION_SET',
  permitSigningKey: 'PERMIT_SIGNING_KEY_ARN',
  linkSecret: 'LINK_SECRET_ARN',
  alertsTopic: 'ALERTS_TOPIC_ARN',
} as const;

/** `STATE_MACHINE_ARN_<CODE>` per permit type; a hyphen in a code becomes an underscore. */
export const stateMachineArnEnv = (permitCode: string): string =>
  `STATE_MACHINE_ARN_${permitCode.replace(/-/g, '_')}`;

/** What a function may do. Declared per function in `infra/function-access.ts`. */
export const ACCESS_KINDS = [
  /** GetItem, BatchGetItem and Query on the table and its GSIs. Never Scan. */
  'table:read',
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem and ConditionCheckItem (transactions use these). */
  'table:write',
  /** Read document objects and their earlier versions (also what a presigned GET is signed with). */
  'documents:read',
  /** Write document objects (also what a presigned PUT is signed with). */
  'documents:write',
  /** Start an execution of any of the regency's permit workflows. */
  'workflows:start',
  /** Answer a waiting stage: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat. */
  'workflows:respond',
  /** Stop an execution of the regency's permit workflows (an applicant withdraws). */
  'workflows:stop',
  /** Delete document objects (an upload that failed the server-side checks). */
  'documents:delete',
  /** Send mail from the regency's identity through its configuration set. */
  'mail:send',
  /** Sign permits with the asymmetric KMS key. */
  'permits:sign',
  /** Read the permit key's public half, to verify signatures. */
  'permits:verify',
  /** Read the HMAC key that signs officials' links. */
  'links:sign',
  /** Publish an attention-needed notice to the administrators' topic. */
  'alerts:publish',
] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * Kinds that name no resource to the function: StopExecution acts on the execution ARN recorded on
 * the application, so a variable would only repeat what the function never reads.
 */
export const ACCESS_KINDS_WITHOUT_VARIABLE: readonly AccessKind[] = ['workflows:stop'];

export interface DocumentsStore {
  bucket: s3.IBucket;
  /** The key the bucket is encrypted with (SSE-KMS): object access needs it too. */
  key: kms.IKey;
}

export interface MailSending {
  /** `arn:aws:ses:<region>:<account>:identity/<domain>`. */
  identityArn: string;
  configurationSetName: string;
  configurationSetArn: string;
}

export interface WorkflowRef {
  permitCode: string;
  /** Formatted from the state machine's fixed name, not a reference, so workflow functions can be given it without a cycle. */
  stateMachineArn: string;
  /** `...:execution:<stateMachineName>:*`, the executions StopExecution may act on. */
  executionArnPattern: string;
  stateMachineName: string;
}

/** Everything a grant may point at. */
export interface GrantTargets {
  table: dynamodb.ITable;
  /** Index names of the table, for Query on GSIs. */
  tableIndexes: readonly string[];
  documents: DocumentsStore;
  workflows: readonly WorkflowRef[];
  mail: MailSending;
  permitSigningKey: kms.IKey;
  linkSecret: secretsmanager.ISecret;
  alerts: { topic: sns.ITopic; key: kms.IKey };
}

const allow = (fn: SatupintuFunction, actions: string[], resources: string[]): void => {
  iam.Grant.addToPrincipal({ grantee: fn.role, actions, resourceArns: resources });
};

export function grantTableRead(
  fn: SatupintuFunction,
  table: dynamodb.ITable,
  indexes: readonly string[],
): void {
  fn.addEnvironment(RESOURCE_ENV.table, table.tableName);
  // Index ARNs are listed one by one: no `index/*` wildcard.
  allow(
    fn,
    ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    [table.tableArn, ...indexes.map((name) => `${table.tableArn}/index/${name}`)],
  );
}

export function grantTableWrite(fn: SatupintuFunction, table: dynamodb.ITable): void {
  fn.addEnvironment(RESOURCE_ENV.table, table.tableName);
  allow(
    fn,
    [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
    [table.tableArn],
  );
}

const suppressObjectWildcard = (fn: SatupintuFunction, bucket: s3.IBucket): void => {
  const bucketId = fn.stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
    reason:
      'Object-level S3 actions need an object ARN; keys are generated per application (no personal data), so the grant covers the objects of this one documents bucket and nothing else.',
  });
};

export function grantDocumentsRead(fn: SatupintuFunction, documents: DocumentsStore): void {
  fn.addEnvironment(RESOURCE_ENV.documentsBucket, documents.bucket.bucketName);
  allow(fn, ['s3:GetObject', 's3:GetObjectVersion'], [documents.bucket.arnForObjects('*')]);
  allow(fn, ['kms:Decrypt'], [documents.key.keyArn]);
  suppressObjectWildcard(fn, documents.bucket);
}

export function grantDocumentsWrite(fn: SatupintuFunction, documents: DocumentsStore): void {
  fn.addEnvironment(RESOURCE_ENV.documentsBucket, documents.bucket.bucketName);
  allow(fn, ['s3:PutObject'], [documents.bucket.arnForObjects('*')]);
  // SSE-KMS: S3 asks KMS for a data key on the caller's behalf.
  allow(fn, ['kms:GenerateDataKey'], [documents.key.keyArn]);
  suppressObjectWildcard(fn, documents.bucket);
}

export function grantWorkflowsStart(fn: SatupintuFunction, workflows: readonly WorkflowRef[]): void {
  for (const w of workflows) fn.addEnvironment(stateMachineArnEnv(w.permitCode), w.stateMachineArn);
  if (workflows.length > 0)
    allow(
      fn,
      ['states:StartExecution'],
      workflows.map((w) => w.stateMachineArn),
    );
}

export function grantDocumentsDelete(fn: SatupintuFunction, documents: DocumentsStore): void {
  fn.addEnvironment(RESOURCE_ENV.documentsBucket, documents.bucket.bucketName);
  allow(fn, ['s3:DeleteObject'], [documents.bucket.arnForObjects('*')]);
  suppressObjectWildcard(fn, documents.bucket);
}

/** How cdk-nag prints an ARN part: the literal when the stack knows it, `<AWS::Pseudo>` when it is a token. */
const literalOr = (value: string, pseudo: string): string =>
  Token.isUnresolved(value) ? `<${pseudo}>` : value;

/** No variable: the execution to stop is the one recorded on the application (named after its id). */
export function grantWorkflowsStop(fn: SatupintuFunction, workflows: readonly WorkflowRef[]): void {
  if (workflows.length === 0) return;
  allow(
    fn,
    ['states:StopExecution'],
    workflows.map((w) => w.executionArnPattern),
  );
  for (const w of workflows)
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${literalOr(fn.stack.partition, 'AWS::Partition')}:states:${literalOr(fn.stack.region, 'AWS::Region')}:${literalOr(fn.stack.account, 'AWS::AccountId')}:execution:${w.stateMachineName}:*]`,
      reason:
        'StopExecution acts on an execution ARN; executions are named after application ids at submission, so the grant covers the executions of this one permit workflow and nothing else.',
    });
}

export function grantWorkflowsRespond(fn: SatupintuFunction, workflows: readonly WorkflowRef[]): void {
  for (const w of workflows) fn.addEnvironment(stateMachineArnEnv(w.permitCode), w.stateMachineArn);
  if (workflows.length > 0)
    allow(
      fn,
      ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      workflows.map((w) => w.stateMachineArn),
    );
}

export function grantMailSend(fn: SatupintuFunction, mail: MailSending): void {
  fn.addEnvironment(RESOURCE_ENV.mailConfigurationSet, mail.configurationSetName);
  // SES v2 SendEmail authorizes against both the identity and the configuration set it names.
  allow(fn, ['ses:SendEmail'], [mail.identityArn, mail.configurationSetArn]);
}

export function grantPermitsSign(fn: SatupintuFunction, key: kms.IKey): void {
  fn.addEnvironment(RESOURCE_ENV.permitSigningKey, key.keyArn);
  allow(fn, ['kms:Sign', 'kms:GetPublicKey'], [key.keyArn]);
}

export function grantPermitsVerify(fn: SatupintuFunction, key: kms.IKey): void {
  fn.addEnvironment(RESOURCE_ENV.permitSigningKey, key.keyArn);
  allow(fn, ['kms:GetPublicKey', 'kms:Verify'], [key.keyArn]);
}

export function grantLinksSign(fn: SatupintuFunction, secret: secretsmanager.ISecret): void {
  fn.addEnvironment(RESOURCE_ENV.linkSecret, secret.secretArn);
  allow(fn, ['secretsmanager:GetSecretValue'], [secret.secretArn]);
}

export function grantAlertsPublish(
  fn: SatupintuFunction,
  alerts: { topic: sns.ITopic; key: kms.IKey },
): void {
  fn.addEnvironment(RESOURCE_ENV.alertsTopic, alerts.topic.topicArn);
  allow(fn, ['sns:Publish'], [alerts.topic.topicArn]);
  // The topic is encrypted: publishing needs a data key from its KMS key.
  allow(fn, ['kms:GenerateDataKey', 'kms:Decrypt'], [alerts.key.keyArn]);
}

const GRANTS: Readonly<Record<AccessKind, (fn: SatupintuFunction, t: GrantTargets) => void>> = {
  'table:read': (fn, t) => grantTableRead(fn, t.table, t.tableIndexes),
  'table:write': (fn, t) => grantTableWrite(fn, t.table),
  'documents:read': (fn, t) => grantDocumentsRead(fn, t.documents),
  'documents:write': (fn, t) => grantDocumentsWrite(fn, t.documents),
  'workflows:start': (fn, t) => grantWorkflowsStart(fn, t.workflows),
  'workflows:respond': (fn, t) => grantWorkflowsRespond(fn, t.workflows),
  'workflows:stop': (fn, t) => grantWorkflowsStop(fn, t.workflows),
  'documents:delete': (fn, t) => grantDocumentsDelete(fn, t.documents),
  'mail:send': (fn, t) => grantMailSend(fn, t.mail),
  'permits:sign': (fn, t) => grantPermitsSign(fn, t.permitSigningKey),
  'permits:verify': (fn, t) => grantPermitsVerify(fn, t.permitSigningKey),
  'links:sign': (fn, t) => grantLinksSign(fn, t.linkSecret),
  'alerts:publish': (fn, t) => grantAlertsPublish(fn, t.alerts),
};

/** Applies one declared access kind. */
export function grantAccess(fn: SatupintuFunction, access: AccessKind, targets: GrantTargets): void {
  GRANTS[access](fn, targets);
}
