/**
 * AWS SDK clients. Endpoints come from the SDK's own settings (`AWS_ENDPOINT_URL_<SERVICE>` locally),
 * so the same code talks to AWS and to the local stack. The container creates each on first use, once
 * per cold start; in-process runs may hand it clients of their own (instrumented, say).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FunctionEnv } from './env.ts';

const createDynamoClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

const createS3Client = (env: Pick<FunctionEnv, 'SATUPINTU_LOCAL'>): S3Client =>
  new S3Client({
    // Locally `<bucket>.127.0.0.1` does not resolve; on AWS virtual-hosted style is the default.
    forcePathStyle: env.SATUPINTU_LOCAL === '1',
    // The SDK's default checksums break presigned PUTs on real S3 (aws-sdk-js-v3#6994) and store
    // aws-chunked framing in s3rver: only send checksums when an operation requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

const createSesClient = (): SESv2Client => new SESv2Client({});

const createSfnClient = (): SFNClient => new SFNClient({});

/** The clients a container uses, each created on first use. */
export interface AwsClients {
  dynamo(): DynamoDBDocumentClient;
  s3(): S3Client;
  ses(): SESv2Client;
  sfn(): SFNClient;
}

const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= create();
    return value;
  };
};

export function awsClients(env: Pick<FunctionEnv, 'SATUPINTU_LOCAL'>): AwsClients {
  return {
    dynamo: once(createDynamoClient),
    s3: once(() => createS3Client(env)),
    ses: once(createSesClient),
    sfn: once(createSfnClient),
  };
}
