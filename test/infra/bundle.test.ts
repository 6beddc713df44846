import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegency } from '#config/load.ts';
import { SatupintuFunction } from '../../infra/constructs/satupintu-function.ts';
import { workflowFunctionEntry } from '../../infra/stacks/regency-stack.ts';
import { CDK_JSON_CONTEXT, REPO_ROOT } from './helpers.ts';

// Real esbuild bundling, once for the file: the health handler (tiny) and a workflow handler (the SDK
// clients, middy, zod and the domain modules), as Lambda will receive them.
const regency = loadRegency('kota-bengkulu').regency;
let outdir: string;
const assetDirs = new Map<string, string>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'satupintu-bundle-'));
  const app = new App({ outdir, context: CDK_JSON_CONTEXT, stackTraces: false });
  const stack = new Stack(app, 'Bundle', { env: { region: 'ap-southeast-3' } });
  const functions = {
    health: new SatupintuFunction(stack, 'Health', {
      entry: 'functions/http/health.ts',
      repoRoot: REPO_ROOT,
      regency,
      description: 'health',
    }),
    issue: new SatupintuFunction(stack, 'Issue', {
      entry: workflowFunctionEntry('issue'),
      repoRoot: REPO_ROOT,
      regency,
      description: 'issue',
    }),
  };
  const template = app.synth().getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
  };
  for (const [name, fn] of Object.entries(functions)) {
    const key =
      template.Resources[stack.getLogicalId(fn.fn.node.defaultChild as never)]?.Properties.Code?.S3Key;
    if (key === undefined) throw new Error(`no asset for ${name}`);
    assetDirs.set(name, join(outdir, `asset.${key.replace(/\.zip$/, '')}`));
  }
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const assetDir = (name: string): string => {
  const dir = assetDirs.get(name);
  if (dir === undefined) throw new Error(`no asset directory for ${name}`);
  return dir;
};

describe('SatupintuFunction bundling', () => {
  it('writes an ESM bundle with its source map and the validated regency beside it', () => {
    for (const name of assetDirs.keys()) {
      const dir = assetDir(name);
      expect(existsSync(join(dir, 'index.mjs')), name).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map')), name).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, 'regency.json'), 'utf8')), name).toEqual(regency);
    }
  });

  it('minifies and bundles the AWS SDK instead of relying on the runtime copy', () => {
    const code = readFileSync(join(assetDir('issue'), 'index.mjs'), 'utf8');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).toContain('DynamoDBClient');
    // Minified: thousands of characters per line (only string literals keep their line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
  });

  it('produces a handler that runs: the health bundle answers 200', async () => {
    const mod = (await import(pathToFileURL(join(assetDir('health'), 'index.mjs')).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const response = await mod.handler({}, {});
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('produces a workflow bundle that loads as an ES module (CommonJS dependencies included)', async () => {
    const mod = (await import(pathToFileURL(join(assetDir('issue'), 'index.mjs')).href)) as {
      handler: unknown;
    };
    expect(typeof mod.handler).toBe('function');
  });
});
