import { describe, expect, it } from 'vitest';
import { AdminError, runAdmin, stackEnvironment } from '../../../ops/admin.ts';

describe('stackEnvironment', () => {
  const outputs = [
    { OutputKey: 'TableName', OutputValue: 'Satupintu-kota-bengkulu-Table' },
    { OutputKey: 'DocumentsBucketName', OutputValue: 'satupintu-docs' },
    { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.ap-southeast-3.amazonaws.com/' },
    { OutputKey: 'MailConfigurationSet', OutputValue: 'satupintu-mail' },
    { OutputKey: 'StateMachineArnSIKOT', OutputValue: 'arn:aws:states:ap-southeast-3:1:stateMachine:x' },
  ];

  it("names the functions' variables from the stack's outputs", () => {
    expect(stackEnvironment(outputs, 'kota-bengkulu', ['SIKOT'])).toEqual({
      TABLE_NAME: 'Satupintu-kota-bengkulu-Table',
      DOCUMENTS_BUCKET: 'satupintu-docs',
      REGENCY_ID: 'kota-bengkulu',
      API_BASE_URL: 'https://abc.execute-api.ap-southeast-3.amazonaws.com',
      MAIL_CONFIGURATION_SET: 'satupintu-mail',
      STATE_MACHINE_ARN_SIKOT: 'arn:aws:states:ap-southeast-3:1:stateMachine:x',
    });
  });

  it('refuses a stack that is not a regency stack', () => {
    expect(() => stackEnvironment([], 'kota-bengkulu', [])).toThrow(AdminError);
  });
});

describe('runAdmin', () => {
  it('prints the usage and fails without a command', async () => {
    const lines: string[] = [];
    expect(await runAdmin([], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('reassign <tracking code> <stage id> <official id>');
  });

  it('names what reassign is missing', async () => {
    await expect(runAdmin(['reassign', 'BNG-1'], () => {})).rejects.toThrow(
      /needs <tracking code> <stage id> <official id>/,
    );
  });

  it('requires a reason to revoke a permit', async () => {
    await expect(runAdmin(['revoke', '503/0001/SIKOT/2026'], () => {})).rejects.toThrow(
      /revoke needs <permit id or number> <reason>/,
    );
  });

  it('says when no local stack runs', async () => {
    await expect(runAdmin(['audit', 'BNG-1', '--data-dir', '/nonexistent'], () => {})).rejects.toThrow(
      /no running local stack/,
    );
  });
});
