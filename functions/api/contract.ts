/**
 * The contract of every route of `functions/api/routes.ts`: its path parameters, headers, body, success
 * response and the problem codes it may answer. `endpoint()` validates requests with it and the
 * OpenAPI document is generated from it; a test checks that the route table and this contract name
 * the same routes.
 */
import { z } from 'zod';
import {
  applicationParams,
  applicationResponse,
  complaintBody,
  complaintIdempotencyHeaders,
  complaintResponse,
  createApplicationBody,
  documentParams,
  documentVersionResponse,
  downloadResponse,
  draftCreatedResponse,
  emptyBody,
  healthResponse,
  idempotencyHeaders,
  permitsResponse,
  recoveryBody,
  recoveryResponse,
  statusResponse,
  submissionResponse,
  surveyBody,
  surveyResponse,
  trackParams,
  trackResponse,
  uploadGrantedResponse,
  uploadParams,
  uploadRequestBody,
  withdrawBody,
} from './schemas.ts';
import { byteCheckResponse, jwksResponse, verificationSchema, verifyParams } from './verification-schemas.ts';

export interface OperationContract {
  operationId: string;
  description: string;
  params?: z.ZodObject;
  headers?: z.ZodObject;
  /** Absent: the route reads no body (any body sent is ignored, as for GET). */
  body?: z.ZodType;
  success: { status: number; description: string; schema: z.ZodType };
  /** Problem codes beyond the ones every route of its kind may answer (see `commonProblems`). */
  problems: ReadonlyArray<readonly [status: number, code: string]>;
}

export const operations = {
  'GET /health': {
    operationId: 'health',
    description: 'Liveness of the API; touches no dependency.',
    success: { status: 200, description: 'The API answers.', schema: healthResponse },
    problems: [],
  },
  'GET /openapi.json': {
    operationId: 'openapi',
    description:
      'This document: OpenAPI 3.1, generated from the same zod schemas the handlers validate with.',
    success: { status: 200, description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) },
    problems: [],
  },
  'GET /permits': {
    operationId: 'listPermits',
    description:
      "The regency's permit types with their requirements (and the questions that make some of them required), stages, acting roles, time limits and fees. Start here.",
    success: { status: 200, description: 'The catalogue.', schema: permitsResponse },
    problems: [],
  },
  'POST /applications': {
    operationId: 'createApplication',
    description:
      'Creates a draft application. Answers with its id, its tracking code and the applicant access token, which is shown only this once. Send an Idempotency-Key to make retries safe: a retry creates nothing and answers 409 idempotent-replay naming the draft (the first token keeps working; POST /applications/recover mails a new one).',
    headers: idempotencyHeaders,
    body: createApplicationBody,
    success: { status: 201, description: 'The draft was created.', schema: draftCreatedResponse },
    problems: [
      [422, 'idempotency-key-reused'],
      [409, 'idempotent-replay'],
    ],
  },
  'POST /applications/recover': {
    operationId: 'recoverAccess',
    description:
      'For an applicant who lost the access token: when the tracking code names an application that is not finished and the e-mail address is the one it was made with (case-insensitive), a new token is mailed to that address and the earlier token stops working. The answer is always the same 202, so it tells nobody whether an address has applications. Limited to 5 requests a day per address and 20 an hour per source IP (429 rate-limited, with Retry-After).',
    body: recoveryBody,
    success: {
      status: 202,
      description: 'Accepted; if the details match, the mail is on its way.',
      schema: recoveryResponse,
    },
    problems: [[429, 'rate-limited']],
  },
  'GET /applications/{id}': {
    operationId: 'getApplication',
    description:
      'The application as its applicant sees it: status, current stage with its role and deadline, overall deadline, timeline of stages, return reasons, documents and decision.',
    params: applicationParams,
    success: { status: 200, description: 'The application.', schema: applicationResponse },
    problems: [],
  },
  'GET /track/{trackingCode}': {
    operationId: 'track',
    description:
      'Public tracker: status and dates of an application by its tracking code, without personal data.',
    params: trackParams,
    success: { status: 200, description: 'The status.', schema: trackResponse },
    problems: [
      [400, 'validation-failed'],
      [404, 'tracking-code-not-found'],
    ],
  },
  'POST /applications/{id}/documents/{requirementId}': {
    operationId: 'requestUpload',
    description:
      "Asks for a presigned upload URL (5 minutes) for one requirement's document. PUT the file there with the given Content-Type, then confirm. Only while the application is a draft or returned.",
    params: documentParams,
    body: uploadRequestBody,
    success: { status: 201, description: 'Where and how to upload.', schema: uploadGrantedResponse },
    problems: [
      [404, 'requirement-not-found'],
      [409, 'documents-frozen'],
      [422, 'requirement-not-applicable'],
      [422, 'upload-not-allowed'],
    ],
  },
  'POST /applications/{id}/documents/{requirementId}/{uploadId}/confirm': {
    operationId: 'confirmUpload',
    description:
      'Checks the uploaded object on the server (size, stored Content-Type, magic bytes: PDF, JPEG or PNG as the requirement allows; a PDF must also parse as a whole PDF document) and accepts it as a new version of the document. A rejected upload is deleted; earlier versions are kept.',
    params: uploadParams,
    body: emptyBody,
    success: { status: 200, description: 'The accepted document version.', schema: documentVersionResponse },
    problems: [
      [404, 'upload-not-found'],
      [409, 'upload-missing'],
      [409, 'documents-frozen'],
      [422, 'empty'],
      [422, 'too-large'],
      [422, 'content-type-mismatch'],
      [422, 'unrecognised-content'],
      [422, 'declared-type-mismatch'],
      [422, 'type-not-accepted'],
      [422, 'malformed-pdf'],
      [422, 'size-mismatch'],
    ],
  },
  'POST /applications/{id}/submit': {
    operationId: 'submitApplication',
    description:
      "Checks the documents against the SOP's requirements (with their conditions), freezes the versions and starts the permit workflow. Safe to retry: a second call starts nothing and answers the current status.",
    params: applicationParams,
    body: emptyBody,
    success: { status: 202, description: 'Submitted; the office processes it.', schema: submissionResponse },
    problems: [
      [409, 'not-draft'],
      [422, 'documents-incomplete'],
    ],
  },
  'POST /applications/{id}/resubmit': {
    operationId: 'resubmitApplication',
    description:
      'After a return for completion, once every document the office asked for has a new accepted version, continues the workflow where it stopped.',
    params: applicationParams,
    body: emptyBody,
    success: {
      status: 202,
      description: 'Resubmitted; the office clock resumes.',
      schema: submissionResponse,
    },
    problems: [
      [409, 'not-returned'],
      [422, 'documents-incomplete'],
      [422, 'deficient-not-replaced'],
    ],
  },
  'POST /applications/{id}/withdraw': {
    operationId: 'withdrawApplication',
    description: 'Withdraws the application: its workflow stops and nothing more happens to it.',
    params: applicationParams,
    body: withdrawBody,
    success: { status: 200, description: 'Withdrawn.', schema: statusResponse },
    problems: [[409, 'already-final']],
  },
  'POST /applications/{id}/survey': {
    operationId: 'answerSurvey',
    description:
      'The satisfaction survey (SKM, Permenpan RB 14/2017): nine elements scored 1-4 and a comment, once per application, after it is finished. Required before the download where the SOP says so.',
    params: applicationParams,
    body: surveyBody,
    success: { status: 201, description: 'Recorded, with this answer’s index.', schema: surveyResponse },
    problems: [
      [409, 'survey-not-open'],
      [409, 'survey-already-answered'],
    ],
  },
  'GET /applications/{id}/permit': {
    operationId: 'downloadDecision',
    description: 'A presigned download URL (5 minutes) of the issued permit or rejection letter.',
    params: applicationParams,
    success: { status: 200, description: 'Where to download the document.', schema: downloadResponse },
    problems: [
      [409, 'not-issued'],
      [409, 'survey-required'],
    ],
  },
  'POST /complaints': {
    operationId: 'fileComplaint',
    description:
      'A complaint to the office, optionally about an application (by tracking code). It gets a reference and the office is notified by e-mail. Limited to 5 complaints a day per contact e-mail address and 20 an hour per source IP (429 rate-limited, with Retry-After). Send an Idempotency-Key to make retries safe.',
    headers: complaintIdempotencyHeaders,
    body: complaintBody,
    success: {
      status: 201,
      description: 'Filed (or, for a repeated Idempotency-Key, found: same reference).',
      schema: complaintResponse,
    },
    problems: [
      [422, 'tracking-code-unknown'],
      [422, 'idempotency-key-reused'],
      [429, 'rate-limited'],
    ],
  },
  'GET /verify/{ref+}': {
    operationId: 'verifyPermit',
    description:
      "Public verification of a permit by its id (the QR code leads here) or its number: genuine, revoked (with date and reason) or superseded; permit type and number, the holder's name masked, validity, issue date and the SHA-256 of the issued PDF. Never the NIK or the date of birth. An HTML page in Bahasa Indonesia when the Accept header asks for text/html, JSON otherwise.",
    params: verifyParams,
    success: {
      status: 200,
      description: 'The permit was issued by this office.',
      schema: verificationSchema,
    },
    problems: [[404, 'permit-not-found']],
  },
  'POST /verify': {
    operationId: 'checkDocument',
    description:
      "Send a PDF as the body (Content-Type application/pdf, at most 2 MiB): answers whether it is byte-identical to a document this office issued, and that permit's verification.",
    success: { status: 200, description: 'Whether the bytes were issued here.', schema: byteCheckResponse },
    problems: [
      [413, 'payload-too-large'],
      [415, 'unsupported-media-type'],
      [422, 'not-a-pdf'],
    ],
  },
  'GET /.well-known/jwks.json': {
    operationId: 'publicKeys',
    description:
      "The office's public signing keys (JWKS, ES256): check a permit's QR code (a compact JWS after the '#') or its document signature offline.",
    success: { status: 200, description: 'The keys.', schema: jwksResponse },
    problems: [],
  },
} as const satisfies Record<string, OperationContract>;

export type RouteKey = keyof typeof operations;

/** Problems any route of a kind may answer, on top of its own. */
export function commonProblems(hasBody: boolean, applicant: boolean): Array<readonly [number, string]> {
  return [
    ...(hasBody
      ? ([
          [400, 'validation-failed'],
          [400, 'invalid-json'],
          [413, 'payload-too-large'],
          [415, 'unsupported-media-type'],
        ] as const)
      : []),
    ...(applicant
      ? ([
          [401, 'token-missing'],
          [403, 'token-invalid'],
        ] as const)
      : []),
    [500, 'internal-error'],
  ];
}
