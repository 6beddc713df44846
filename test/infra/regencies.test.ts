import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { listRegencyIds } from '#config/load.ts';
import { leastPrivilegeFindings } from '../../infra/checks/least-privilege.ts';
import { buildTestApp } from './helpers.ts';

/** Every acknowledgement recorded anywhere in the tree, with its reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('every configured regency', () => {
  it.each(listRegencyIds())(
    '%s synthesizes with zero unacknowledged cdk-nag findings and no least-privilege finding',
    (id) => {
      const built = buildTestApp(id, { cfnValidation: true });
      try {
        // The same plugin `cdk synth` runs, called directly so that the test sees its findings.
        const nag = new AwsSolutionsChecks().validateScope(built.stack);
        expect(nag.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
          [],
        );

        // A full synth: the validation plugins (cdk-nag and CloudFormation's own schema checks) must
        // report nothing, not even the schema warnings CDK would let through.
        const assembly = built.app.synth();
        const template = assembly.getStackArtifact(built.stack.artifactId).template;
        expect(leastPrivilegeFindings(template)).toEqual([]);
        const reportFile = join(built.outdir, 'validation-report.json');
        const report = existsSync(reportFile)
          ? (JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: { violations: unknown[] }[] })
          : { pluginReports: [] };
        expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);

        const annotations = Annotations.fromStack(built.stack);
        expect(annotations.findError('*', Match.anyValue())).toEqual([]);
        expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
      } finally {
        built.cleanup();
      }
    },
  );
});

describe('cdk-nag', () => {
  it('reports a resource that breaks an AwsSolutions rule when nobody acknowledged it', () => {
    const built = buildTestApp('kota-bengkulu');
    try {
      new s3.Bucket(built.stack, 'CarelessBucket');
      const rules = new AwsSolutionsChecks().validateScope(built.stack).violations.map((v) => v.ruleName);
      expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    } finally {
      built.cleanup();
    }
  });

  it('gives a reason for every acknowledged finding', () => {
    const built = buildTestApp('contoh');
    try {
      const acks = acknowledgements(built.stack);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks)
        expect(ack.reason.trim().length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(40);
      // Wildcard acknowledgements name the exact finding, never the whole IAM5 rule.
      expect(acks.filter((a) => /IAM5$/.test(a.id))).toEqual([]);
    } finally {
      built.cleanup();
    }
  });
});
