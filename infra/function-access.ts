/**
 * What each Lambda function may touch, by function id (the `fn` of the route table for HTTP functions,
 * the workflow function name for `functions/workflow/<name>.ts`). This is the one place a permission is
 * decided: the stack turns each entry into grant helpers (`constructs/grants.ts`) that set the environment
 * variable and the IAM permission together.
 *
 * A function missing here still deploys, with no access to any resource, and synth warns; the infra
 * test `every function declares its access` fails so that the omission is caught in review, not in
 * production.
 */
import type { AccessKind } from './constructs/grants.ts';

export interface FunctionSettings {
  readonly access: readonly AccessKind[];
  /** @default 256 (see SatupintuFunction) */
  readonly memorySize?: number;
  /** @default 10 for HTTP functions, 30 for workflow functions */
  readonly timeoutSeconds?: number;
}

export type FunctionAccessMap = Readonly<Record<string, FunctionSettings>>;

export const httpFunctionAccess: FunctionAccessMap = {
  // Liveness must not depend on anything, so it may touch nothing.
  health: { access: [] },
  // Both are built from the bundled regency configuration and the route table alone.
  openapi: { access: [] },
  permits: { access: [] },
  // Writes the draft, the applicant's data, the token hash, the tracking code and the idempotency
  // record in one transaction; reads the idempotency record and, on a replay, the draft. Mails the
  // applicant the tracking-code note (through the outbox). Token recovery: rate-limit counters, the
  // token hash, its audit record and the mail with the new token.
  'create-application': { access: ['table:read', 'table:write', 'mail:send'] },
  // GET /applications/{id} and GET /track/{code}: reads only.
  application: { access: ['table:read'] },
  // Presigns the upload (PutObject), reads the uploaded object's head and first bytes, records upload
  // and document versions, and deletes an upload that fails the server-side checks.
  documents: {
    access: ['table:read', 'table:write', 'documents:read', 'documents:write', 'documents:delete'],
  },
  // Submit (StartExecution), resubmit (SendTaskSuccess through the pending action), withdraw
  // (StopExecution).
  // Submitting also copies the frozen document versions from drafts/ to applications/ (read + write),
  // mails the applicant the receipt (through the outbox), and takes a place of practice in the
  // applicant's places register, found by the HMAC of the NIK (kms:GenerateMac).
  submission: {
    access: [
      'keyed-hash:generate',
      'table:read',
      'table:write',
      'documents:read',
      'documents:write',
      'workflows:start',
      'workflows:respond',
      'workflows:stop',
      'mail:send',
    ],
  },
  survey: { access: ['table:read', 'table:write'] },
  // Presigns a GET of the issued document and records the download in the audit trail.
  'permit-download': { access: ['table:read', 'table:write', 'documents:read'] },
  // Numbers the complaint (counter), stores it, mails the administrators and the complainant.
  complaints: { access: ['table:read', 'table:write', 'mail:send'] },
  // Officials' decision links: reads the link, action and application; records the decision, document
  // views and signing codes (table); presigns document downloads (read) and stores inspection reports
  // (write); hands the decision to the waiting workflow (SendTaskSuccess); mails signing codes.
  'official-links': {
    access: [
      'table:read',
      'table:write',
      'documents:read',
      'documents:write',
      'workflows:respond',
      'mail:send',
    ],
  },
  // Public verification: reads the permit register, and the signing key's public half for the JWKS.
  verify: { access: ['table:read', 'signing:public-key'] },
};

/**
 * The workflow functions named by `statemachines/` (`WORKFLOW_FUNCTIONS`), with what their handlers call
 * today (`functions/runtime/workflow-container.ts` and the domain modules it serves). Widen an entry only
 * together with the code that needs it.
 */
export const workflowFunctionAccess: FunctionAccessMap = {
  // Records stage entry, decisions, breaches and returns; mails reminders, escalations and notices.
  'stage-actions': { access: ['table:read', 'table:write', 'mail:send'], timeoutSeconds: 30 },
  // Stores the task token under the pending action and mails the stage's officials; hands over a
  // decision that arrived while the token was being replaced (SendTaskSuccess).
  'await-human': {
    access: ['table:read', 'table:write', 'mail:send', 'workflows:respond'],
    timeoutSeconds: 30,
  },
  // Numbers and issues the permit or letter: writes the document, signs it and its QR code (the only
  // function that may sign) and mails the applicant.
  issue: {
    access: ['table:read', 'table:write', 'documents:write', 'mail:send', 'signing:sign'],
    memorySize: 512,
    timeoutSeconds: 60,
  },
};

/** Functions run on a schedule (`functions/scheduled/<name>.ts`), with how often they run. */
export const scheduledFunctionAccess: FunctionAccessMap = {
  // Delivers mail left pending by a request that died (reading and marking the outbox, minting an
  // official's link), and reports mail stuck while sending to the administrators.
  'outbox-sweeper': { access: ['table:read', 'table:write', 'mail:send'], timeoutSeconds: 60 },
};

/** Minutes between runs of each scheduled function. */
export const scheduledEveryMinutes: Readonly<Record<string, number>> = { 'outbox-sweeper': 10 };
