/**
 * The regency configuration: one file per regency under `regencies/`, holding the office, its
 * officials and every permit SOP it runs, as data. This schema is the contract between the people who
 * transcribe an SOP and the code that runs it; `validate.ts` adds the checks that span fields.
 */
import { z } from 'zod';
import { templateProblem } from './permit-number-template.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug (letters, digits, single hyphens)');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');
const email = z.email('must be an e-mail address');
const text = z.string().trim().min(1, 'must not be empty');

/** Where a figure or item comes from: a seed SOP (file prefix and step/item numbers) or a regulation. */
export const sourceSchema = z
  .strictObject({
    /** Seed file prefix under shared/seeds, e.g. '001'. */
    seed: z
      .string()
      .regex(/^\d{3}$/)
      .optional(),
    /** Step numbers of the SOP's procedure that this stage encodes. */
    steps: z.array(z.number().int().positive()).min(1).optional(),
    /** Item numbers of the SOP's requirement list. */
    items: z.array(z.number().int().positive()).min(1).optional(),
    /** A section of the SOP, e.g. 'Waktu Penyelesaian'. */
    section: z.string().optional(),
    /** A regulation, when the seed is silent and the law decides. */
    law: z.string().optional(),
    note: z.string().optional(),
  })
  .refine((s) => s.seed !== undefined || s.law !== undefined, 'must name a seed or a law');
export type Source = z.infer<typeof sourceSchema>;

/** A stage's time: whole working days ("3 hari kerja") or office minutes ("35 menit"). */
export const stageDurationSchema = z.union([
  z.strictObject({ workingDays: z.number().int().positive('must be a positive number of working days') }),
  z.strictObject({ officeMinutes: z.number().int().positive('must be a positive number of office minutes') }),
]);

/** An overall limit may mix units, as Pasuruan's "8 Hari 90 menit" does. */
export const overallLimitSchema = z
  .strictObject({
    workingDays: z.number().int().nonnegative().default(0),
    officeMinutes: z.number().int().nonnegative().default(0),
  })
  .refine((l) => l.workingDays + l.officeMinutes > 0, 'must be a positive duration');

const officeInterval = z
  .strictObject({ open: clockTime, close: clockTime })
  .refine((i) => i.open < i.close, 'open must be before close');

export const officeHoursSchema = z.strictObject({
  mon: z.array(officeInterval).min(1),
  tue: z.array(officeInterval).min(1),
  wed: z.array(officeInterval).min(1),
  thu: z.array(officeInterval).min(1),
  fri: z.array(officeInterval).min(1),
});

export const ROLE_KINDS = [
  'front-office',
  'back-office',
  'customer-service',
  'technical-team',
  'policy-analyst',
  'verifier',
  'section-head',
  'division-head',
  'secretary',
  'head-of-office',
] as const;

export const roleSchema = z.strictObject({
  id: slug,
  /** The SOP's own name for the role, shown to officials and applicants. */
  label: text,
  kind: z.enum(ROLE_KINDS),
  /** The role that a breach at this role's stages escalates to; the head of office has none. */
  supervisor: slug.optional(),
});

/** NIP: birth date YYYYMMDD + appointment YYYYMM + sex digit + serial (3), 18 digits. */
export const nipSchema = z
  .string()
  .regex(/^\d{18}$/, 'must be 18 digits')
  .refine((nip) => {
    const y = Number(nip.slice(0, 4));
    const m = Number(nip.slice(4, 6));
    const d = Number(nip.slice(6, 8));
    const apptM = Number(nip.slice(12, 14));
    const sex = nip[14];
    const birth = new Date(Date.UTC(y, m - 1, d));
    return (
      birth.getUTCFullYear() === y &&
      birth.getUTCMonth() === m - 1 &&
      birth.getUTCDate() === d &&
      apptM >= 1 &&
      apptM <= 12 &&
      (sex === '1' || sex === '2') &&
      nip.slice(15) !== '000'
    );
  }, 'is not a plausible NIP (birth date, appointment month, sex digit 1/2, serial)');

export const officialSchema = z.strictObject({
  id: slug,
  name: text,
  nip: nipSchema,
  email,
  roles: z.array(slug).min(1),
});

export const COMPLAINT_CHANNEL_KINDS = [
  'counter',
  'box',
  'letter',
  'phone',
  'sms',
  'whatsapp',
  'email',
  'website',
  'social-media',
  'mass-media',
  'room',
] as const;

export const complaintChannelSchema = z.strictObject({
  kind: z.enum(COMPLAINT_CHANNEL_KINDS),
  label: text,
  value: z.string().optional(),
});

/** Answers an applicant gives that make a requirement apply. The API validates answers against these. */
export const questionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a camelCase identifier'),
  label: text,
});

export const MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;

export const requirementSchema = z.strictObject({
  id: slug,
  label: text,
  mediaTypes: z.array(z.enum(MEDIA_TYPES)).min(1),
  maxSizeMb: z.number().positive().max(20),
  /** Absent: always required. Present: required only when the applicant answers this question yes. */
  when: z.strictObject({ answer: z.string() }).optional(),
  source: sourceSchema,
});

export const STAGE_KINDS = [
  'completeness-check',
  'verification',
  'decide-inspection',
  'schedule-inspection',
  'inspection',
  'draft',
  'initial',
  'sign',
  'number',
  'issue',
] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** Stages the system performs itself: they never wait for a person. */
export const AUTOMATIC_STAGE_KINDS: readonly StageKind[] = ['number', 'issue'];

export const OUTCOMES = [
  'approve',
  'returnForCompletion',
  'reject',
  'inspectionNeeded',
  'inspectionNotNeeded',
  /** Internal send-back: the draft goes back to an earlier office stage for correction (clock runs on). */
  'revise',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What a stage produces; `upload: true` means the deciding official must upload it (e.g. a BAP). */
export const stageOutputSchema = z.strictObject({
  id: slug,
  label: text,
  upload: z.boolean().default(false),
});

export const stageSchema = z.strictObject({
  id: slug,
  name: text,
  /** The acting role (for automatic stages: the role the SOP names as responsible). */
  role: slug.optional(),
  kind: z.enum(STAGE_KINDS),
  /** Absent only for automatic stages whose SOP step gives no time. */
  duration: stageDurationSchema.optional(),
  /**
   * Where each allowed outcome leads: a stage id. For `returnForCompletion` the file goes to the
   * applicant and, once resubmitted, resumes at the named stage. `issue` stages end the workflow and
   * have none.
   */
  outcomes: z
    .strictObject({
      approve: slug.optional(),
      returnForCompletion: slug.optional(),
      reject: slug.optional(),
      inspectionNeeded: slug.optional(),
      inspectionNotNeeded: slug.optional(),
      revise: slug.optional(),
    })
    .default({}),
  /** For `issue` stages: which document ends the application. */
  document: z.enum(['permit', 'rejection-letter']).optional(),
  produces: z.array(stageOutputSchema).default([]),
  /** What the acting official is asked to do, shown on the decision page; default: from the stage kind. */
  instruction: z.string().trim().min(1).optional(),
  /**
   * Confirming a decision needs a 6-digit code mailed to the acting official at that moment, so a
   * forwarded mail alone cannot decide. Default: on for `sign` stages, off elsewhere.
   */
  signingCode: z.boolean().optional(),
  source: sourceSchema,
});

export const validitySchema = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('fixed-years'), years: z.number().int().positive(), basis: text }),
  z.strictObject({ rule: z.literal('follows-str'), basis: text }),
]);

export const permitSchema = z
  .strictObject({
    /** Short code, e.g. SIKOT, SIPOT, SIKO; unique in the regency. */
    code: z.string().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'must be an upper-case code like SIKOT'),
    name: text,
    profession: z.enum(['occupational-therapist', 'optometrist']),
    /** The office's SOP reference (SK or SOP number), when the source gives one. */
    sopReference: z.string().optional(),
    legalBasis: z.array(text).min(1),
    product: text,
    fee: z.strictObject({ amountIdr: z.number().int().nonnegative(), note: z.string().optional() }),
    questions: z.array(questionSchema).default([]),
    requirements: z.array(requirementSchema).min(1),
    /** In procedure order; the first stage is where a submitted application starts. */
    stages: z.array(stageSchema).min(1),
    limit: overallLimitSchema,
    limitSource: sourceSchema,
    surveyBeforeDownload: z.boolean(),
    /**
     * Placeholders (core/domain/permit/permit-number.ts): {seq} or {seq:N} (gap-free, zero-padded to N),
     * {year}, {yy}, {month}, {month:roman}, {code}. Checked together with `permitNumberSequence` below.
     */
    permitNumberTemplate: z.string().min(1),
    /**
     * `yearly` (default): the sequence restarts each year per office and permit type, so the template
     * must contain the year; `continuous`: it never restarts (for styles like `500.16.7.2/{seq}-PPO`).
     */
    permitNumberSequence: z.enum(['yearly', 'continuous']).default('yearly'),
    validity: validitySchema,
    maxPlaces: z.strictObject({ count: z.number().int().positive(), basis: text }),
    signature: z.enum(['electronic', 'handwritten']),
    source: sourceSchema,
  })
  .superRefine((permit, ctx) => {
    const problem = templateProblem(permit.permitNumberTemplate, permit.permitNumberSequence);
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', path: ['permitNumberTemplate'], message: problem });
  });

const reminderSchema = z.union([
  z.strictObject({ fractionElapsed: z.number().gt(0).lt(1) }),
  z.strictObject({ workingDaysBefore: z.number().int().positive() }),
]);

export const deadlinePolicySchema = z.strictObject({
  /**
   * What happens when an official lets a deadline pass. `escalate`: record the breach, tell the
   * supervisor chain and keep reminding. `escalate-and-deem-granted`: the same, and once the permit's
   * overall limit has passed the application is deemed granted (fiktif positif, UU 30/2014 Pasal 53
   * as amended by UU 6/2023).
   */
  onBreach: z.enum(['escalate', 'escalate-and-deem-granted']),
  legalBasis: text,
  remindersBeforeDeadline: z.array(reminderSchema).default([]),
  /** Cadence of reminders (and one more escalation level each time) after a breach. */
  remindEveryAfterBreach: stageDurationSchema,
  /**
   * The applicant's own deadline to complete a returned file; the office clock pauses meanwhile.
   * Default: 10 working days (no seed SOP sets one; it matches the common practice of permit portals
   * and is long enough to obtain a corrected letter from a facility or a professional body).
   */
  applicantCompletionDeadline: stageDurationSchema.default({ workingDays: 10 }),
  /**
   * How long an official's link lives past the stage deadline (or past the mail, for reminders sent
   * after it). Default: 2 working days, so a reminder's link outlives a weekend.
   */
  linkGrace: stageDurationSchema.default({ workingDays: 2 }),
});

export const regencySchema = z.strictObject({
  id: slug,
  name: text,
  /** Kemendagri region code, e.g. 17.71. */
  kemendagriCode: z.string().regex(/^\d{2}\.\d{2}$/, 'must look like 17.71'),
  /** Set when the source SOP does not name its office, so the regency is an illustration. */
  example: z.boolean().default(false),
  office: z.strictObject({
    name: text,
    address: text,
    phone: z.string().optional(),
    website: z.url().optional(),
    /** Where letters are signed ("Ditetapkan di"). @default the regency's name without "Kota"/"Kabupaten" */
    city: text.optional(),
    /** The letterhead's logo: a PNG (at most 200 KB), base64-encoded. Absent: a text-only letterhead. */
    logoPngBase64: z
      .string()
      .max(280_000)
      .refine(
        (b64) => Buffer.from(b64, 'base64').subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
        'must be a base64-encoded PNG',
      )
      .optional(),
  }),
  timeZone: z.enum(['Asia/Jakarta', 'Asia/Pontianak', 'Asia/Makassar', 'Asia/Jayapura']),
  officeHours: officeHoursSchema,
  localHolidays: z.array(z.strictObject({ date: localDate, name: text })).default([]),
  mail: z.strictObject({
    /** SES identity the product sends from, e.g. `DPMPTSP Kota X <izin@dpmptsp.x.go.id>`. */
    sender: text,
    /** Public base URL of the API, used in links in mail and on permits. */
    publicBaseUrl: z.url(),
    /** Administrators who receive alarms and attention-needed notices. */
    administrators: z.array(email).min(1),
  }),
  complaintChannels: z.array(complaintChannelSchema).default([]),
  roles: z.array(roleSchema).min(1),
  officials: z.array(officialSchema).min(1),
  /** The official who signs permits and letters (the head of office). */
  signatory: slug,
  deadlinePolicy: deadlinePolicySchema,
  permits: z.array(permitSchema).min(1),
});

export type Regency = z.infer<typeof regencySchema>;
export type Permit = Regency['permits'][number];
export type Stage = Permit['stages'][number];
export type Requirement = Permit['requirements'][number];
export type Role = Regency['roles'][number];
export type Official = Regency['officials'][number];
export type StageDuration = z.infer<typeof stageDurationSchema>;
export type OverallLimit = z.infer<typeof overallLimitSchema>;
export type DeadlinePolicy = Regency['deadlinePolicy'];

/** Whether confirming a decision at this stage needs a mailed one-time code. */
export const needsSigningCode = (stage: Pick<Stage, 'kind' | 'signingCode'>): boolean =>
  stage.signingCode ?? stage.kind === 'sign';

export const isAutomaticStage = (stage: Pick<Stage, 'kind'>): boolean =>
  AUTOMATIC_STAGE_KINDS.includes(stage.kind);
