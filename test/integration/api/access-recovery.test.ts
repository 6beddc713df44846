/**
 * POST /applications/recover through the local stack: the new token arrives in the applicant's
 * mailbox (aws-ses-v2-local), replaces the old one, and the answer never says whether anything matched.
 */
import { describe, expect, it } from 'vitest';
import { problemSchema, recoveryResponse } from '#api/schemas.ts';
import { addressedTo, api, mailbox, uniqueEmail } from '../harness/index.ts';
import { bearer, createDraft, type Draft, json, submit, uploadChecklist } from './client.ts';

const recover = (body: unknown) => api('/applications/recover', json(body));

/** The token of the recovery mail to `draft`'s applicant. */
async function mailedToken(draft: Draft): Promise<string> {
  const mail = await mailbox().waitFor(
    (m) =>
      addressedTo(draft.email)(m) && m.subject === `[${draft.trackingCode}] Token akses baru permohonan izin`,
  );
  const token = /Token akses Anda yang baru:\n\n(\S+)\n/.exec(mail.body.text ?? '')?.[1];
  if (token === undefined) throw new Error(`no token in: ${mail.body.text}`);
  return token;
}

const status = async (draft: Draft, token: string) =>
  (await api(`/applications/${draft.id}`, { headers: bearer(token) })).status;

describe('POST /applications/recover', () => {
  it("mails a new token to a submitted application's applicant; it replaces the old one", async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    expect((await submit(draft)).status).toBe(202);

    const response = await recover({
      trackingCode: draft.trackingCode.toLowerCase(),
      email: draft.email.toUpperCase(),
    });

    expect(response.status).toBe(202);
    const token = await mailedToken(draft);
    expect(await status(draft, token)).toBe(200);
    expect(await status(draft, draft.token)).toBe(403);
  });

  it('answers a match, a wrong address, an unknown code and a final application alike, and mails only the match', async () => {
    const [match, wrongAddress, final] = [await createDraft(), await createDraft(), await createDraft()];
    const withdrawn = await api(`/applications/${final.id}/withdraw`, {
      method: 'POST',
      headers: bearer(final.token),
    });
    expect(withdrawn.status).toBe(200);

    const answers = await Promise.all([
      recover({ trackingCode: match.trackingCode, email: match.email }),
      recover({ trackingCode: wrongAddress.trackingCode, email: uniqueEmail('orang-lain') }),
      recover({ trackingCode: 'BNG-2222-2222', email: uniqueEmail('siapa') }),
      recover({ trackingCode: final.trackingCode, email: final.email }),
    ]);
    const bodies = await Promise.all(answers.map(async (r) => recoveryResponse.parse(await r.json())));

    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    await mailedToken(match);
    for (const other of [wrongAddress, final])
      expect((await mailbox().to(other.email)).map((m) => m.subject)).not.toContain(
        `[${other.trackingCode}] Token akses baru permohonan izin`,
      );
    expect(await status(wrongAddress, wrongAddress.token)).toBe(200);
    expect(await status(final, final.token)).toBe(200);
  });

  it('refuses a 6th request for one address in a day with 429 and Retry-After', async () => {
    const email = uniqueEmail('berulang');
    for (let i = 0; i < 5; i++)
      expect((await recover({ trackingCode: 'BNG-2222-2222', email })).status).toBe(202);

    const refused = await recover({ trackingCode: 'BNG-2222-2222', email });

    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(problemSchema.parse(await refused.json()).code).toBe('rate-limited');
  });

  it('answers 400 naming the field for a malformed address or tracking code', async () => {
    const badEmail = await recover({ trackingCode: 'BNG-2222-2222', email: 'bukan-email' });
    const badCode = await recover({ trackingCode: '???', email: uniqueEmail('x') });

    expect([badEmail.status, badCode.status]).toEqual([400, 400]);
    expect(problemSchema.parse(await badEmail.json()).errors?.[0]?.field).toBe('email');
    expect(problemSchema.parse(await badCode.json()).errors?.[0]?.field).toBe('trackingCode');
  });
});
