/**
 * End to end, as a person would, in a real browser (Debian's chromium driven by playwright-core, no
 * browser download): an applicant submits through the HTTP API of the shared local stack; then each
 * official opens the web mailbox (aws-ses-v2-local's page), shows the HTML of their own mail, clicks
 * its button (it opens a new tab, as in a mail client: the page refuses to be framed), reads the
 * decision page, chooses, sends, reads "Keputusan tercatat", and sees the next stage's mail arrive in
 * the mailbox. At the signing stage the official reads the mailed code in the mailbox and types it.
 *
 * Screenshots of the decision page at 360 and 1280 px go to test-artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/stack.ts';
import { applicantFixture } from '../fixtures/application.ts';
import { createDraft, submit, uploadChecklist } from '../integration/api/client.ts';
import { stackEndpoints } from '../integration/harness/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const REPORT = Buffer.from(
  '%PDF-1.7\n% laporan pemeriksaan tim teknis\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n',
);

// Kota Bengkulu (the test stack's regency): who acts at each human stage of SIKOT.
const RINA = 'rina@dpmptsp.bengkulukota.example';
const SARI = 'sari@dinkes.bengkulukota.example';
const ANDI = 'andi@dpmptsp.bengkulukota.example';
const MAYA = 'maya@dpmptsp.bengkulukota.example';
const HENDRA = 'hendra@dpmptsp.bengkulukota.example';

// Only a developer machine without chromium skips; CI installs it (.ci/run) and must run this.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI !== 'true')
  process.stderr.write(
    `officials-browser.test.ts: skipped: ${CHROMIUM} is missing (Debian: apt-get install chromium)\n`,
  );

describe.skipIf(!haveChromium && process.env.CI !== 'true')('officials in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let inbox: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    inbox = await context.newPage();
    await inbox.goto(stackEndpoints().mailbox.url);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** The card of the newest mail to `to` whose subject has all of `subject`, as the mailbox shows it. */
  const mailCard = async (to: string, ...subject: string[]) => {
    let cards = inbox.locator('.email').filter({ hasText: `To: ${to}` });
    for (const part of subject) cards = cards.filter({ hasText: part });
    // The mailbox fetches new mail every second and puts the newest on top.
    await cards.first().waitFor({ timeout: 45_000 });
    return cards.first();
  };

  /** Shows the mail's HTML, as a person does, and clicks its button: the page opens in a new tab. */
  const openLinkIn = async (to: string, ...subject: string[]): Promise<Page> => {
    const card = await mailCard(to, ...subject);
    await card.getByRole('button', { name: 'Toggle HTML view' }).click();
    const link = card.frameLocator('iframe').getByRole('link', { name: 'Buka halaman keputusan' });
    const [page] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await page.waitForLoadState();
    return page;
  };

  const screenshot = async (page: Page, name: string): Promise<void> => {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
      // Nothing may be wider than the screen: no sideways scrolling on a phone.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${name} at ${width} px scrolls sideways`).toBe(0);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  /** Chooses `outcome` by its label, sends the form, and returns the page the answer shows. */
  const decide = async (page: Page, outcome: string, report?: boolean): Promise<void> => {
    expect(await page.getByRole('heading', { name: 'Keputusan Anda' }).count()).toBe(1);
    // No outcome is preselected: a scanner submitting the form as found decides nothing.
    expect(await page.locator('input[name=outcome]:checked').count()).toBe(0);
    await page.getByLabel(outcome).check();
    if (report)
      await page
        .locator('input[type=file][name=report]')
        .setInputFiles({ name: 'laporan.pdf', mimeType: 'application/pdf', buffer: REPORT });
    await page.getByRole('button', { name: /Kirim keputusan|Lanjutkan/ }).click();
    await page.waitForLoadState();
  };

  const title = (page: Page) => page.locator('h1').innerText();

  it('takes an application from the first stage through the signing stage by clicking the links in the mailbox', async () => {
    // GIVEN a submitted application (through the HTTP API, as the applicant's app does)
    const draft = await createDraft({
      applicant: { ...applicantFixture(), fullName: 'Nur Aini Lestari' },
    });
    await uploadChecklist(draft);
    expect((await submit(draft)).status).toBe(202);
    const code = draft.trackingCode;

    // WHEN the front office official opens her mail in the mailbox and clicks its button
    const first = await openLinkIn(RINA, `[${code}]`, 'Menunggu tindakan Anda');

    // THEN the decision page shows the application
    expect(await title(first)).toBe('Keputusan tahap permohonan');
    const body = await first.locator('main').innerText();
    expect(body).toContain(code);
    expect(body).toContain('Nur Aini Lestari');
    expect(body).toContain('Pemeriksaan kelengkapan dokumen dan data pemohon');
    expect(body).toContain('Batas waktu');
    await screenshot(first, 'decision-page');

    // WHEN she approves
    await decide(first, 'Setujui dan teruskan ke tahap berikutnya');

    // THEN the answer says the decision is recorded
    expect(await title(first)).toBe('Keputusan tercatat');
    expect(await first.locator('main').innerText()).toContain(code);
    await screenshot(first, 'decided-page');

    // AND the technical team's mail arrives in the mailbox, with its own link; the team uploads its report
    const team = await openLinkIn(SARI, `[${code}]`, 'Menunggu tindakan Anda');
    expect(await team.locator('main').innerText()).toContain(
      'Pemeriksaan dokumen dan rekomendasi Tim Teknis',
    );
    await screenshot(team, 'report-upload-page');
    await decide(team, 'Setujui dan teruskan ke tahap berikutnya', true);
    expect(await title(team)).toBe('Keputusan tercatat');

    for (const official of [ANDI, MAYA]) {
      const page = await openLinkIn(official, `[${code}]`, 'Menunggu tindakan Anda');
      await decide(page, 'Setujui dan teruskan ke tahap berikutnya');
      expect(await title(page)).toBe('Keputusan tercatat');
    }

    // WHEN the head of office signs: the first send mails him a code
    const sign = await openLinkIn(HENDRA, `[${code}]`, 'Menunggu tindakan Anda');
    await decide(sign, 'Setujui dan tetapkan');
    expect(await sign.getByRole('heading', { name: 'Konfirmasi dengan kode' }).count()).toBe(1);
    await screenshot(sign, 'signing-code-page');
    const codeCard = await mailCard(HENDRA, `[${code}]`, 'Kode konfirmasi');
    const mailedCode = /Kode konfirmasi ([0-9]{6})/.exec(await codeCard.innerText())?.[1];
    expect(mailedCode).toMatch(/^[0-9]{6}$/);
    await sign.getByLabel('Kode konfirmasi').fill(mailedCode as string);
    await sign.getByRole('button', { name: 'Konfirmasi keputusan' }).click();
    await sign.waitForLoadState();

    // THEN the decision is recorded, and the applicant's permit-issued mail arrives
    expect(await title(sign)).toBe('Keputusan tercatat');
    await mailCard(draft.email, `[${code}]`, 'Izin Anda telah terbit');

    // AND the first link, opened again, says who decided instead of "expired"
    const again = await context.newPage();
    await again.goto(first.url());
    expect(await title(again)).toBe('Sudah diputuskan');
    expect(await again.locator('main').innerText()).toContain('sudah diputuskan oleh Rina Marlina');
    await screenshot(again, 'already-decided-page');
  }, 300_000);
});
