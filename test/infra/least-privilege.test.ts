import { App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { routes } from '#api/routes.ts';
import { loadRegency } from '#config/load.ts';
import { variablesOf as contractVariables } from '#runtime/env.ts';
import {
  type CfnTemplate,
  leastPrivilegeFindings,
  ungrantedEnvironment,
  unjustifiedWildcards,
} from '../../infra/checks/least-privilege.ts';
import {
  ACCESS_KINDS,
  ACCESS_KINDS_WITHOUT_VARIABLE,
  grantAccess,
  grantDocumentsRead,
} from '../../infra/constructs/grants.ts';
import { SatupintuFunction } from '../../infra/constructs/satupintu-function.ts';
import { httpFunctionAccess, workflowFunctionAccess } from '../../infra/function-access.ts';
import { WORKFLOW_FUNCTIONS } from '../../statemachines/index.ts';
import { buildTestApp, CDK_JSON_CONTEXT, REPO_ROOT } from './helpers.ts';

const regency = loadRegency('kota-bengkulu').regency;

interface Scratch {
  stack: Stack;
  fn: SatupintuFunction;
  bucket: s3.Bucket;
  template(): CfnTemplate;
}

/** A bare stack with one product function, built like the real ones (bundling skipped). */
function scratch(): Scratch {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    stackTraces: false,
  });
  Aspects.of(app).add(new WriteNagSuppressionsToCloudFormationAspect());
  const stack = new Stack(app, 'Scratch', { env: { region: 'ap-southeast-3' } });
  const fn = new SatupintuFunction(stack, 'Fn', {
    entry: 'functions/http/health.ts',
    repoRoot: REPO_ROOT,
    regency,
    description: 'scratch',
  });
  const bucket = new s3.Bucket(stack, 'Bucket');
  return {
    stack,
    fn,
    bucket,
    template: () => app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate,
  };
}

/** The function's environment variables as they will be synthesized. */
function variablesOf(fn: SatupintuFunction): Record<string, unknown> {
  const cfn = fn.fn.node.defaultChild as { environment?: unknown };
  const resolved = Stack.of(fn).resolve(cfn.environment) as
    | { variables?: Record<string, unknown> }
    | undefined;
  return resolved?.variables ?? {};
}

describe('least-privilege check', () => {
  describe('environment variables that name resources', () => {
    it('finds a variable naming a bucket the function has no grant for', () => {
      const s = scratch();
      s.fn.addEnvironment('DOCUMENTS_BUCKET', s.bucket.bucketName);
      const findings = ungrantedEnvironment(s.template());
      expect(findings.map((f) => f.message)).toEqual([
        expect.stringMatching(/^environment variable DOCUMENTS_BUCKET/),
      ]);
    });

    it('finds a variable holding a literal ARN without a grant', () => {
      const s = scratch();
      s.fn.addEnvironment('TOPIC_ARN', 'arn:aws:sns:ap-southeast-3:111122223333:elsewhere');
      expect(ungrantedEnvironment(s.template()).map((f) => f.message)).toEqual([
        expect.stringMatching(/^environment variable TOPIC_ARN/),
      ]);
    });

    it('accepts the variable when the grant helper set it together with its permission', () => {
      const s = scratch();
      grantDocumentsRead(s.fn, { bucket: s.bucket, key: new kms.Key(s.stack, 'Key') });
      expect(variablesOf(s.fn)).toHaveProperty('DOCUMENTS_BUCKET');
      expect(ungrantedEnvironment(s.template())).toEqual([]);
    });

    it('ignores plain settings such as URLs and file paths', () => {
      const s = scratch();
      s.fn.addEnvironment('API_BASE_URL', 'https://izin.example');
      expect(ungrantedEnvironment(s.template())).toEqual([]);
    });
  });

  describe('wildcard resources', () => {
    const withWildcard = (): Scratch & { role: iam.Role } => {
      const s = scratch();
      const role = new iam.Role(s.stack, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::elsewhere/*'] }),
      );
      return { ...s, role };
    };
    const finding = 'AwsSolutions-IAM5[Resource::arn:aws:s3:::elsewhere/*]';

    it('finds a wildcard nobody justified', () => {
      expect(unjustifiedWildcards(withWildcard().template()).map((f) => f.message)).toEqual([
        expect.stringMatching(/arn:aws:s3:::elsewhere\/\*/),
      ]);
    });

    it('does not accept an acknowledgement without a real reason', () => {
      const s = withWildcard();
      Validations.of(s.role).acknowledge({ id: finding, reason: 'ok' });
      expect(unjustifiedWildcards(s.template())).toHaveLength(1);
    });

    it('accepts a wildcard acknowledged by name with its reason', () => {
      const s = withWildcard();
      Validations.of(s.role).acknowledge({
        id: finding,
        reason: 'The scratch role reads objects of one named bucket only.',
      });
      expect(unjustifiedWildcards(s.template())).toEqual([]);
    });
  });

  it('every grant helper sets a variable and a permission that covers it', () => {
    const built = buildTestApp('contoh');
    try {
      const probes = ACCESS_KINDS.map((access) => {
        const fn = new SatupintuFunction(built.stack, `Probe-${access.replace(':', '-')}`, {
          entry: 'functions/http/health.ts',
          repoRoot: REPO_ROOT,
          regency: built.loaded.regency,
          description: `probe ${access}`,
        });
        const before = new Set(Object.keys(variablesOf(fn)));
        grantAccess(fn, access, built.stack.grantTargets);
        return { access, added: Object.keys(variablesOf(fn)).filter((v) => !before.has(v)) };
      });
      const permitCodes = built.loaded.regency.permits.map((p) => p.code);
      for (const probe of probes) {
        if (!ACCESS_KINDS_WITHOUT_VARIABLE.includes(probe.access))
          expect(probe.added.length, probe.access).toBeGreaterThan(0);
        // Exactly the variables the env contract (functions/runtime/env.ts) names for this access.
        expect([...probe.added].sort(), probe.access).toEqual(
          contractVariables(probe.access, permitCodes).sort(),
        );
      }
      const template = built.app.synth().getStackArtifact(built.stack.artifactId).template as CfnTemplate;
      expect(leastPrivilegeFindings(template)).toEqual([]);
    } finally {
      built.cleanup();
    }
  });

  it('every function of the route table and of the workflows declares its access', () => {
    for (const fn of new Set(routes.map((r) => r.fn))) expect(httpFunctionAccess, fn).toHaveProperty([fn]);
    for (const fn of new Set(Object.values(WORKFLOW_FUNCTIONS)))
      expect(workflowFunctionAccess, fn).toHaveProperty([fn]);
  });
});
