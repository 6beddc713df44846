import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegencyConfigError } from '#config/load.ts';
import { AppUsageError } from '../../infra/build-app.ts';
import { buildTestApp, REPO_ROOT } from './helpers.ts';

// A regencies directory of our own: a valid copy of Bengkulu and a broken one.
let regenciesDir: string;
beforeAll(() => {
  regenciesDir = mkdtempSync(join(tmpdir(), 'satupintu-regencies-'));
  const bengkulu = readFileSync(join(REPO_ROOT, 'regencies/kota-bengkulu.yaml'), 'utf8');
  writeFileSync(join(regenciesDir, 'kota-bengkulu.yaml'), bengkulu);
  writeFileSync(
    join(regenciesDir, 'rusak.yaml'),
    bengkulu
      .replace(/^id: kota-bengkulu$/m, 'id: rusak')
      .replace(/administrators: \[[^\]]*\]/, 'administrators: [bukan-alamat-email]'),
  );
});
afterAll(() => rmSync(regenciesDir, { recursive: true, force: true }));

/** Runs `infra/app.ts` the way the CDK CLI does (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR). */
function runApp(context: Record<string, string>): { status: number | null; stderr: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'satupintu-cdk-out-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SATUPINTU_REGENCIES_DIR: regenciesDir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: outdir,
      },
      encoding: 'utf8',
      timeout: 55_000,
    });
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('infra/app.ts', () => {
  it('fails synth on an invalid configuration with its message (file, path, line), not a stack trace', () => {
    const { status, stderr } = runApp({ regency: 'rusak' });
    expect(status).toBe(1);
    expect(stderr).toContain('invalid regency configuration');
    expect(stderr).toContain(join(regenciesDir, 'rusak.yaml'));
    expect(stderr).toMatch(/mail\.administrators\.0 \(line \d+\): must be an e-mail address/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('fails synth without -c regency, naming the configured regencies', () => {
    const { status, stderr } = runApp({});
    expect(status).toBe(1);
    expect(stderr).toContain('which regency? Use -c regency=<id>. Configured: kota-bengkulu, rusak');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('buildRegencyApp', () => {
  const regionOf = (env: NodeJS.ProcessEnv, context: Record<string, string> = {}): string => {
    const built = buildTestApp('kota-bengkulu', { env, context, regenciesDir });
    built.cleanup();
    return built.stack.region;
  };

  it("deploys to Jakarta by default, ignoring the CLI profile's region", () => {
    expect(regionOf({ CDK_DEFAULT_REGION: 'us-east-1' })).toBe('ap-southeast-3');
  });

  it('takes the region from context first, then from CDK_DEPLOY_REGION', () => {
    expect(regionOf({ CDK_DEPLOY_REGION: 'ap-southeast-1' })).toBe('ap-southeast-1');
    expect(regionOf({ CDK_DEPLOY_REGION: 'ap-southeast-1' }, { region: 'ap-southeast-2' })).toBe(
      'ap-southeast-2',
    );
  });

  it('takes the account from context, CDK_DEPLOY_ACCOUNT or the CLI profile', () => {
    const accountOf = (env: NodeJS.ProcessEnv, context: Record<string, string> = {}): string => {
      const built = buildTestApp('kota-bengkulu', { env, context, regenciesDir });
      built.cleanup();
      return built.stack.account;
    };
    expect(accountOf({ CDK_DEFAULT_ACCOUNT: '111111111111' })).toBe('111111111111');
    expect(accountOf({ CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEPLOY_ACCOUNT: '222222222222' })).toBe(
      '222222222222',
    );
    expect(accountOf({ CDK_DEPLOY_ACCOUNT: '222222222222' }, { account: '333333333333' })).toBe(
      '333333333333',
    );
  });

  it('rejects an unknown regency with the list of configured ones', () => {
    expect(() => buildTestApp('kota-entah', { regenciesDir })).toThrow(RegencyConfigError);
    expect(() => buildTestApp('kota-entah', { regenciesDir })).toThrow(/configured: kota-bengkulu, rusak/);
  });

  it('maps the API to a custom domain when given one with its certificate', () => {
    const certificateArn = 'arn:aws:acm:ap-southeast-3:111111111111:certificate/abc';
    const built = buildTestApp('kota-bengkulu', {
      regenciesDir,
      context: { domainName: 'izin.dpmptsp.bengkulukota.go.id', certificateArn },
    });
    try {
      const template = Template.fromStack(built.stack);
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'izin.dpmptsp.bengkulukota.go.id',
        DomainNameConfigurations: [{ CertificateArn: certificateArn, SecurityPolicy: 'TLS_1_2' }],
      });
      template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
      template.hasOutput('ApiUrl', { Value: 'https://izin.dpmptsp.bengkulukota.go.id' });
    } finally {
      built.cleanup();
    }
  });

  it('refuses a custom domain without its certificate', () => {
    expect(() =>
      buildTestApp('kota-bengkulu', { regenciesDir, context: { domainName: 'izin.example' } }),
    ).toThrow(AppUsageError);
  });
});
