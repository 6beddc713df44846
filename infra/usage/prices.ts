/**
 * Unit prices for the cost table (USD), with where each figure comes from. Read on the date below from
 * the AWS pricing pages (or summaries of them) available to this project. The Jakarta
 * (ap-southeast-3) column of those pages was not in what could be retrieved, so these are the
 * US East (N. Virginia) list prices: Jakarta prices are the same or higher (typically up to about
 * 25 %). Confirm with the AWS Pricing Calculator for ap-southeast-3 before budgeting.
 */
export const PRICES_READ_ON = '2026-11-22';

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  /** True when the figure was not read from a retrieved page here (a commonly published list price). */
  readonly unverified?: boolean;
}

export const PRICES = {
  stateTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition',
    source: 'aws.amazon.com/step-functions/pricing: $0.025 per 1,000 (US East; 4,000 free per month)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'invocation',
    source: 'AWS Lambda pricing: $0.20 per 1M requests',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (Arm)',
    source: 'AWS Lambda pricing, Arm: $0.0000133334 per GB-s (US East, first tier)',
  },
  dynamoWrite: {
    usd: 0.625 / 1e6,
    unit: 'write request unit',
    source: 'DynamoDB on-demand: $0.625 per 1M WRU (US East, after the Nov 2024 reduction)',
  },
  dynamoRead: {
    usd: 0.125 / 1e6,
    unit: 'read request unit',
    source: 'DynamoDB on-demand: $0.125 per 1M RRU (US East, after the Nov 2024 reduction)',
  },
  dynamoStorage: {
    usd: 0.25,
    unit: 'GB-month',
    source: 'DynamoDB storage $0.25 per GB-month (US East)',
    unverified: true,
  },
  dynamoPitr: {
    usd: 0.2,
    unit: 'GB-month',
    source: 'DynamoDB continuous backups (PITR) $0.20 per GB-month (US East)',
    unverified: true,
  },
  sesMail: { usd: 0.1 / 1000, unit: 'mail', source: 'Amazon SES: $0.10 per 1,000 messages' },
  httpApiRequest: {
    usd: 1 / 1e6,
    unit: 'request',
    source: 'API Gateway HTTP API: $1.00 per 1M requests (first 300M, US East)',
  },
  s3Storage: {
    usd: 0.023,
    unit: 'GB-month',
    source: 'S3 Standard $0.023 per GB-month (US East, first 50 TB)',
    unverified: true,
  },
  s3Put: { usd: 0.005 / 1000, unit: 'PUT', source: 'S3 $0.005 per 1,000 PUT (US East)', unverified: true },
  s3Get: { usd: 0.0004 / 1000, unit: 'GET', source: 'S3 $0.0004 per 1,000 GET (US East)', unverified: true },
  kmsRequest: {
    usd: 0.03 / 10000,
    unit: 'KMS request',
    source: 'aws.amazon.com/kms/pricing: $0.03 per 10,000 requests (20,000 free per month)',
  },
  kmsKeyMonth: { usd: 1, unit: 'key-month', source: 'aws.amazon.com/kms/pricing: $1 per key per month' },
  logsIngest: {
    usd: 0.5,
    unit: 'GB ingested',
    source: 'CloudWatch Logs $0.50 per GB ingested (US East)',
    unverified: true,
  },
  alarmMonth: {
    usd: 0.1,
    unit: 'alarm-month',
    source: 'CloudWatch standard-resolution alarm $0.10 per month',
    unverified: true,
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret-month',
    source: 'Secrets Manager $0.40 per secret per month',
    unverified: true,
  },
} as const satisfies Record<string, Price>;

/**
 * What the counting run cannot measure yet, because the applicant HTTP API and the decision pages are
 * still being built (issue 6 and later): the figures are estimates, named as such in the table.
 */
export const HTTP_SIDE_ESTIMATE = {
  /** Create, ~8 upload URLs and their confirmations, submit, ~10 status reads, survey, download, 2 per official decision. */
  requestsPerApplication: 40,
  /** Average billed duration per HTTP invocation at 256 MB, including a share of cold starts. */
  msPerRequest: 150,
  readUnitsPerApplication: 60,
  writeUnitsPerApplication: 30,
  /** Receipt on submission and on download. */
  mailsPerApplication: 2,
  /** ~8 requirement files of ~400 KB (KTP, STR, certificates, photo). */
  uploadedMegabytesPerApplication: 3.2,
  s3PutsPerApplication: 8,
  s3GetsPerApplication: 16,
} as const;

/** Log volume per event (JSON lines without payloads). */
export const LOG_BYTES = { perInvocation: 1200, perStateTransition: 400, perApiRequest: 400 } as const;

/** Cold starts: share of workflow invocations that start a new environment, and its billed INIT time. */
export const COLD_START = { share: 0.1, initMs: 800 } as const;
