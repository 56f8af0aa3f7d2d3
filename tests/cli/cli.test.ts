import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { flywheel } from '../support/flywheelCli.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

describe('flywheel CLI against a running worker', () => {
  let h: RefreshHarness;
  let configFile: string;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01'], rows: 200 });
    configFile = path.join(h.home, 'flywheel.yaml');
    await writeFile(configFile, stringify(h.config));
  });
  afterAll(() => h?.close());

  it('run --json prints the run report and exits 0; status and dry-run read the same run', async () => {
    const { run, status, plan, refused } = await h.withWorker(async () => ({
      run: await flywheel(h, configFile, 'run', '--json'),
      status: await flywheel(h, configFile, 'status', '--snapshot', '2026-10-01', '--json'),
      plan: await flywheel(h, configFile, 'run', '--dry-run', '--json', '--snapshot', '2026-09-01'),
      refused: await flywheel(h, configFile, 'reprocess', '--snapshot', '2026-10-01'),
    }));
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ workflowId: `flywheel-${h.config.environment}-refresh-2026-10-01`, status: 'succeeded', snapshotDt: '2026-10-01' });
    expect(typeof report.runId).toBe('string');
    for (const t of report.tables) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'rowsSource', 'rowsStaged', 'rowsBucketed', 'bucketFiles', 'bucketedLocation']));
      expect(t.rowsBucketed).toBe(t.rowsSource);
    }
    expect(report.stages.every((s: { durationMs?: number }) => typeof s.durationMs === 'number')).toBe(true);
    expect(run.stderr).toContain('succeeded'); // the human summary goes to stderr

    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'succeeded', snapshotDt: '2026-10-01' });

    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned.snapshotDt).toBe('2026-09-01');
    expect(planned.jobs.map((j: { arguments: Record<string, string> }) => j.arguments['--SNAPSHOT_DT'])).toEqual(['2026-09-01', '2026-09-01']);

    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/refused the request: the run has already completed/);

    // Planning (`run` and `--dry-run` both planned) leaves no row in the list: each planning execution
    // answered through its `plan` update and was deleted while still open (a closed one lingers 30–60 s).
    const planning = `WorkflowType = "planRefresh" AND TaskQueue = "${h.config.temporal.taskQueue}"`;
    let rows = -1;
    for (let i = 0; i < 50 && rows !== 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      rows = (await h.client.workflow.count(planning)).count;
    }
    expect(rows).toBe(0);
  });

  it('exits 2 with the reason for bad input, before or after reaching the worker', async () => {
    const badDate = await flywheel(h, configFile, 'run', '--snapshot', '2026-13-01');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--snapshot "2026-13-01": must be a real calendar date/);

    const [unknownTable, missingSnapshot] = await h.withWorker(async () => [
      await flywheel(h, configFile, 'run', '--tables', 'IBE_01,NOPE_7', '--json'),
      await flywheel(h, configFile, 'run', '--snapshot', '2020-01-01'),
    ]);
    expect(missingSnapshot.code, missingSnapshot.stderr).toBe(2);
    expect(missingSnapshot.stderr).toMatch(/snapshot 2020-01-01 is not complete/);
    expect(unknownTable.code).toBe(2);
    expect(unknownTable.stderr).toMatch(/unknown table\(s\) in filter: NOPE_7/);

    const badConfig = path.join(h.home, 'bad.yaml');
    await writeFile(badConfig, stringify({ ...h.config, bucketing: { column: 'customer id', count: 256 } }));
    const invalid = await flywheel(h, badConfig, 'run');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${badConfig} is invalid`);
    expect(invalid.stderr).toMatch(/bucketing\.column: must be letters/);
  });
});
