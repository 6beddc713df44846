/**
 * AWS SDK clients, created once per cold start. Endpoints come from the SDK's own settings
 * (`AWS_ENDPOINT_URL_<SERVICE>` locally), so the same code talks to AWS and to the local stack.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let ses: SESv2Client | undefined;
let sfn: SFNClient | undefined;

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return dynamo;
}

export function s3Client(): S3Client {
  s3 ??= new S3Client({
    // Locally `<bucket>.127.0.0.1` does not resolve; on AWS virtual-hosted style is the default.
    forcePathStyle: process.env.SATUPINTU_LOCAL === '1',
    // The SDK's default checksums break presigned PUTs on real S3 (aws-sdk-js-v3#6994) and store
    // aws-chunked framing in s3rver: only send checksums when an operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return s3;
}

export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** Tests that point the functions at another endpoint in one process drop the cached clients. */
export function resetAwsClients(): void {
  dynamo = undefined;
  s3 = undefined;
  ses = undefined;
  sfn = undefined;
}
