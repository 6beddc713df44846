/**
 * Workflow steps against a final state and against a decision nobody recorded: the generated
 * Kota Bengkulu workflow on the in-process service, with the real functions and DynamoDB Local.
 */
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/env.ts';
import { at, type WorkflowDriver, workflowDriverPerTest } from './driver.ts';

describe('workflow steps: exactly once, final states final', () => {
  const driver = workflowDriverPerTest({ regencyId: 'kota-bengkulu', start: at('2026-03-17T10:00') });
  let wf: WorkflowDriver;
  beforeEach(() => {
    wf = driver();
  });

  it('ends the execution cleanly, writing nothing, when a step finds the application withdrawn', async () => {
    const id = await wf.submit('SIKOT');
    const app = await wf.application(id);
    // A withdrawal whose StopExecution came before the execution existed (the race seen in 2 of 15
    // tries): the record says withdrawn while the execution still waits at the first stage.
    await wf.ports.changes.commit(
      {
        application: {
          ...app,
          status: 'withdrawn',
          withdrawnAt: at('2026-03-17T11:00').toISOString(),
          version: app.version + 1,
        },
      },
      at('2026-03-17T11:00').toISOString(),
    );
    const auditBefore = (await wf.audit(id)).length;

    await wf.advanceTo(id, at('2026-03-26T10:00'));

    expect(await wf.executionStatus(id)).toBe('SUCCEEDED');
    const history = await wf.history(id);
    expect(history.some((e) => e.stateEnteredEventDetails?.name === 'Closed')).toBe(true);
    expect(await wf.status(id)).toBe('withdrawn');
    expect(await wf.audit(id)).toHaveLength(auditBefore);
  });

  it('does not move an application on a decision the product did not record', async () => {
    const id = await wf.submit('SIKOT');
    const app = await wf.application(id);
    const action = await wf.ports.stages.getAction(app.current?.pendingActionId ?? '');
    expect(action?.taskToken).toBeDefined();
    // Anyone who can reach the Step Functions API (and read a token from its history) answers the task.
    const sfn = new SFNClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: wf.sfnUrl });
    const before = (await wf.history(id)).length;
    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: action?.taskToken ?? '',
        output: JSON.stringify({ outcome: 'approve', actor: 'mallory', decidedAt: new Date().toISOString() }),
      }),
    );
    sfn.destroy();
    await wf.settleAfter(id, before);

    const after = await wf.application(id);
    expect(after.current?.stageId).toBe('pemeriksaan-kelengkapan');
    expect((await wf.visits(id)).filter((v) => v.decidedAt !== undefined)).toEqual([]);
    expect(after.status).toBe('needs-attention');
    expect(await wf.executionStatus(id)).toBe('FAILED');
  });
});
