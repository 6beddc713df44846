/** TaskCallbacks over the Step Functions API: a token already closed answers false, not an error. */
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TaskCallbacks } from '#core/use-cases/workflow-steps.ts';

const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (e) {
      if (CLOSED_TOKEN_ERRORS.has((e as { name?: string }).name ?? '')) return false;
      throw e;
    }
  }
}
