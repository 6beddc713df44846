/** The WorkflowRunner port over Step Functions (the local service locally): start and stop executions. */
import { type SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowRunner } from '#core/ports.ts';

/** `STATE_MACHINE_ARN_<CODE>`, a hyphen in a code becoming an underscore (as infra/ and local/ set it). */
export const stateMachineArnVariable = (permitCode: string): string =>
  `STATE_MACHINE_ARN_${permitCode.replace(/-/g, '_')}`;

/** arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution name>. */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

const nameOf = (e: unknown): string => (e as { name?: string }).name ?? '';

export class SfnWorkflowRunner implements WorkflowRunner {
  constructor(
    private readonly sfn: SFNClient,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private stateMachineArn(permitCode: string): string {
    const arn = this.env[stateMachineArnVariable(permitCode)];
    if (arn === undefined || arn === '')
      throw new Error(
        `${stateMachineArnVariable(permitCode)} is not set: the function cannot start ${permitCode}`,
      );
    return arn;
  }

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
