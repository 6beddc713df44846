/**
 * One Step Functions state machine per permit type, deployed from the very ASL that `statemachines/`
 * generates (and that the local Step Functions service runs): `DefinitionBody.fromString` plus
 * `definitionSubstitutions` mapping each `${Placeholder}` to a workflow function's ARN.
 */
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowRef } from './grants.ts';
import type { SatupintuFunction } from './satupintu-function.ts';

/** The contract of `statemachines/index.ts` `generateStateMachines(regency)`. */
export interface WorkflowDefinition {
  /** The permit code, e.g. `SIKOT`. */
  readonly name: string;
  /** Amazon States Language, with `${Placeholder}` strings for function ARNs. */
  readonly definition: object;
  /** Placeholder -> workflow function name (`functions/workflow/<name>.ts`). */
  readonly substitutions: Readonly<Record<string, string>>;
}

/** Fixed, so that ARNs can be formatted without referencing the resource (no dependency cycles). */
export const stateMachineName = (regencyId: string, permitCode: string): string =>
  `Satupintu-${regencyId}-${permitCode}`;

/** The ARN pattern of the executions of one permit workflow (for StopExecution). */
export function executionArnPattern(scope: Construct, regencyId: string, permitCode: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName(regencyId, permitCode)}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export function stateMachineArn(scope: Construct, regencyId: string, permitCode: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(regencyId, permitCode),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export interface WorkflowsProps {
  readonly regencyId: string;
  readonly definitions: readonly WorkflowDefinition[];
  /** Workflow functions by name. */
  readonly functions: ReadonlyMap<string, SatupintuFunction>;
}

export class Workflows extends Construct {
  readonly stateMachines = new Map<string, sfn.StateMachine>();
  readonly refs: WorkflowRef[] = [];

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    for (const workflow of props.definitions) {
      const logGroup = new logs.LogGroup(this, `${workflow.name}Logs`, {
        retention: logs.RetentionDays.SIX_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const substitutions: Record<string, string> = {};
      const invoked: SatupintuFunction[] = [];
      for (const [placeholder, fnName] of Object.entries(workflow.substitutions)) {
        const fn = props.functions.get(fnName);
        if (fn === undefined)
          throw new Error(
            `workflow ${workflow.name}: no workflow function '${fnName}' for \${${placeholder}}`,
          );
        substitutions[placeholder] = fn.functionArn;
        if (!invoked.includes(fn)) invoked.push(fn);
      }
      const name = stateMachineName(props.regencyId, workflow.name);
      const machine = new sfn.StateMachine(this, workflow.name, {
        stateMachineName: name,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(workflow.definition)),
        definitionSubstitutions: substitutions,
        logs: {
          destination: logGroup,
          level: sfn.LogLevel.ALL,
          // Every event is logged, but not its payload: inputs and outputs carry applicants' data, and
          // the audit trail with who decided what lives in DynamoDB, not in logs.
          includeExecutionData: false,
        },
        tracingEnabled: true,
      });
      // Only its own functions, by unqualified ARN (the ASL invokes exactly those ARNs): no `:*`.
      machine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: invoked.map((fn) => fn.functionArn),
        }),
      );
      Validations.of(machine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments and friends) support no resource-level permissions: AWS documents Resource "*" for both.',
      });
      this.stateMachines.set(workflow.name, machine);
      this.refs.push({
        permitCode: workflow.name,
        stateMachineArn: stateMachineArn(this, props.regencyId, workflow.name),
        executionArnPattern: executionArnPattern(this, props.regencyId, workflow.name),
        stateMachineName: stateMachineName(props.regencyId, workflow.name),
      });
    }
  }
}
