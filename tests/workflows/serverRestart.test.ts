import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunReport } from '../../src/domain/report.js';
import { startDevServer, type DevServer } from '../../src/temporal/devServer.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../../src/workflows/searchAttributes.js';
import { HoldPoints, processRuns } from '../../scripts/lib/holdPoints.js';
import { auditTables, jobRunsOf, leftovers } from '../../scripts/lib/lakeAudit.js';
import { pendingActivities } from '../../scripts/lib/refreshActivities.js';
import { startWorkerProcess, type WorkerProcess } from '../../scripts/lib/workerProcess.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

/**
 * The Temporal dev server is stopped and started again (same port, same --db-filename) while a refresh
 * is in its split job. The worker (a real child process) and the job run ride it out; the run finishes
 * with correct data. This test owns its server: the shared one must not go away under other tests.
 * FAULT INJECTION: the hold layer (FLYWHEEL_TEST_HOLDS) keeps the split job mid-table until the
 * server is back, so the restart lands mid-run every time.
 */
describe('a dev server restart mid-run', () => {
  let dir: string;
  let server: DevServer;
  let h: RefreshHarness;
  let worker: WorkerProcess | undefined;
  const serverOptions = () => ({
    cliPath: inject('temporalCliPath'),
    headless: true,
    dbFile: path.join(dir, 'temporal.sqlite'),
    searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-restart-'));
    server = await startDevServer(serverOptions());
    h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: 300, address: server.address });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await h?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the run completes by itself after the server comes back with its database', async () => {
    const holds = new HoldPoints(path.join(h.home, 'test-holds'));
    await holds.arm('split-MIACS_01');
    worker = await startWorkerProcess({ home: h.home, config: h.config, bundlePath: inject('workflowBundlePath'), env: holds.env });
    const handle = await h.client.workflow.start('monthlyRefresh', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId: `${h.config.environment}-server-restart`,
      args: [{ environment: h.config.environment }],
    });
    await holds.held('split-MIACS_01');
    const before = await pendingActivities(h.client, handle);
    expect(before.map((a) => a.activityType?.name)).toContain('runGlueJob');

    await server.stop();
    server = await startDevServer({ ...serverOptions(), port: server.port });
    await holds.release('split-MIACS_01');

    const report = (await handle.result()) as RunReport;
    expect(report.status).toBe('succeeded');
    expect(report.tables.every((t) => t.state === 'succeeded')).toBe(true);
    const runs = await jobRunsOf(h.config, h.home, handle.workflowId, report.runId);
    expect(runs).toHaveLength(2); // one per job, the server restart notwithstanding
    for (const audit of await auditTables(h.config, h.home, report.snapshotDt, ['IBE_01', 'MIACS_01', 'addressable_ids'])) {
      expect(audit.bucketedRows, audit.table).toBe(audit.sourceRows);
      expect(audit.bucketFiles, audit.table).toBe(256);
      expect(audit.customersInSeveralBuckets, audit.table).toBe(0);
    }
    expect(await leftovers(h.home)).toEqual([]);
    expect(processRuns(worker.pid), `the same worker carried on:\n${worker.output()}`).toBe(true);
  }, 180_000);
});
