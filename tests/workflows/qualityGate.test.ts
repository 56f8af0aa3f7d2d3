import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { LakePaths } from '../../src/backends/local/paths.js';
import { seedDriftedSnapshot } from '../../src/backends/local/seedDrift.js';
import { waitForRunState } from '../../src/client/status.js';
import type { RunReport, TableReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { approveUpdate, reprocessUpdate, statusQuery } from '../../src/workflows/definitions.js';
import { flywheel } from '../support/flywheelCli.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const TABLES = ['IBE_01', 'IBE_02', 'IBE_03', 'IBE_04', 'IBE_05', 'IBE_06'];
const ROWS = 400;
const BASE = '2026-10-01';
const DRIFT = '2026-11-01';
const HELD = ['IBE_02', 'IBE_03', 'IBE_04', 'IBE_05'];

/** The README's operator command (`temporal workflow signal …`), plus the test server's address. */
async function temporalSignal(workflowId: string, name: string, input: string): Promise<void> {
  await promisify(execFile)(inject('temporalCliPath'), [
    'workflow', 'signal', '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace'),
    '--workflow-id', workflowId, '--name', name, '--input', input,
  ]);
}

/** Retries `check` until it passes (bounded): the parked run may be reloading after a continue-as-new. */
async function settled<T>(check: () => Promise<T>, attempts = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const failing = (t: TableReport) => (t.quality?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.message);

/**
 * The quality gate end to end on the real dev server and the local backend: a published month, then
 * a seeded drifted month (gate15core's seeder) whose four broken tables wait at the gate while the
 * others are published; then, across a worker restart, approvals by CLI, update and signal, and a
 * reprocess after fixing the source.
 */
describe('quality gate on a seeded drifted lake', () => {
  let h: RefreshHarness;
  let configFile: string;
  let handle: WorkflowHandle;
  let firstRunId: string;
  const workflowId = () => refreshWorkflowId(h.config.environment, DRIFT);
  const rowsOf = async (table: string) => {
    const out = await flywheel(h, configFile, 'sql', `SELECT count(*) AS n FROM ${table}`, '--json');
    expect(out.code, out.stderr).toBe(0);
    return Number((JSON.parse(out.stdout) as { n: number | string }[])[0]!.n);
  };

  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: TABLES,
      rows: ROWS,
      snapshots: [BASE],
      bucketCount: 16,
      // A low threshold: the parked run continues as new, so the held tables come back from the manifest.
      config: { reprocess: { waitHours: 1 }, scale: { continueAsNewAfterEvents: 20 } },
    });
    configFile = path.join(h.home, 'flywheel.yaml');
    await writeFile(configFile, stringify(h.config));
  });
  afterAll(() => h?.close());

  it('publishes the baseline month, then holds the four drifted tables at the gate with their violations in words', async () => {
    await h.withWorker(async () => {
      const base = (await h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: refreshWorkflowId(h.config.environment, BASE),
        args: [{ environment: h.config.environment, snapshotDt: BASE }],
      })) as RunReport;
      expect(base.status).toBe('succeeded');
      expect(base.tables.find((t) => t.name === 'IBE_04')!.quality).toMatchObject({ verdict: 'pass', note: expect.stringMatching(/^first run of IBE_04/) });
      expect(base.stages.map((s) => s.stage)).toContain('check');

      const seeded = await seedDriftedSnapshot({ config: h.config, home: h.home, snapshotDt: DRIFT, rows: ROWS });
      expect(seeded.tables.filter((t) => t.drift !== 'none').map((t) => t.table)).toEqual([...HELD, 'IBE_06']);
      const started = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: workflowId(),
        args: [{ environment: h.config.environment, snapshotDt: DRIFT }],
      });
      firstRunId = started.firstExecutionRunId;
      handle = h.client.workflow.getHandle(workflowId()); // follows continue-as-new
      const parked = await waitForRunState(handle, ['awaiting-approval', 'awaiting-reprocess', 'failed', 'succeeded'], { timeoutMs: 240_000 });
      expect(parked.state).toBe('awaiting-approval');
      const byName = new Map(parked.tables.map((t) => [t.name, t]));
      expect(parked.tables.filter((t) => t.state === 'awaiting-approval').map((t) => t.name).sort()).toEqual(HELD);
      expect(parked.tables.filter((t) => t.state === 'succeeded').map((t) => t.name).sort()).toEqual(['IBE_01', 'IBE_06', 'addressable_ids']);
      expect(parked.counts).toMatchObject({ 'awaiting-approval': 4, succeeded: 3, failed: 0 });
      for (const name of HELD) expect(byName.get(name)).toMatchObject({ stage: 'check', attempts: 1, quality: { verdict: 'fail', baselineSnapshotDt: BASE } });
      expect(failing(byName.get('IBE_02')!)).toEqual(['IBE_02: column is_homeowner (boolean) removed since 2026-10-01 — stops the table']);
      expect(failing(byName.get('IBE_03')!)).toEqual(['IBE_03: column household_size retyped int → string since 2026-10-01 — stops the table']);
      expect(failing(byName.get('IBE_04')!)).toEqual(['IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %']);
      expect(failing(byName.get('IBE_05')!)).toEqual(['IBE_05: customer_user_id null or empty in 35 % of rows (140 of 400), max 5 %']);
      // The refresh keeps what warned or failed and counts the passes; the table's record in the manifest has every check.
      expect(byName.get('IBE_06')!.quality).toMatchObject({ verdict: 'pass', checks: [], passedUnlisted: expect.any(Number) });
      const record = JSON.parse(await readFile(path.join(h.home, 'runs', workflowId(), firstRunId, 'tables', 'IBE_06', 'report.json'), 'utf8')) as { report: TableReport };
      expect(record.report.quality!.checks.find((c) => c.check === 'schema.added')).toMatchObject({
        status: 'pass',
        message: 'IBE_06: column loyalty_tier (string) added since 2026-10-01 — allowed',
      });
      expect(record.report.quality!.checks.filter((c) => c.status === 'pass')).toHaveLength(byName.get('IBE_06')!.quality!.passedUnlisted!);
      // Held before the CTAS: the stable table still serves last month; a passed table serves this month.
      expect(byName.get('IBE_04')!.rowsBucketed).toBeUndefined();

      // Status, UI details and search attributes say so, with the commands to type.
      expect(parked.nextCommands?.[0]).toBe(`npx flywheel approve --snapshot ${DRIFT} --tables IBE_02,IBE_03,IBE_04,IBE_05 --reason "…why this is fine…"`);
      expect(parked.nextCommands).toContain(
        `temporal workflow update execute --workflow-id ${workflowId()} --name approve --input '{"tables":["IBE_02","IBE_03","IBE_04","IBE_05"],"reason":"…why this is fine…"}'`,
      );
      // (re-read until parked: a run continuing as new says `running` while it reloads its tables)
      await settled(async () => {
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        expect(metadata.currentDetails).toMatch(/^\*\*Awaiting approval until .+\*\* — 4 of 7 table\(s\) stopped at the quality gate · snapshot 2026-11-01/);
        expect(metadata.currentDetails).toContain('  - IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %');
        expect((await handle.describe()).searchAttributes.FlywheelStatus).toEqual(['awaiting-approval']);
      });
      const status = await settled(async () => {
        const out = await flywheel(h, configFile, 'status', '--snapshot', DRIFT);
        expect(out.stdout).toContain('awaiting approval until');
        return out;
      });
      expect(status.stdout).toContain('⏸ IBE_05 stopped at the quality gate (1 check(s) failed), awaiting approval:');
      expect(status.stdout).toContain('      IBE_05: customer_user_id null or empty in 35 % of rows (140 of 400), max 5 %');
      expect(status.stdout).toContain('npx flywheel approve --snapshot 2026-11-01 --tables IBE_02,IBE_03,IBE_04,IBE_05');

      // Bad approvals are refused with the reason (update, CLI) or recorded (signal); the run keeps waiting.
      const refusal = (payload: unknown) => handle.executeUpdate(approveUpdate, { args: [payload] }).then(() => 'accepted', (e: unknown) => e);
      const unknown = await refusal({ tables: ['NOPE_1'], reason: 'x' });
      expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((unknown as WorkflowUpdateFailedError).cause?.message).toMatch(/^unknown table\(s\) NOPE_1; this run has 7 table\(s\)/);
      const notHeld = (await refusal({ tables: ['IBE_06', 'IBE_04'], reason: 'x' })) as WorkflowUpdateFailedError;
      expect(notHeld.cause?.message).toBe('not awaiting approval: IBE_06 is succeeded; awaiting approval: IBE_02, IBE_03, IBE_04, IBE_05');
      const noReason = (await refusal({ tables: ['IBE_04'] })) as WorkflowUpdateFailedError;
      expect(noReason.cause?.message).toMatch(/^malformed approve payload .*reason: /);
      const cliNoReason = await flywheel(h, configFile, 'approve', '--snapshot', DRIFT, '--tables', 'IBE_04');
      expect(cliNoReason.code).toBe(2);
      expect(cliNoReason.stderr).toMatch(/--reason: say why the table may be published/);
      const cliNotHeld = await flywheel(h, configFile, 'approve', '--snapshot', DRIFT, '--tables', 'IBE_01', '--reason', 'fine');
      expect(cliNotHeld.code).toBe(2);
      expect(cliNotHeld.stderr).toContain(`${workflowId()} refused the request: not awaiting approval: IBE_01 is succeeded`);
      await temporalSignal(workflowId(), 'approve', '{"tables":"IBE_02","reason":"x"}');
      await temporalSignal(workflowId(), 'approve', '{"tables":["IBE_01"],"reason":"x"}');
      const reprocessPastGate = (await handle.executeUpdate(reprocessUpdate, { args: [{ tables: ['IBE_04'], fromStage: 'bucket' }] }).catch((e: unknown) => e)) as WorkflowUpdateFailedError;
      expect(reprocessPastGate.cause?.message).toMatch(/IBE_04 is awaiting approval at the quality gate/);
      let after = await handle.query(statusQuery);
      // (a run continuing as new says `running` while it reloads its tables, then parks again)
      for (let i = 0; i < 100 && (after.rejectedSignals.length < 2 || after.state !== 'awaiting-approval'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await handle.query(statusQuery);
      }
      expect(after.state).toBe('awaiting-approval');
      expect(after.rejectedSignals.map((r) => `${r.name}: ${r.reason}`)).toEqual([
        expect.stringMatching(/^approve: malformed approve payload \(object \{tables: string \(6 chars\), reason: string \(1 chars\)\}\): tables: /),
        expect.stringMatching(/^approve: not awaiting approval: IBE_01 is succeeded/),
      ]);
    });
    // With the worker stopped (it holds the local catalog open) and the run still waiting: the held
    // table's stable name still serves last month, the passed one this month's (with its added column).
    expect(await rowsOf('ibe_04_bucketed')).toBe(ROWS);
    expect(await rowsOf('ibe_06_bucketed WHERE loyalty_tier IS NOT NULL')).toBe(ROWS);
  }, 400_000);

  it('after a worker restart: approvals by CLI, update and signal continue exactly those tables; a fixed source reprocessed passes', async () => {
    // Fix IBE_05's source: a clean copy of the month from a scratch lake.
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'flywheel-clean-'));
    try {
      await seedDriftedSnapshot({ config: h.config, home: scratch, snapshotDt: DRIFT, rows: ROWS, cases: {} });
      const table = { name: 'IBE_05', kind: 'infobase' as const };
      const target = new LakePaths(h.config, h.home).sourcePartition(table, DRIFT);
      await rm(target, { recursive: true, force: true });
      await cp(new LakePaths(h.config, scratch).sourcePartition(table, DRIFT), target, { recursive: true });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }

    const report = await h.withWorker(async () => {
      // The wait went on in a new run of the same workflow (continue-as-new), its held tables reloaded.
      let described = await handle.describe();
      for (let i = 0; i < 100 && described.runId === firstRunId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        described = await handle.describe();
      }
      expect(described.runId).not.toBe(firstRunId);
      const reloaded = await waitForRunState(handle, ['awaiting-approval']);
      expect(reloaded.tables.filter((t) => t.state === 'awaiting-approval').map((t) => t.name).sort()).toEqual(HELD);
      expect(failing(reloaded.tables.find((t) => t.name === 'IBE_04')!)).toEqual(['IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %']);
      const cli = await flywheel(h, configFile, 'approve', '--snapshot', DRIFT, '--tables', 'ibe_02', '--reason', 'vendor retired is_homeowner (ticket DATA-812)', '--json');
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual({ workflowId: workflowId(), accepted: true, tables: ['IBE_02'], reason: 'vendor retired is_homeowner (ticket DATA-812)' });
      const accepted = await handle.executeUpdate(approveUpdate, { args: [{ tables: ['IBE_03'], reason: 'household_size is a string upstream now' }] });
      expect(accepted).toEqual({ accepted: true, tables: ['IBE_03'], reason: 'household_size is a string upstream now' });
      await temporalSignal(workflowId(), 'approve', '{"tables":["IBE_04"],"reason":"half the panel churned; confirmed by the vendor"}');
      const reprocess = await handle.executeUpdate(reprocessUpdate, { args: [{ tables: ['IBE_05'] }] });
      expect(reprocess).toMatchObject({ accepted: true, tables: ['IBE_05'] });
      return (await handle.result()) as RunReport;
    });

    expect(report.status).toBe('succeeded');
    const byName = new Map(report.tables.map((t) => [t.name, t]));
    expect(report.tables.every((t) => t.state === 'succeeded')).toBe(true);
    expect(byName.get('IBE_02')!.approval).toMatchObject({ reason: 'vendor retired is_homeowner (ticket DATA-812)', approvedAt: expect.any(String) });
    expect(byName.get('IBE_03')!.approval?.reason).toBe('household_size is a string upstream now');
    expect(byName.get('IBE_04')!.approval?.reason).toBe('half the panel churned; confirmed by the vendor');
    // Approved tables keep the failed checks in their report; the reprocessed one passes on its own.
    expect(failing(byName.get('IBE_04')!)).toEqual(['IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %']);
    expect(byName.get('IBE_05')).toMatchObject({ attempts: 2, quality: { verdict: 'pass' } });
    expect(byName.get('IBE_05')!.approval).toBeUndefined();
    for (const name of ['IBE_01', 'IBE_06']) expect(byName.get(name)).toMatchObject({ attempts: 1 });
    expect(byName.get('IBE_01')!.approval).toBeUndefined();
    expect(byName.get('IBE_04')!.rowsBucketed).toBe(168);
    expect(await rowsOf('ibe_04_bucketed')).toBe(168);
    // The reason goes to lineage with the table: the approved failed check's assertion carries it.
    const lineage = await readFile(path.join(h.home, 'lineage', 'openlineage.jsonl'), 'utf8');
    const approvedAssertions = lineage
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { inputs?: { name: string; inputFacets?: { dataQualityAssertions?: { assertions: { params?: { approvalReason?: string } }[] } } }[] })
      .flatMap((e) => e.inputs ?? [])
      .flatMap((i) => (i.inputFacets?.dataQualityAssertions?.assertions ?? []).map((a) => `${i.name}: ${a.params?.approvalReason ?? ''}`))
      .filter((a) => !a.endsWith(': '));
    expect(approvedAssertions).toEqual(expect.arrayContaining([expect.stringMatching(/\/IBE_02\/.*: vendor retired is_homeowner \(ticket DATA-812\)$/)]));
  }, 400_000);
});
