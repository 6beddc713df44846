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
import { ACCESS_KINDS, type AccessKind, type ENV, STATE_MACHINE_ARN } from '#runtime/env.ts';
import type { SatupintuFunction } from './satupintu-function.ts';

/** Variables of the env contract (functions/runtime/env.ts), which lists the access each implies. */
type EnvName = keyof typeof ENV;
const TABLE_NAME: EnvName = 'TABLE_NAME';
const DOCUMENTS_BUCKET: EnvName = 'DOCUMENTS_BUCKET';
const MAIL_CONFIGURATION_SET: EnvName = 'MAIL_CONFIGURATION_SET';
const SIGNING_KEY_ID: EnvName = 'SIGNING_KEY_ID';
const KEYED_HASH_KEY_ID: EnvName = 'KEYED_HASH_KEY_ID';

export { ACCESS_KINDS, type AccessKind };

/**
 * Kinds that name no resource to the function: StopExecution acts on the execution ARN recorded on
 * the application, and SendTaskSuccess on a task token, so a variable would only repeat what the
 * function never reads.
 */
export const ACCESS_KINDS_WITHOUT_VARIABLE: readonly AccessKind[] = ['workflows:stop', 'workflows:respond'];

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
  /** The permit-signing key (ECC_NIST_P256, SIGN_VERIFY). Absent: no function can be granted signing. */
  signingKey?: kms.IKey;
  /** The keyed-hash key (HMAC_256, GENERATE_VERIFY_MAC). Absent: no function can be granted hashing. */
  keyedHashKey?: kms.IKey;
}

const allow = (fn: SatupintuFunction, actions: string[], resources: string[]): void => {
  iam.Grant.addToPrincipal({ grantee: fn.role, actions, resourceArns: resources });
};

export function grantTableRead(
  fn: SatupintuFunction,
  table: dynamodb.ITable,
  indexes: readonly string[],
): void {
  fn.addEnvironment(TABLE_NAME, table.tableName);
  // Index ARNs are listed one by one: no `index/*` wildcard.
  allow(
    fn,
    ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    [table.tableArn, ...indexes.map((name) => `${table.tableArn}/index/${name}`)],
  );
}

export function grantTableWrite(fn: SatupintuFunction, table: dynamodb.ITable): void {
  fn.addEnvironment(TABLE_NAME, table.tableName);
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
  fn.addEnvironment(DOCUMENTS_BUCKET, documents.bucket.bucketName);
  allow(fn, ['s3:GetObject', 's3:GetObjectVersion'], [documents.bucket.arnForObjects('*')]);
  allow(fn, ['kms:Decrypt'], [documents.key.keyArn]);
  suppressObjectWildcard(fn, documents.bucket);
}

export function grantDocumentsWrite(fn: SatupintuFunction, documents: DocumentsStore): void {
  fn.addEnvironment(DOCUMENTS_BUCKET, documents.bucket.bucketName);
  allow(fn, ['s3:PutObject'], [documents.bucket.arnForObjects('*')]);
  // SSE-KMS: S3 asks KMS for a data key on the caller's behalf.
  allow(fn, ['kms:GenerateDataKey'], [documents.key.keyArn]);
  suppressObjectWildcard(fn, documents.bucket);
}

export function grantWorkflowsStart(fn: SatupintuFunction, workflows: readonly WorkflowRef[]): void {
  for (const w of workflows) fn.addEnvironment(STATE_MACHINE_ARN.nameFor(w.permitCode), w.stateMachineArn);
  if (workflows.length > 0)
    allow(
      fn,
      ['states:StartExecution'],
      workflows.map((w) => w.stateMachineArn),
    );
}

export function grantDocumentsDelete(fn: SatupintuFunction, documents: DocumentsStore): void {
  fn.addEnvironment(DOCUMENTS_BUCKET, documents.bucket.bucketName);
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

/** No variable: the task to answer is named by its token, which the function holds. */
export function grantWorkflowsRespond(fn: SatupintuFunction, workflows: readonly WorkflowRef[]): void {
  if (workflows.length > 0)
    allow(
      fn,
      ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      workflows.map((w) => w.stateMachineArn),
    );
}

export function grantMailSend(fn: SatupintuFunction, mail: MailSending): void {
  fn.addEnvironment(MAIL_CONFIGURATION_SET, mail.configurationSetName);
  // SES v2 SendEmail authorizes against both the identity and the configuration set it names.
  allow(fn, ['ses:SendEmail'], [mail.identityArn, mail.configurationSetArn]);
}

const signingKeyOf = (t: GrantTargets): kms.IKey => {
  if (t.signingKey === undefined) throw new Error('no permit-signing key in the grant targets');
  return t.signingKey;
};

/** Signs permits: kms:Sign, and kms:GetPublicKey (the key id recorded with each signature). */
export function grantSigningSign(fn: SatupintuFunction, key: kms.IKey): void {
  fn.addEnvironment(SIGNING_KEY_ID, key.keyArn);
  allow(fn, ['kms:Sign', 'kms:GetPublicKey'], [key.keyArn]);
}

/** Publishes and checks against the public half only: kms:GetPublicKey. */
export function grantSigningPublicKey(fn: SatupintuFunction, key: kms.IKey): void {
  fn.addEnvironment(SIGNING_KEY_ID, key.keyArn);
  allow(fn, ['kms:GetPublicKey'], [key.keyArn]);
}

const keyedHashKeyOf = (t: GrantTargets): kms.IKey => {
  if (t.keyedHashKey === undefined) throw new Error('no keyed-hash key in the grant targets');
  return t.keyedHashKey;
};

/** HMACs with the keyed-hash key: kms:GenerateMac only (not VerifyMac, not the key's material). */
export function grantKeyedHash(fn: SatupintuFunction, key: kms.IKey): void {
  fn.addEnvironment(KEYED_HASH_KEY_ID, key.keyArn);
  allow(fn, ['kms:GenerateMac'], [key.keyArn]);
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
  'signing:sign': (fn, t) => grantSigningSign(fn, signingKeyOf(t)),
  'signing:public-key': (fn, t) => grantSigningPublicKey(fn, signingKeyOf(t)),
  'keyed-hash:generate': (fn, t) => grantKeyedHash(fn, keyedHashKeyOf(t)),
};

/** Applies one declared access kind. */
export function grantAccess(fn: SatupintuFunction, access: AccessKind, targets: GrantTargets): void {
  GRANTS[access](fn, targets);
}
