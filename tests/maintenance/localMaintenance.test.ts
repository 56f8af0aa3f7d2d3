import { rm } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaintenanceReport } from '../../src/workflows/maintenanceInput.js';
import { readDeltaTable } from '../support/deltaTable.js';
import { maintenanceJobRecords, processAlive } from '../support/maintenanceJobs.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const SNAPSHOTS = ['2026-09-01', '2026-10-01'];
const deltaDir = (h: RefreshHarness, name: string) => path.join(h.home, 'lake', 'test-lake', 'delta', name);

describe('deltaMaintenance on the local backend (real dev server, real Delta tables)', () => {
  let h: RefreshHarness;
  const start = (args: Record<string, unknown>, id: string) =>
    h.client.workflow.start('deltaMaintenance', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId: `${h.config.environment}-${id}`,
      args: [{ environment: h.config.environment, ...args }],
    });
  const run = (args: Record<string, unknown>, id: string) => h.withWorker(async () => (await start(args, id)).result()) as Promise<MaintenanceReport>;

  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01'],
      rows: 500,
      snapshots: SNAPSHOTS,
      config: {
        maintenance: {
          concurrency: 2,
          tables: [
            { name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/', zorderBy: ['customer_user_id'] },
            { name: 'MIACS_01', location: 's3://test-lake/delta/miacs_01/', where: "snapshot_dt >= '2026-10-01'" },
            { name: 'NOPE_01', location: 's3://test-lake/delta/nope_01/' },
            { name: 'BADZ_01', location: 's3://test-lake/delta/miacs_01/', zorderBy: ['no_such_column'] },
          ],
        },
      },
    });
    await rm(deltaDir(h, 'nope_01'), { recursive: true }); // seeded like the others: a table that went missing
  });
  afterAll(() => h?.close());

  it('refuses 24 h retention as InvalidInput with the reason and the way out; nothing is touched', async () => {
    const before = await readDeltaTable(deltaDir(h, 'ibe_01'));
    const error = await run({ retainHours: 24 }, 'short-retention').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidInput');
    expect(cause.message).toMatch(/refusing VACUUM RETAIN 24 HOURS: retention below 168 hours.*maintenance\.allowShortRetention: true/);
    expect((await readDeltaTable(deltaDir(h, 'ibe_01'))).version).toBe(before.version);
  });

  it('refuses an unknown table filter', async () => {
    const error = await run({ tables: ['NOPE_99'] }, 'unknown-table').catch((e: unknown) => e);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).message).toMatch(/unknown maintenance table\(s\): NOPE_99/);
  });

  it('maintains the Delta tables; a missing table and a bad Z-order column fail before any job starts, the others go on', async () => {
    const ibeBefore = await readDeltaTable(deltaDir(h, 'ibe_01'));
    const miacsBefore = await readDeltaTable(deltaDir(h, 'miacs_01'));
    const id = `${h.config.environment}-mixed`;
    const { error, metadata } = await h.withWorker(async () => {
      const handle = await start({ tables: ['IBE_01', 'MIACS_01', 'NOPE_01', 'BADZ_01'] }, 'mixed');
      const failure = await handle.result().catch((e: unknown) => e);
      // The UI's current details: one row per table with what was done.
      return { error: failure, metadata: await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata') };
    });
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('MaintenanceFailed');
    expect(cause.message).toMatch(/^2 of 4 table\(s\) failed/);
    const report = cause.details![0] as MaintenanceReport;
    const byName = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    expect(byName.NOPE_01).toMatchObject({ state: 'failed', error: expect.stringMatching(/NOPE_01: .*does not exist/) });
    expect(byName.BADZ_01).toMatchObject({ state: 'failed', error: expect.stringMatching(/zorderBy column no_such_column is not in the table/) });
    const records = await maintenanceJobRecords(h.home);
    expect(records.filter((r) => r.runTag.startsWith(id)).map((r) => r.runTag.split('/').pop()).sort()).toEqual(['IBE_01', 'MIACS_01']);

    const ibeAfter = await readDeltaTable(deltaDir(h, 'ibe_01'));
    expect(ibeAfter.checksum).toBe(ibeBefore.checksum);
    expect(byName.IBE_01).toMatchObject({ state: 'succeeded', filesBefore: ibeBefore.files.length, filesAfter: ibeAfter.files.length, versionBefore: ibeBefore.version, versionAfter: ibeAfter.version });
    expect(byName.IBE_01!.filesAfter).toBeLessThan(byName.IBE_01!.filesBefore!);
    // The seeded OPTIMIZE of 2026-09-01 replaced 12 files weeks ago: VACUUM RETAIN 168 HOURS deletes them.
    expect(byName.IBE_01!.filesRemoved).toBe(12);
    // MIACS_01: WHERE snapshot_dt >= '2026-10-01' compacts only that partition.
    const miacsAfter = await readDeltaTable(deltaDir(h, 'miacs_01'));
    expect(miacsAfter.checksum).toBe(miacsBefore.checksum);
    const files = (t: typeof miacsAfter, dt: string) => t.files.filter((f) => f.partition === dt).map((f) => f.path).sort();
    expect(files(miacsAfter, '2026-09-01')).toEqual(files(miacsBefore, '2026-09-01'));
    expect(files(miacsAfter, '2026-10-01')).toHaveLength(1);
    expect(byName.MIACS_01).toMatchObject({ state: 'succeeded', filesCompacted: 12, filesWritten: 1 });

    expect(metadata.currentDetails).toMatch(/^\*\*Delta maintenance\*\* .* VACUUM RETAIN 168 HOURS .* failed/);
    expect(metadata.currentDetails).toMatch(new RegExp(`\\| IBE_01 \\| succeeded \\| ${ibeBefore.files.length} → ${ibeAfter.files.length} \\(`));
    expect(metadata.currentDetails).toMatch(/\| NOPE_01 \| failed \|.*does not exist/);
  });

  it('cancelling the workflow stops the running job: the process ends, the run is STOPPED, the table unchanged', async () => {
    const before = await readDeltaTable(deltaDir(h, 'ibe_01'));
    const id = `${h.config.environment}-cancel`;
    const outcome = await h.withWorker(async () => {
      const handle = await start({ tables: ['IBE_01'] }, 'cancel');
      const record = await expect
        .poll(async () => (await maintenanceJobRecords(h.home)).find((r) => r.runTag.startsWith(id)), { timeout: 20_000, interval: 10 })
        .toBeDefined()
        .then(async () => (await maintenanceJobRecords(h.home)).find((r) => r.runTag.startsWith(id))!);
      // Hold the job (SIGSTOP) so it is certainly still running when the cancellation reaches it; the stop
      // (SIGTERM + SIGCONT to its process group) must end it anyway.
      process.kill(record.pid, 'SIGSTOP');
      await handle.cancel();
      return handle.result().catch((e: unknown) => e);
    });
    expect((outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const [record] = (await maintenanceJobRecords(h.home)).filter((r) => r.runTag.startsWith(id));
    await expect.poll(() => processAlive(record!.pid), { timeout: 15_000 }).toBe(false);
    const after = await readDeltaTable(deltaDir(h, 'ibe_01'));
    expect(after.checksum).toBe(before.checksum);
    expect(after.history.filter((c) => c.runTag?.startsWith(id))).toEqual([]);
  });
});
