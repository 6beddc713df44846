/**
 * Every request and response shape of the applicant API, once. Handlers validate with these, the
 * OpenAPI document is generated from these (`z.toJSONSchema`), and the integration tests parse real
 * responses with these, so the documentation cannot drift from the behaviour.
 *
 * Bodies are strict: an unknown field is a 400 naming it. A government form must not silently drop
 * what a person typed, and a client with a typo in a field name learns it at once.
 */
import { z } from 'zod';
import { COMPLAINT_CHANNEL_KINDS, MEDIA_TYPES, STAGE_KINDS } from '#config/regency-schema.ts';
import {
  applicantSchema,
  hasControlCharacters,
  lineText,
  mobileNumberSchema,
} from '#core/domain/applicant.ts';
import { SURVEY_ELEMENTS } from '#core/domain/survey.ts';

// ---------------------------------------------------------------- common pieces

/** Several lines of text (a complaint, a comment). */
const longText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Wajib diisi.')
    .max(max, `Paling banyak ${max} karakter.`)
    .refine((s) => !hasControlCharacters(s, true), {
      message: 'Mengandung karakter kontrol.',
      params: { code: 'control-characters' },
    });

const mediaType = z.enum(MEDIA_TYPES);

export const localTimeSchema = z
  .object({
    utc: z.iso.datetime(),
    local: z
      .string()
      .meta({ description: 'The office local time with its offset, e.g. 2026-03-27T16:00:00+07:00' }),
    timeZone: z.string(),
    text: z.string().meta({ examples: ['Jumat, 27 Maret 2026 16.00 WIB'] }),
  })
  .meta({ id: 'LocalTime', description: 'An instant, in UTC and in the office local time.' });

export const fieldErrorSchema = z.object({
  field: z.string().meta({
    description:
      'Where: a body field path (applicant.nik), path.<name> or header.<name>; body for the body as a whole.',
  }),
  code: z.string(),
  message: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string().meta({ description: 'Stable machine code, e.g. validation-failed, token-invalid.' }),
    detail: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
    correlationId: z.string().optional().meta({ description: 'Quote it when contacting the office.' }),
    applicationId: z
      .string()
      .optional()
      .meta({ description: 'idempotent-replay: the draft the Idempotency-Key created.' }),
    trackingCode: z
      .string()
      .optional()
      .meta({ description: 'idempotent-replay: the tracking code of that draft.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });

const statusSchema = z.enum([
  'draft',
  'submitted',
  'in-progress',
  'returned',
  'issued',
  'rejected',
  'lapsed',
  'withdrawn',
  'needs-attention',
]);

// ---------------------------------------------------------------- path parameters and headers

export const applicationParams = z.strictObject({
  id: z.string().meta({ description: 'Application id (UUID) from POST /applications.' }),
});

const requirementId = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Id persyaratan tidak valid.')
  .meta({ description: 'Requirement id from GET /permits.' });

export const documentParams = applicationParams.extend({ requirementId });

export const uploadParams = documentParams.extend({
  uploadId: z.uuid('Id unggahan tidak valid.').meta({ description: 'uploadId from the upload request.' }),
});

export const trackParams = z.strictObject({
  trackingCode: z
    .string()
    .max(32)
    .meta({
      description: 'Tracking code, e.g. BNG-7K3M-Q9TX (case, spaces and hyphens are forgiven).',
      examples: ['BNG-7K3M-Q9TX'],
    }),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'Idempotency-Key: 8-128 karakter ASCII tanpa spasi.')
    .optional()
    .meta({
      description:
        "A random key chosen by the client (e.g. a UUID). A retry with the same key and body creates nothing and answers 409 idempotent-replay with the draft's applicationId and trackingCode: the access token is shown only once (it is stored as a hash) and the first one keeps working; a lost token is replaced through POST /applications/recover, which mails a new one to the applicant. Remembered for 24 hours.",
    }),
});

export const complaintIdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{8,128}$/, 'Idempotency-Key: 8-128 karakter ASCII tanpa spasi.')
    .optional()
    .meta({
      description:
        'A random key chosen by the client (e.g. a UUID). A retry with the same key and body answers with the complaint already filed (same reference, header Idempotent-Replayed: true) instead of filing it again. Remembered for 24 hours.',
    }),
});

// ---------------------------------------------------------------- request bodies

export const createApplicationBody = z
  .strictObject({
    permitCode: z
      .string()
      .regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'Kode izin tidak valid.')
      .meta({ description: 'Permit code from GET /permits.', examples: ['SIKOT'] }),
    applicant: applicantSchema,
    answers: z
      .record(
        z
          .string()
          .max(64)
          .regex(/^[a-z][a-zA-Z0-9]*$/),
        z.boolean(),
      )
      .meta({
        description:
          'An answer (true/false) to every question of the permit (GET /permits: permits[].questions); they decide the conditional requirements.',
        examples: [{ secondPermit: false }],
      }),
    personalDataConsent: z.literal(true, 'Persetujuan pemrosesan data pribadi wajib (UU 27/2022).').meta({
      description:
        'The applicant consents to the processing of their personal data for this application (UU 27/2022).',
    }),
    renews: lineText(100)
      .optional()
      .meta({
        description:
          "A renewal (perpanjangan): the number, as printed, or the id of the applicant's permit of the same profession that this application replaces. It must be in force and held by the applicant's NIK; issuing the new permit supersedes it, and it does not count against the maximum of places while the renewal runs.",
        examples: ['503/0007/SIKOT/DPMPTSP/2026'],
      }),
  })
  .meta({ id: 'CreateApplication' });

export const recoveryBody = z
  .strictObject({
    trackingCode: z
      .string()
      .max(32)
      .meta({
        description: 'Tracking code of the application (case, spaces and hyphens are forgiven).',
        examples: ['BNG-7K3M-Q9TX'],
      }),
    email: z
      .email('Alamat e-mail tidak valid.')
      .max(254)
      .meta({ description: 'The e-mail address the application was made with (case-insensitive).' }),
  })
  .meta({ id: 'AccessRecovery' });

export const uploadRequestBody = z
  .strictObject({
    mediaType: mediaType.meta({
      description: 'Type of the file to upload; the requirement must accept it.',
    }),
    sizeBytes: z
      .int('Ukuran harus bilangan bulat (byte).')
      .positive('Ukuran harus lebih dari 0.')
      .max(20 * 1024 * 1024, 'Ukuran paling besar 20 MB.')
      .meta({ description: 'File size in bytes.' }),
  })
  .meta({ id: 'UploadRequest' });

/** Routes that take no data accept no body or `{}`. */
export const emptyBody = z.strictObject({}).optional();

export const withdrawBody = z
  .strictObject({ reason: lineText(500).optional().meta({ description: 'Why (optional).' }) })
  .optional();

const score = z
  .int('Nilai harus bilangan bulat 1-4.')
  .min(1, 'Nilai paling kecil 1.')
  .max(4, 'Nilai paling besar 4.');

export const surveyBody = z
  .strictObject({
    scores: z
      .strictObject(
        Object.fromEntries(
          SURVEY_ELEMENTS.map((e) => [e.id, score.meta({ description: `${e.code}: ${e.label}` })]),
        ) as Record<(typeof SURVEY_ELEMENTS)[number]['id'], typeof score>,
      )
      .meta({
        description: 'The nine SKM elements (Permenpan RB 14/2017), each 1 (tidak baik) to 4 (sangat baik).',
      }),
    comment: longText(2000).optional().meta({ description: 'Suggestions (saran dan masukan).' }),
  })
  .meta({ id: 'Survey' });

export const complaintBody = z
  .strictObject({
    subject: lineText(150),
    message: longText(4000),
    trackingCode: z
      .string()
      .max(32)
      .optional()
      .meta({ description: 'Tracking code of the application complained about (optional).' }),
    contact: z
      .strictObject({
        name: lineText(150).optional(),
        email: z.email('Alamat e-mail tidak valid.').max(254).optional(),
        mobileNumber: mobileNumberSchema.optional(),
      })
      .optional()
      .meta({
        description:
          'How to reach the complainant (optional); with an e-mail address, a receipt is sent there.',
      }),
  })
  .meta({ id: 'Complaint' });

// ---------------------------------------------------------------- responses

const durationSchema = z.union([z.object({ workingDays: z.int() }), z.object({ officeMinutes: z.int() })]);
const roleRef = z.object({ id: z.string(), label: z.string() });

export const permitsResponse = z
  .object({
    regency: z.object({ id: z.string(), name: z.string(), example: z.boolean() }),
    office: z.object({
      name: z.string(),
      address: z.string(),
      phone: z.string().optional(),
      website: z.string().optional(),
      timeZone: z.string(),
      officeHours: z.record(z.string(), z.array(z.object({ open: z.string(), close: z.string() }))),
      complaintChannels: z.array(
        z.object({ kind: z.enum(COMPLAINT_CHANNEL_KINDS), label: z.string(), value: z.string().optional() }),
      ),
    }),
    permits: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        profession: z.string(),
        product: z.string(),
        sopReference: z.string().optional(),
        legalBasis: z.array(z.string()),
        fee: z.object({ amountIdr: z.int(), note: z.string().optional() }),
        questions: z.array(z.object({ id: z.string(), label: z.string() })),
        requirements: z.array(
          z.object({
            id: z.string(),
            label: z.string(),
            mediaTypes: z.array(mediaType),
            maxSizeMb: z.number(),
            requiredWhen: z
              .object({ answer: z.string(), question: z.string() })
              .optional()
              .meta({ description: 'Required only when the applicant answers yes to this question.' }),
          }),
        ),
        stages: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            kind: z.enum(STAGE_KINDS),
            automatic: z.boolean(),
            role: roleRef.optional(),
            duration: durationSchema.optional(),
          }),
        ),
        limit: z.object({ workingDays: z.int(), officeMinutes: z.int() }),
        surveyBeforeDownload: z.boolean(),
        validity: z.union([
          z.object({ rule: z.literal('fixed-years'), years: z.int(), basis: z.string() }),
          z.object({ rule: z.literal('follows-str'), basis: z.string() }),
        ]),
        maxPlaces: z.object({ count: z.int(), basis: z.string() }),
        signature: z.enum(['electronic', 'handwritten']),
      }),
    ),
  })
  .meta({ id: 'Permits' });

export const draftCreatedResponse = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    status: statusSchema,
    permit: z.object({ code: z.string(), name: z.string() }),
    accessToken: z.string().meta({
      description:
        'The applicant access token: shown only this once. Send it as Authorization: Bearer <token>.',
    }),
    createdAt: localTimeSchema,
    requirements: z
      .array(
        z.object({
          id: z.string(),
          label: z.string(),
          mediaTypes: z.array(mediaType),
          maxSizeMb: z.number(),
        }),
      )
      .meta({ description: 'The documents this application must upload (given its answers).' }),
  })
  .meta({ id: 'DraftCreated' });

export const uploadGrantedResponse = z
  .object({
    uploadId: z.uuid(),
    requirementId: z.string(),
    method: z.literal('PUT'),
    url: z.string().meta({ description: 'Presigned upload URL, valid 5 minutes.' }),
    headers: z
      .object({ 'content-type': mediaType })
      .meta({ description: 'Headers the PUT must carry (the Content-Type is signed).' }),
    expiresAt: z.iso.datetime(),
    maxSizeBytes: z.int(),
    confirmPath: z.string().meta({ description: 'After the PUT succeeded, POST here.' }),
  })
  .meta({ id: 'UploadGranted' });

const versionView = z.object({
  uploadId: z.string(),
  mediaType,
  sizeBytes: z.int(),
  acceptedAt: localTimeSchema,
});

export const documentVersionResponse = z
  .object({ requirementId: z.string(), ...versionView.shape })
  .meta({ id: 'DocumentVersion' });

export const submissionResponse = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    status: statusSchema,
    statusLabel: z.string(),
    submittedAt: localTimeSchema.optional(),
    alreadySubmitted: z
      .boolean()
      .meta({ description: 'true when the application had already been submitted (a retry).' }),
  })
  .meta({ id: 'Submission' });

export const statusResponse = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    status: statusSchema,
    statusLabel: z.string(),
    at: localTimeSchema,
  })
  .meta({ id: 'StatusChange' });

export const applicationResponse = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    status: statusSchema,
    statusLabel: z.string(),
    permit: z.object({ code: z.string(), name: z.string() }),
    createdAt: localTimeSchema,
    submittedAt: localTimeSchema.optional(),
    withdrawnAt: localTimeSchema.optional(),
    applicant: applicantSchema,
    answers: z.record(z.string(), z.boolean()),
    renews: z
      .object({ permitId: z.string(), number: z.string() })
      .optional()
      .meta({ description: 'A renewal: the permit this application replaces.' }),
    currentStage: z
      .object({
        stageId: z.string(),
        name: z.string(),
        role: roleRef.optional(),
        enteredAt: localTimeSchema,
        deadline: localTimeSchema,
      })
      .optional(),
    overallDeadline: z
      .object({ deadline: localTimeSchema, paused: z.boolean() })
      .optional()
      .meta({ description: 'The office overall deadline; paused while the file is with the applicant.' }),
    timeline: z.array(
      z.object({
        stageId: z.string(),
        name: z.string(),
        role: roleRef.optional(),
        visit: z.int(),
        enteredAt: localTimeSchema,
        deadline: localTimeSchema,
        decidedAt: localTimeSchema.optional(),
        outcome: z.string().optional(),
        outcomeLabel: z.string().optional(),
        late: z.boolean(),
      }),
    ),
    events: z.array(z.object({ type: z.string(), at: localTimeSchema, label: z.string() })),
    returned: z
      .object({
        at: localTimeSchema,
        deadline: localTimeSchema,
        note: z.string().optional(),
        deficient: z.array(z.object({ requirementId: z.string(), label: z.string() })),
      })
      .optional(),
    documents: z.array(
      z.object({
        requirementId: z.string(),
        label: z.string(),
        required: z.boolean(),
        mediaTypes: z.array(z.string()),
        maxSizeMb: z.number(),
        submitted: versionView.optional(),
        latest: versionView.optional(),
        versions: z.array(versionView),
      }),
    ),
    decision: z
      .object({
        document: z.enum(['permit', 'rejection-letter']),
        number: z.string().optional(),
        issuedAt: localTimeSchema,
        deemedGranted: z.boolean(),
        downloadPath: z.string(),
      })
      .optional(),
    survey: z.object({ requiredBeforeDownload: z.boolean(), answered: z.boolean() }),
  })
  .meta({ id: 'Application' });

export const trackResponse = z
  .object({
    trackingCode: z.string(),
    permit: z.object({ code: z.string(), name: z.string() }),
    status: statusSchema,
    statusLabel: z.string(),
    submittedAt: localTimeSchema.optional(),
    currentStage: z.object({ name: z.string(), deadline: localTimeSchema }).optional(),
    returnedUntil: localTimeSchema.optional(),
    decidedAt: localTimeSchema.optional(),
  })
  .meta({ id: 'Track', description: 'Public status, without personal data.' });

export const surveyResponse = z
  .object({
    answeredAt: z.iso.datetime(),
    index: z.object({
      respondents: z.int(),
      elementAverages: z.record(z.string(), z.number()),
      ikm: z.number(),
      band: z.enum(['A', 'B', 'C', 'D']),
      bandLabel: z.string(),
    }),
  })
  .meta({ id: 'SurveyRecorded' });

export const downloadResponse = z
  .object({
    document: z.enum(['permit', 'rejection-letter']),
    number: z.string().optional(),
    issuedAt: z.iso.datetime(),
    url: z.string().meta({ description: 'Presigned download URL, valid 5 minutes.' }),
    expiresAt: z.iso.datetime(),
    fileName: z.string(),
  })
  .meta({ id: 'Download' });

export const complaintResponse = z
  .object({
    reference: z.string().meta({ examples: ['ADU-2026-00001'] }),
    filedAt: z.iso.datetime(),
    trackingCode: z.string().optional(),
  })
  .meta({ id: 'ComplaintFiled' });

export const recoveryResponse = z
  .object({
    status: z.literal('accepted'),
    message: z.string().meta({ description: 'The same Indonesian text for every request.' }),
  })
  .meta({ id: 'AccessRecoveryAccepted' });

export const healthResponse = z.object({ status: z.literal('ok') });
