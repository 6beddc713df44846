/**
 * The WorkflowRunner and TaskCallbacks ports over Step Functions (the local service locally): start
 * and stop executions, answer a waiting task.
 */
import {
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { TaskCallbacks, WorkflowRunner } from '#core/ports.ts';

/** arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution name>. */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

const nameOf = (e: unknown): string => (e as { name?: string }).name ?? '';

export class SfnWorkflowRunner implements WorkflowRunner {
  constructor(
    private readonly sfn: SFNClient,
    /** The permit's state machine ARN; throws when the function was not given it. */
    private readonly stateMachineArn: (permitCode: string) => string,
  ) {}

  async start(
    permitCode: string,
    applicationId: string,
  ): Promise<{ executionArn: string } | 'already-ended'> {
    try {
      const started = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn(permitCode),
          name: applicationId,
          // The same input every time: StartExecution is idempotent only for an identical request.
          input: JSON.stringify({ applicationId }),
        }),
      );
      return {
        executionArn: started.executionArn ?? executionArnOf(this.stateMachineArn(permitCode), applicationId),
      };
    } catch (e) {
      // The name is taken by an execution that has closed (or by one with other input, which ours never is).
      if (nameOf(e) === 'ExecutionAlreadyExists') return 'already-ended';
      throw e;
    }
  }

  async stop(permitCode: string, applicationId: string, cause: string): Promise<void> {
    try {
      await this.sfn.send(
        new StopExecutionCommand({
          executionArn: executionArnOf(this.stateMachineArn(permitCode), applicationId),
          error: 'Withdrawn',
          cause,
        }),
      );
    } catch (e) {
      if (nameOf(e) === 'ExecutionDoesNotExist') return;
      throw e;
    }
  }
}

const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** A token already closed answers false, not an error. */
export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (e) {
      if (CLOSED_TOKEN_ERRORS.has(nameOf(e))) return false;
      throw e;
    }
  }
}
