import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/config/home.js';
import type { MaintenanceReport } from '../../src/workflows/maintenanceInput.js';
import { readDeltaTable } from '../support/deltaTable.js';
import { maintenanceJobRecords, processAlive } from '../support/maintenanceJobs.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

/**
 * A real crash: the worker is a `flywheel worker` process, killed with SIGKILL while its maintenance job runs.
 * The job (a detached process, like a Glue run) goes on; the activity is retried after its heartbeat timeout
 * on another worker, which finds the run by its tag and follows it to the end — one run, one OPTIMIZE commit.
 */
describe('a worker killed mid-maintenance', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01'],
      rows: 500,
      config: { maintenance: { tables: [{ name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/', zorderBy: ['customer_user_id'] }] } },
    });
  });
  afterAll(() => h?.close());

  it('re-attaches: the retried activity follows the same job run to its end', { timeout: 180_000 }, async () => {
    const before = await readDeltaTable(path.join(h.home, 'lake', 'test-lake', 'delta', 'ibe_01'));
    const configFile = path.join(h.home, 'worker.yaml');
    await writeFile(configFile, stringify(h.config));
    const worker = spawn('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'worker', '--config', configFile], {
      // MALLOC_ARENA_MAX set: bin/flywheel.js then runs the worker in this very process (no re-exec into a
      // child that SIGKILL would not reach).
      env: { ...process.env, FLYWHEEL_HOME: h.home, TEMPORAL_ADDRESS: inject('temporalAddress'), MALLOC_ARENA_MAX: '2' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const workflowId = `${h.config.environment}-crash`;
    const handle = await h.client.workflow.start('deltaMaintenance', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId,
      args: [{ environment: h.config.environment }],
    });
    const find = async () => (await maintenanceJobRecords(h.home)).find((r) => r.runTag.startsWith(workflowId));
    try {
      await expect.poll(find, { timeout: 90_000, interval: 10 }).toBeDefined();
    } finally {
      const record = await find();
      // Hold the job so it is certainly mid-run when the worker dies; it resumes once the worker is gone.
      if (record) process.kill(record.pid, 'SIGSTOP');
      worker.kill('SIGKILL');
      await exited;
      if (record) process.kill(record.pid, 'SIGCONT');
    }
    const crashed = (await find())!;
    expect(processAlive(crashed.pid)).toBe(true); // the job outlived its worker

    const report = (await h.withWorker(() => handle.result())) as MaintenanceReport;
    expect(report.status).toBe('succeeded');
    expect(report.tables[0]).toMatchObject({ table: 'IBE_01', state: 'succeeded', jobRunId: crashed.runId });
    expect((await maintenanceJobRecords(h.home)).filter((r) => r.runTag.startsWith(workflowId))).toHaveLength(1);
    const after = await readDeltaTable(path.join(h.home, 'lake', 'test-lake', 'delta', 'ibe_01'));
    expect(after.checksum).toBe(before.checksum);
    expect(after.history.filter((c) => c.operation === 'OPTIMIZE' && c.runTag === crashed.runTag)).toHaveLength(1);
    const { events } = await handle.fetchHistory();
    const attempts = (events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((a): a is number => !!a);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2); // maintainDeltaTable was retried on the new worker
  });
});
