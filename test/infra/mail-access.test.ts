/**
 * A function that can reach the outbox's delivery (functions/core/use-cases/mail.ts) sends mail through
 * SES, so it must be granted `mail:send`; without it, the mail fails in AWS with AccessDenied while every
 * local run (where nothing checks IAM) passes. The import graph is read from esbuild's metafile: what the
 * bundle contains is what the function can do.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  httpFunctionAccess,
  scheduledFunctionAccess,
  workflowFunctionAccess,
} from '../../infra/function-access.ts';
import { REPO_ROOT } from './helpers.ts';

const MAIL_DELIVERY = 'functions/core/use-cases/mail.ts';

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const ACCESS = {
  http: httpFunctionAccess,
  workflow: workflowFunctionAccess,
  scheduled: scheduledFunctionAccess,
};

const functionsIn = (dir: keyof typeof ACCESS) =>
  readdirSync(join(REPO_ROOT, 'functions', dir)).map((file) => ({
    fn: file.replace(/\.ts$/, ''),
    entry: `functions/${dir}/${file}`,
    access: ACCESS[dir][file.replace(/\.ts$/, '')]?.access,
  }));

describe('mail access', () => {
  it('grants mail:send to exactly the functions whose code can deliver mail', async () => {
    const all = [...functionsIn('http'), ...functionsIn('workflow'), ...functionsIn('scheduled')];
    const mismatched: string[] = [];
    for (const { fn, entry, access } of all) {
      const sends = (await bundledInputs(entry)).includes(MAIL_DELIVERY);
      const granted = access?.includes('mail:send') ?? false;
      if (sends !== granted)
        mismatched.push(`${fn}: ${sends ? 'sends mail' : 'sends no mail'}, granted ${granted}`);
    }
    expect(all.length).toBeGreaterThan(10);
    expect(mismatched).toEqual([]);
  });
});
