import { describe, expect, it } from 'vitest';
import { stopInOrder } from '../../../local/processes.ts';

/** A child whose stop takes `ms`, recording when its stop began and ended. */
function child(name: string, ms: number, log: string[]) {
  return {
    name,
    stop: async () => {
      log.push(`stop ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`stopped ${name}`);
    },
  };
}

describe('stopInOrder', () => {
  it('stops the API server and the Step Functions service before any emulator is asked to stop', async () => {
    const log: string[] = [];
    // In the launcher's start order: emulators first, the slow-to-drain service last.
    const children = [
      child('dynamodb', 1, log),
      child('s3', 1, log),
      child('ses', 1, log),
      child('api', 5, log),
      child('sfn', 20, log),
    ];

    await stopInOrder(children);

    const lastOfFirst = Math.max(log.indexOf('stopped api'), log.indexOf('stopped sfn'));
    for (const emulator of ['dynamodb', 's3', 'ses'])
      expect(log.indexOf(`stop ${emulator}`)).toBeGreaterThan(lastOfFirst);
    expect(log.filter((l) => l.startsWith('stopped'))).toHaveLength(5);
  });
});
