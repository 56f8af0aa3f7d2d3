import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corruptSourceFile } from '../../scripts/lib/corruptSource.js';
import { explainFailure } from '../../src/client/failures.js';
import { waitForRunState } from '../../src/client/status.js';
import type { RunReport } from '../../src/domain/report.js';
import { wrapCommand } from '../../src/domain/operatorCommands.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { reprocessUpdate, statusQuery } from '../../src/workflows/definitions.js';
import { MARKDOWN_LINE_MAX } from '../../src/workflows/refreshMarkdown.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const run = promisify(execFile);

/** Exactly the operator commands from the README, plus the test server's address. */
async function temporalWorkflow(verb: 'signal' | 'query', workflowId: string, name: string, input?: string): Promise<string> {
  const args = ['workflow', verb, '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace'),
    '--workflow-id', workflowId, '--name', name];
  if (input !== undefined) args.push('--input', input);
  return (await run(inject('temporalCliPath'), args)).stdout;
}
const temporalSignal = (workflowId: string, name: string, input?: string) => temporalWorkflow('signal', workflowId, name, input);

describe('reprocessing a failed table by signal', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: 300, config: { reprocess: { waitHours: 1 } } });
  });
  afterAll(() => h?.close());

  it('parks on a failed table, shrugs off malformed signals, and redoes only that table once fixed', async () => {
    const broken = await corruptSourceFile(h.config, h.home, 'MIACS_01', '2026-10-01');
    const workflowId = refreshWorkflowId(h.config.environment, '2026-10-01');
    const report = await h.withWorker(async () => {
      const handle = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment }],
      });
      const parked = await waitForRunState(handle, ['awaiting-reprocess', 'failed', 'succeeded']);
      expect(parked.state).toBe('awaiting-reprocess');
      const miacs = parked.tables.find((t) => t.name === 'MIACS_01')!;
      expect(miacs).toMatchObject({ stage: 'split', state: 'failed', attempts: 1 });
      expect(miacs.lastError).toContain(broken.file);
      expect(parked.tables.filter((t) => t.state === 'succeeded').map((t) => t.name).sort()).toEqual(['IBE_01', 'addressable_ids']);

      // Malformed or impossible payloads: each is rejected, recorded, and the run keeps waiting.
      await temporalSignal(workflowId, 'reprocess', '{"tables":"MIACS_01"}');
      await temporalSignal(workflowId, 'reprocess', '{"tables":["NOPE_42"]}');
      await temporalSignal(workflowId, 'reprocess', '{"snapshotDt":"2026-13-01"}');
      await temporalSignal(workflowId, 'reprocess', '{"snapshotDt":"2026-09-01"}');
      await temporalSignal(workflowId, 'reprocess', '{"fromStage":"explode"}');
      await temporalSignal(workflowId, 'abandon', '{"why":"typo in the field name"}');
      await expect(handle.executeUpdate(reprocessUpdate, { args: [{ tables: ['NOPE_42'] }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.rejectedSignals.length < 6; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status.state).toBe('awaiting-reprocess');
      const reasons = status.rejectedSignals.map((r) => `${r.name}: ${r.reason}`);
      expect(reasons).toHaveLength(6); // the rejected update is answered to its caller, not recorded
      expect(reasons[0]).toMatch(/reprocess: malformed reprocess payload \(object \{tables: string \(8 chars\)\}\): tables: /);
      expect(reasons[1]).toMatch(/unknown table\(s\) NOPE_42/);
      expect(reasons[2]).toMatch(/snapshotDt: must be a real calendar date/);
      expect(reasons[3]).toMatch(/processes snapshot 2026-10-01, not 2026-09-01/);
      expect(reasons[4]).toMatch(/fromStage/);
      expect(reasons[5]).toMatch(/abandon: malformed abandon payload/);
      // `temporal workflow query --name status` answers the same JSON.
      const queried = await temporalWorkflow('query', workflowId, 'status');
      expect(queried).toContain('"state":"awaiting-reprocess"');
      expect(queried).toContain('NOPE_42');
      // The Web UI's "current details" show the same: per-table progress and the rejected requests.
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toMatch(/^\*\*Awaiting reprocess until \d{4}-\d\d-\d\d \d\d:\d\d UTC\*\* — 1 of 3 table\(s\) failed/);
      expect(metadata.currentDetails).toContain('- ✘ **MIACS_01** — failed at **split**, attempt 1');
      const update = `temporal workflow update execute --workflow-id ${workflowId} --name reprocess --input '{"tables":["MIACS_01"]}'`;
      expect(metadata.currentDetails).toContain(wrapCommand(update, MARKDOWN_LINE_MAX).join('\n'));
      expect(metadata.currentDetails).toContain('unknown table(s) NOPE_42');

      await broken.restore();
      await temporalSignal(workflowId, 'reprocess', '{"tables":["MIACS_01"]}');
      return (await handle.result()) as RunReport;
    });

    expect(report.status).toBe('succeeded');
    const byName = Object.fromEntries(report.tables.map((t) => [t.name, t]));
    expect(byName.MIACS_01).toMatchObject({ state: 'succeeded', attempts: 2, bucketFiles: 256, rowsBucketed: 300 });
    expect(byName.IBE_01!.attempts).toBe(1); // only the failed table was redone
    expect(byName.addressable_ids!.attempts).toBe(1);
    // Initial infobase run (failed), addressable run, and one rerun restricted to MIACS_01.
    expect(report.jobs.map((j) => j.state).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('ends the run as failed with the reason when abandoned', async () => {
    await corruptSourceFile(h.config, h.home, 'IBE_01', '2026-09-01');
    const workflowId = refreshWorkflowId(h.config.environment, '2026-09-01');
    const error = await h.withWorker(async () => {
      const handle = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment, snapshotDt: '2026-09-01', tables: ['IBE_01'] }],
      });
      await waitForRunState(handle, ['awaiting-reprocess']);
      await temporalSignal(workflowId, 'abandon', '{"reason":"vendor re-delivers next week"}');
      return handle.result().catch((e: unknown) => e);
    });
    const failure = explainFailure(error);
    expect(failure.type).toBe('RefreshFailed');
    expect(failure.message).toContain('abandoned: vendor re-delivers next week');
    expect((failure.details?.[0] as RunReport).tables[0]).toMatchObject({ name: 'IBE_01', state: 'failed' });
  });
});
