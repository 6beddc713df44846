/**
 * The rules of the profession across applications, through the local stack as applicants meet them:
 * the maximum of places of practice per profession and NIK refused at submission (looked up by the
 * keyed hash of the NIK, whose key file lives in the stack's data directory), and a renewal that
 * supersedes the permit it replaces when it is issued, as public verification then shows.
 */
import { statSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { problemSchema } from '#api/schemas.ts';
import { verificationSchema } from '#api/verification-schemas.ts';
import { applicantFixture, nikFor } from '../../fixtures/application.ts';
import { api, stackEndpoints } from '../harness/index.ts';
import { bearer, createDraft, type Draft, json, StackRecords, submit, uploadChecklist } from './client.ts';

const records = new StackRecords();
afterAll(() => records.destroy());

/** A person of their own for each test: a birth date and serial no other test uses. */
function person(serial: number) {
  const birthDate = `1985-0${1 + (serial % 9)}-${String(10 + (Date.now() % 18)).padStart(2, '0')}`;
  return applicantFixture({ nik: nikFor(birthDate, 'female', 9000 + serial), birthDate });
}

async function draftOf(
  applicant: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Draft> {
  const draft = await createDraft({ applicant: { ...applicant }, ...extra });
  await uploadChecklist(draft);
  return draft;
}

async function submitted(applicant: Record<string, unknown>): Promise<Draft> {
  const draft = await draftOf(applicant);
  const response = await submit(draft);
  expect(response.status, await response.clone().text()).toBe(202);
  return draft;
}

const withdraw = (draft: Draft) =>
  api(`/applications/${draft.id}/withdraw`, { method: 'POST', headers: bearer(draft.token) });

describe('the maximum of places per profession and NIK', () => {
  it('refuses a fourth place at submission with the reason and the field, and keeps the draft', async () => {
    const applicant = person(1);
    const held = [await submitted(applicant), await submitted(applicant), await submitted(applicant)];
    const fourth = await draftOf(applicant);

    const response = await submit(fourth);

    expect(response.status).toBe(422);
    const problem = problemSchema.parse(await response.json());
    expect(problem.code).toBe('max-places-reached');
    expect(problem.detail).toMatch(
      /sudah memiliki 3 izin praktik aktif atau dalam proses .* Paling banyak 3/,
    );
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'applicant.nik', code: 'max-places-reached' }),
    ]);
    expect((await records.application(fourth.id)).status).toBe('draft');

    expect((await withdraw(held[0] as Draft)).status).toBe(200);
    expect((await submit(fourth)).status).toBe(202);
  });

  it('lets one of two simultaneous submissions take the last place and refuses the other', async () => {
    const applicant = person(2);
    await submitted(applicant);
    await submitted(applicant);
    const contenders = [await draftOf(applicant), await draftOf(applicant)];

    const statuses = (await Promise.all(contenders.map(submit))).map((r) => r.status).sort();

    expect(statuses).toEqual([202, 422]);
  });

  it('keeps no NIK outside the applicant record, and the key file private', async () => {
    const applicant = person(3);
    await submitted(applicant);

    const items = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await records.doc.send(
        new ScanCommand({ TableName: stackEndpoints().dynamodb.tableName, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    const holding = items.filter((i) => JSON.stringify(i).includes(applicant.nik as string));
    expect(holding.map((i) => i.sk)).toEqual(['APPLICANT']);
    expect(items.filter((i) => String(i.pk).startsWith('PLACES#')).length).toBeGreaterThan(0);
    const keyFile = stackEndpoints().env.KEYED_HASH_KEY_FILE as string;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });
});

describe('a renewal', () => {
  async function issued(draft: Draft) {
    for (let i = 0; i < 5; i++) await records.decide(draft.id, 'approve');
    return records.until(draft.id, (a) => a.issued !== undefined, 'was issued', 30_000);
  }
  const verify = async (ref: string) =>
    verificationSchema.parse(
      await (
        await api(`/verify/${encodeURIComponent(ref)}`, { headers: { accept: 'application/json' } })
      ).json(),
    );

  it('names the permit it replaces, and issuing it supersedes that permit', async () => {
    const applicant = person(4);
    const first = await issued(await submitted(applicant));
    const number = first.permitNumber as string;

    const renewal = await draftOf(applicant, { renews: number });
    expect((await records.application(renewal.id)).renews).toEqual({ permitId: first.permitId, number });
    expect((await submit(renewal)).status).toBe(202);
    const renewed = await issued(renewal);

    const old = await verify(number);
    expect(old).toMatchObject({
      verdict: 'superseded',
      superseded: { byId: renewed.permitId, byNumber: renewed.permitNumber },
    });
    expect(await verify(renewed.permitNumber as string)).toMatchObject({
      verdict: 'genuine',
      permit: { supersedes: { id: first.permitId, number } },
    });
    const page = await (await api(`/verify/${first.permitId}`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain(`digantikan oleh izin nomor`);
    expect(page).toContain(`href="/verify/${renewed.permitId}"`);
  }, 120_000);

  it("refuses at creation a renewal of someone else's permit, as if it did not exist", async () => {
    const first = await issued(await submitted(person(5)));

    const response = await api(
      '/applications',
      json({
        permitCode: 'SIKOT',
        applicant: person(6),
        answers: { secondPermit: false },
        personalDataConsent: true,
        renews: first.permitNumber,
      }),
    );

    expect(response.status).toBe(400);
    expect(problemSchema.parse(await response.json()).errors).toEqual([
      expect.objectContaining({ field: 'renews', code: 'renewed-permit-not-found' }),
    ]);
  }, 120_000);
});
