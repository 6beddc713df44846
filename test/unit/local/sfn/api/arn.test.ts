import { describe, expect, it } from 'vitest';
import { parseExecutionArn, parseStateMachineArn } from '../../../../../local/sfn/api/arn.ts';
import { ApiError } from '../../../../../local/sfn/api/errors.ts';

describe('ARNs', () => {
  const invalid = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return (error as ApiError).code;
    }
    return 'accepted';
  };

  it('parses state machine and execution ARNs and names the reason for bad ones', () => {
    expect(parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:stateMachine:sip')).toMatchObject(
      {
        name: 'sip',
      },
    );
    expect(parseExecutionArn('arn:aws:states:ap-southeast-3:000000000000:execution:sip:app-1')).toMatchObject(
      {
        stateMachineName: 'sip',
        name: 'app-1',
      },
    );
    expect(invalid(() => parseStateMachineArn('sip'))).toBe('InvalidArn');
    expect(
      invalid(() => parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:execution:a:b')),
    ).toBe('InvalidArn');
    expect(invalid(() => parseExecutionArn('arn:aws:states:ap-southeast-3:0:execution:a:b'))).toBe(
      'InvalidArn',
    );
    expect(
      invalid(() => parseStateMachineArn('arn:aws:states:ap-southeast-3:000000000000:stateMachine:sip:1')),
    ).toBe('StateMachineDoesNotExist');
    expect(new ApiError('X', 'y').status).toBe(400);
  });
});
