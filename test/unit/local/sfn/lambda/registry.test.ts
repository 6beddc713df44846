import { describe, expect, it } from 'vitest';
import {
  functionArn,
  parseFunctionRef,
  registryFromModules,
} from '../../../../../local/sfn/lambda/registry.ts';

describe('function references', () => {
  it('parses every form Lambda accepts and rejects the rest', () => {
    expect(parseFunctionRef('stage-actions')).toEqual({ name: 'stage-actions' });
    expect(parseFunctionRef('stage-actions:live')).toEqual({ name: 'stage-actions', qualifier: 'live' });
    expect(parseFunctionRef('123456789012:function:issue')).toEqual({
      name: 'issue',
      accountId: '123456789012',
    });
    expect(parseFunctionRef('arn:aws:lambda:ap-southeast-3:123456789012:function:issue:$LATEST')).toEqual({
      name: 'issue',
      qualifier: '$LATEST',
      region: 'ap-southeast-3',
      accountId: '123456789012',
    });
    for (const bad of ['', 'a b', 'arn:aws:s3:::bucket', 'x:y:z', 'arn:aws:lambda:r:1:function']) {
      expect(parseFunctionRef(bad)).toBeUndefined();
    }
    expect(functionArn({ name: 'f', qualifier: '1' }, 'ap-southeast-3', '000000000000')).toBe(
      'arn:aws:lambda:ap-southeast-3:000000000000:function:f:1',
    );
  });

  it('resolves a module handler by name, full, qualified or partial ARN, loading it once', async () => {
    let loads = 0;
    const registry = registryFromModules({
      issue: async () => {
        loads++;
        return { handler: async (event: { n: number }) => event.n + 1 };
      },
    });
    for (const ref of [
      'issue',
      'issue:prod',
      '000000000000:function:issue',
      'arn:aws:lambda:ap-southeast-3:000000000000:function:issue',
      'arn:aws:lambda:ap-southeast-3:000000000000:function:issue:$LATEST',
    ]) {
      const handler = await registry.resolve(ref);
      expect(await handler?.({ n: 1 }, {} as never)).toBe(2);
    }
    expect(loads).toBe(1);
    expect(await registry.resolve('other')).toBeUndefined();
    expect(await registry.resolve('constructor')).toBeUndefined();
  });
});
