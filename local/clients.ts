/**
 * AWS SDK clients pointed at the local emulators, for the launcher, tests, the demo and scripts.
 * Product code does not use this: it finds the emulators through the `AWS_ENDPOINT_URL_*` variables
 * of local/env.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './env.ts';

export interface LocalClientUrls {
  dynamodb: string;
  s3: string;
  ses?: string;
  sfn?: string;
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  /** Path-style (`<bucket>.127.0.0.1` does not resolve), checksums only when required (aws-sdk-js-v3#6994). */
  s3: S3Client;
  ses: SESv2Client | undefined;
  sfn: SFNClient | undefined;
  destroy(): void;
}

export function localClients(urls: LocalClientUrls): LocalClients {
  const common = { region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: urls.dynamodb });
  const s3 = new S3Client({
    ...common,
    endpoint: urls.s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const ses = urls.ses === undefined ? undefined : new SESv2Client({ ...common, endpoint: urls.ses });
  const sfn = urls.sfn === undefined ? undefined : new SFNClient({ ...common, endpoint: urls.sfn });
  return {
    dynamodb,
    s3,
    ses,
    sfn,
    destroy: () => {
      for (const client of [dynamodb, s3, ses, sfn]) client?.destroy();
    },
  };
}
