import { describe, expect, it } from 'vitest';
import { TokenIssuer } from '../../../../../local/sfn/engine/tokens.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

describe('task tokens', () => {
  it('verifies its own tokens across instances and rejects forged or altered ones', () => {
    const dir = tempDir();
    const token = TokenIssuer.load(dir).issue({ executionSeq: 7, taskSeq: 3 });
    const again = TokenIssuer.load(dir);
    expect(again.verify(token)).toEqual({ executionSeq: 7, taskSeq: 3 });
    expect(again.verify(`${token}\n`)).toBeUndefined();
    expect(again.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(TokenIssuer.load(tempDir()).verify(token)).toBeUndefined();
  });
});
