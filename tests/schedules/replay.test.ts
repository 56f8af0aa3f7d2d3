import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const WORKFLOW_FILES = ['scheduledRefresh.ts', 'deltaMaintenance.ts', 'maintenanceInput.ts'];

/**
 * Replay safety of the operations workflows: histories recorded just now (concurrent maintenance
 * activities, a refresh child, a maintenance child) replay deterministically against the bundle,
 * and the sources read time only through workflowInfo().
 */
describe('operations workflows are replay-safe', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01', 'MIACS_01'],
      rows: 100,
      config: {
        maintenance: {
          retainHours: 24 * 365 * 10,
          concurrency: 2,
          tables: [
            { name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/', zorderBy: ['customer_user_id'] },
            { name: 'MIACS_01', location: 's3://test-lake/delta/miacs_01/' },
          ],
        },
      },
    });
  });
  afterAll(() => h?.close());

  it('no clock or randomness outside workflow APIs in the workflow sources', async () => {
    for (const file of WORKFLOW_FILES) {
      const source = await readFile(path.join(import.meta.dirname, '..', '..', 'src', 'workflows', file), 'utf8');
      expect(source, file).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|setTimeout\(|performance\.now\(/);
    }
  });

  it('scheduledRefresh (refresh child + maintenance child) and deltaMaintenance histories replay', async () => {
    const env = h.config.environment;
    const ids = await h.withWorker(async () => {
      const parent = await h.client.workflow.start('scheduledRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: `${env}-replay-scheduled`,
        args: [{ environment: env, maintenanceAfterRefresh: true }],
      });
      const result = (await parent.result()) as { outcome: string; refreshWorkflowId: string; maintenance?: { workflowId: string; status: string } };
      expect(result.outcome).toBe('refreshed');
      expect(result.maintenance?.status).toBe('succeeded');
      return [parent.workflowId, result.refreshWorkflowId, result.maintenance!.workflowId];
    });
    const codePath = inject('workflowBundlePath')!;
    for (const workflowId of ids) {
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history, workflowId)).resolves.toBeUndefined();
    }
  });
});
