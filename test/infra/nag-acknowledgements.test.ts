import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp } from './helpers.ts';

describe('cdk-nag acknowledgements', () => {
  afterEach(() => vi.restoreAllMocks());

  it('acknowledge only findings the AwsSolutions pack really reports (no stale suppressions)', () => {
    // Build the stack with acknowledgements recorded but not applied: what nag then reports is what
    // each acknowledgement is for.
    const acknowledged = new Set<string>();
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation((...rules) => {
      for (const rule of rules) acknowledged.add(rule.id);
    });
    const built = buildTestApp('contoh');
    try {
      const reported = new Set(
        new AwsSolutionsChecks().validateScope(built.stack).violations.map((v) => v.ruleName),
      );
      expect(acknowledged.size).toBeGreaterThan(0);
      expect([...acknowledged].filter((id) => !reported.has(id))).toEqual([]);
    } finally {
      built.cleanup();
    }
  });
});
