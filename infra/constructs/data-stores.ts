/**
 * The regency's records: the single DynamoDB table and the documents bucket (with its access-log
 * bucket and encryption key). Everything here is retained when the stack is destroyed: it is the
 * office's administrative record and holds personal data that the law says how long to keep.
 */

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { tableDesign } from '#adapters/dynamodb/keys.ts';

/**
 * Object key layout the lifecycle rules rely on (the HTTP handlers must follow it): uploads to an
 * application that is not (yet, or no longer) with the office go under `drafts/`; submitting copies the
 * frozen versions under `applications/`. Abandoned uploads therefore expire on their own.
 */
export const DOCUMENT_PREFIXES = { drafts: 'drafts/', applications: 'applications/' } as const;

export interface DocumentLifecycle {
  /** Days after which an upload under `drafts/` is deleted (the draft was abandoned, or it was copied on submit). @default 30 */
  readonly draftExpirationDays: number;
  /** Days a replaced (non-current) version of a document is kept. @default 365 */
  readonly noncurrentVersionDays: number;
  /** Days the S3 server access logs are kept. @default 365 */
  readonly accessLogDays: number;
}

export const DEFAULT_DOCUMENT_LIFECYCLE: DocumentLifecycle = {
  draftExpirationDays: 30,
  noncurrentVersionDays: 365,
  accessLogDays: 365,
};

export interface DataStoresProps {
  readonly regencyId: string;
  /** Browser origins allowed to PUT presigned uploads. */
  readonly corsOrigins: readonly string[];
  readonly lifecycle?: DocumentLifecycle;
}

export class DataStores extends Construct {
  readonly table: dynamodb.Table;
  readonly tableIndexes: readonly string[];
  readonly documents: s3.Bucket;
  /** Encrypts the documents bucket. Customer-managed so that every decrypt is in CloudTrail and the key policy is ours. */
  readonly documentsKey: kms.Key;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataStoresProps) {
    super(scope, id);
    const lifecycle = props.lifecycle ?? DEFAULT_DOCUMENT_LIFECYCLE;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableDesign.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: dynamodb.AttributeType.STRING },
      // A permit office's traffic is a few hundred requests a day with bursts at opening time: on-demand
      // costs cents where provisioned capacity would cost dollars idle.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // KMS encryption with the AWS managed key: encrypted at rest and logged in CloudTrail, without
      // every function needing a kms:Decrypt grant for a key of ours.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      timeToLiveAttribute: tableDesign.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of tableDesign.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.tableIndexes = tableDesign.globalSecondaryIndexes.map((g) => g.indexName);

    this.documentsKey = new kms.Key(this, 'DocumentsKey', {
      description: `Satupintu ${props.regencyId}: applicants' documents`,
      enableKeyRotation: true,
      // The retained bucket stays encrypted with this key: deleting it would make the documents unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging can only deliver to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(lifecycle.accessLogDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.documents = new s3.Bucket(this, 'Documents', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.documentsKey,
      // One KMS call per bucket key period instead of per object: KMS request costs stay flat.
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: 'abandoned-drafts',
          prefix: DOCUMENT_PREFIXES.drafts,
          expiration: Duration.days(lifecycle.draftExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(lifecycle.noncurrentVersionDays),
          expiredObjectDeleteMarker: true,
        },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Presigned uploads come straight from the applicant's browser.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.GET],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
          exposedHeaders: ['ETag', 'x-amz-version-id'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
