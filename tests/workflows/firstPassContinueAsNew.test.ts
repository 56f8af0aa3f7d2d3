import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { statusQuery } from '../../src/workflows/definitions.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const TABLES = ['IBE_01', 'IBE_02', 'MIACS_01', 'MIACS_02', 'NEW_01'];

/**
 * A refresh whose history grows past `scale.continueAsNewAfterBytes` during its first pass goes on in a new
 * run between batches (threshold at its minimum here: 10 KB, passed after a batch or two), carrying the work
 * not started; the refresh is still one workflow id and ends with every table in its report.
 */
describe('first pass continued as new', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: TABLES,
      rows: 200,
      bucketCount: 16,
      config: { scale: { batchSize: 2, batchConcurrency: 1, progressSeconds: 0.1, continueAsNewAfterEvents: 5000, continueAsNewAfterBytes: 10_000 } },
    });
  });
  afterAll(() => h?.close());

  it('runs the remaining batches in new runs of the same refresh and reports every table', async () => {
    const workflowId = refreshWorkflowId(h.config.environment, '2026-10-01');
    const report = await h.withWorker(async () => {
      await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment, snapshotDt: '2026-10-01' }],
      });
      const handle = h.client.workflow.getHandle(workflowId); // follows continue-as-new
      const report = (await handle.result()) as RunReport;
      // The operator interface still answers on the refresh's id (its last run).
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'succeeded', tableCount: 6 });
      return report;
    });
    expect(report.status).toBe('succeeded');
    expect(report.tables.map((t) => t.state)).toEqual(Array(6).fill('succeeded'));
    expect(report.tables.every((t) => t.attempts === 1)).toBe(true);

    const runs: string[] = [];
    const runIds: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      runs.push(wf.status.name);
      runIds.push(wf.runId);
    }
    // A continued run carries the work left as index ranges over the plan's tables, not as table names.
    let carriedRanges = 0;
    for (const runId of runIds) {
      const started = (await h.client.workflow.getHandle(workflowId, runId).fetchHistory()).events?.[0];
      const payload = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { continued?: { firstPass?: unknown; firstPassRanges?: [string, number, number][] } };
      if (!input.continued) continue;
      expect(input.continued.firstPass).toBeUndefined();
      for (const [stage, from, to] of input.continued.firstPassRanges ?? []) {
        expect(stage).toBe('split');
        expect(to).toBeGreaterThan(from);
        carriedRanges += 1;
      }
    }
    expect(carriedRanges).toBeGreaterThan(0);
    // Each run starts at least one batch; a run whose history passed 10 KB goes on as new.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW')).toHaveLength(runs.length - 1);
    const children: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowType = "refreshBatch" AND FlywheelEnvironment = "${h.config.environment}"` })) {
      children.push(wf.workflowId);
    }
    // Each run's runner numbers its pass on from the carried one, so child ids never repeat.
    expect(children).toHaveLength(3);
    expect(new Set(children).size).toBe(3);
    expect(children).toContain(`${workflowId}-pass1-batch1`);
    expect(children).toContain(`${workflowId}-pass2-batch1`);
    // Stage timings and job runs are carried across the runs; the full report has every table.
    expect(report.jobCount).toBe(4); // an infobase job per batch + the addressable job
    expect(report.stages.find((s) => s.stage === 'split')).toBeDefined();
    const full = JSON.parse(await readFile(report.reportLocation!, 'utf8')) as RunReport;
    expect(full.tables.map((t) => t.name).sort()).toEqual([...TABLES, 'addressable_ids'].sort());
  });
});
