/**
 * `npm run admin` against the running local stack (the one `npm start` runs): an operator reassigns a
 * pending stage to an acting official, the earlier links die at once, the new official decides from
 * their own mail through the real API server, and the audit export verifies the chain.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegency } from '#config/load.ts';
import { REPO_ROOT } from '../../../local/stack.ts';
import { createDraft, StackRecords, submit, uploadChecklist } from '../api/client.ts';
import { addressedTo, api, mailbox, stackEndpoints } from '../harness/index.ts';

const run = promisify(execFile);
const records = new StackRecords();
afterAll(() => records.destroy());
const regency = loadRegency('kota-bengkulu').regency;
const email = (id: string) => regency.officials.find((o) => o.id === id)?.email as string;
const TOKEN = /\/o\/([A-Za-z0-9_-]{43})/;

function admin(...args: string[]) {
  const dataDir = dirname(process.env.SATUPINTU_ENDPOINTS_FILE as string);
  return run('npx', ['tsx', 'ops/admin.ts', ...args, '--data-dir', dataDir, '--as', 'uji-operator'], {
    cwd: REPO_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

async function linkTo(official: string, trackingCode: string): Promise<string> {
  const mail = await mailbox().waitFor(
    (m) =>
      addressedTo(email(official))(m) &&
      m.subject.includes(`[${trackingCode}]`) &&
      TOKEN.test(m.body.text ?? ''),
    { timeoutMs: 20_000 },
  );
  return TOKEN.exec(mail.body.text ?? '')?.[1] as string;
}

describe('npm run admin -- sweep-outbox', () => {
  it('sweeps the running stack’s outbox and says what it did', async () => {
    const result = await admin('sweep-outbox');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /outbox swept: \d+ delivered, 0 refused by the mail service, \d+ stuck reported/,
    );
  });
});

describe('npm run admin -- reassign', () => {
  it('revokes the stage officials’ links at once and lets the acting official decide from their mail', async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    expect((await submit(draft)).status).toBe(202);
    await records.waitingAt(draft.id, 'pemeriksaan-kelengkapan');
    const rina = await linkTo('rina-petugas', draft.trackingCode);

    const result = await admin('reassign', draft.trackingCode, 'pemeriksaan-kelengkapan', 'andi-kasi');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('reassigned');
    expect((await api(`/o/${rina}`)).status).toBe(403);
    const andi = await linkTo('andi-kasi', draft.trackingCode);
    const page = await api(`/o/${andi}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const origin = stackEndpoints().api.url;
    const decided = await api(`/o/${andi}`, {
      method: 'POST',
      headers: { origin },
      body: new URLSearchParams({ csrf, outcome: 'approve' }),
    });
    expect(decided.status).toBe(200);
    await records.waitingAt(draft.id, 'pemeriksaan-tim-teknis');
    await linkTo('sari-timteknis', draft.trackingCode);

    const trail = await admin('audit', draft.trackingCode);

    expect(trail.code, trail.stderr).toBe(0);
    expect(trail.stderr).toContain('chain verified');
    const exported = JSON.parse(trail.stdout) as { records: Array<{ type: string; actor?: string }> };
    expect(exported.records).toContainEqual(
      expect.objectContaining({ type: 'reassigned', actor: 'operator:uji-operator' }),
    );
    expect(exported.records).toContainEqual(
      expect.objectContaining({ type: 'decision-recorded', actor: 'andi-kasi' }),
    );
  });

  it('refuses a stage the application is not waiting at, naming where it waits', async () => {
    const draft = await createDraft();
    await uploadChecklist(draft);
    expect((await submit(draft)).status).toBe(202);
    await records.waitingAt(draft.id, 'pemeriksaan-kelengkapan');

    const result = await admin('reassign', draft.trackingCode, 'penetapan-kepala-dinas', 'andi-kasi');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not waiting at this stage (it waits at pemeriksaan-kelengkapan)');
  });
});
