import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlannedTable } from '../../../src/domain/plan.js';
import { MARKDOWN_LINE_MAX } from '../../../src/workflows/refreshMarkdown.js';
import { RefreshTracker } from '../../../src/workflows/refreshTracker.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

const planned = (name: string, kind: PlannedTable['kind'] = 'infobase'): PlannedTable => ({
  name,
  kind,
  sourceBytes: 1,
  sourceFiles: 1,
  stagedFileCount: 1,
  sourceLocation: `/lake/${name}`,
});

let tracker: RefreshTracker;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  tracker = new RefreshTracker('wf-1', 'run-1', 'test');
});
afterEach(() => {
  vi.useRealTimers();
});

const at = (offsetMs: number) => vi.setSystemTime(T0 + offsetMs);

describe('RefreshTracker tables', () => {
  it('adds planned tables as pending at the split stage with no attempts', () => {
    tracker.addTables([planned('IBE_01'), planned('addressable_ids', 'addressable')]);
    expect(tracker.tableReports()).toEqual([
      { name: 'IBE_01', kind: 'infobase', stage: 'split', state: 'pending', attempts: 0 },
      { name: 'addressable_ids', kind: 'addressable', stage: 'split', state: 'pending', attempts: 0 },
    ]);
  });

  it('throws for a table it does not know', () => {
    expect(() => tracker.table('nope')).toThrow(/unknown table nope/);
    expect(() => tracker.startAttempt('nope')).toThrow(/unknown table/);
  });

  it('counts attempts and clears the previous error on retry', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.startAttempt('IBE_01');
    tracker.fail('IBE_01', 'corrupt file');
    expect(tracker.table('IBE_01')).toMatchObject({ attempts: 1, state: 'failed', lastError: 'corrupt file' });
    tracker.startAttempt('IBE_01');
    const t = tracker.table('IBE_01');
    expect(t.attempts).toBe(2);
    expect(t.state).toBe('running');
    expect(t).not.toHaveProperty('lastError');
    tracker.succeed('IBE_01');
    expect(tracker.table('IBE_01').state).toBe('succeeded');
  });

  it('measures a table’s duration from its latest attempt', () => {
    tracker.addTables([planned('IBE_01')]);
    at(1000);
    tracker.startAttempt('IBE_01');
    at(4000);
    tracker.fail('IBE_01', 'x');
    expect(tracker.table('IBE_01').durationMs).toBe(3000);
    at(10_000);
    tracker.startAttempt('IBE_01');
    at(10_500);
    tracker.succeed('IBE_01');
    expect(tracker.table('IBE_01').durationMs).toBe(500);
  });

  it('a table finished without an attempt has no duration', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.fail('IBE_01', 'job failed');
    expect(tracker.table('IBE_01').durationMs).toBeUndefined();
  });

  it('update records results on the table', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.update('IBE_01', { rowsStaged: 10, bucketFiles: 256 });
    expect(tracker.table('IBE_01')).toMatchObject({ rowsStaged: 10, bucketFiles: 256 });
  });

  it('failedTables lists only failed ones', () => {
    tracker.addTables([planned('A'), planned('B'), planned('C')]);
    tracker.fail('B', 'x');
    tracker.succeed('C');
    expect(tracker.failedTables().map((t) => t.name)).toEqual(['B']);
  });

  it('hands out copies: changing a report does not change the tracker', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.tableReports()[0]!.state = 'succeeded';
    tracker.status().tables[0]!.attempts = 99;
    expect(tracker.table('IBE_01')).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('RefreshTracker stages', () => {
  it('times each stage from first begin to last end, in run order', () => {
    at(0);
    tracker.beginStage('discover');
    at(200);
    tracker.endStage('discover');
    tracker.beginStage('split');
    at(1200);
    tracker.endStage('split');
    expect(tracker.stageTimings()).toEqual([
      { stage: 'discover', startedAt: iso(0), endedAt: iso(200), durationMs: 200 },
      { stage: 'split', startedAt: iso(200), endedAt: iso(1200), durationMs: 1000 },
    ]);
  });

  it('a second begin does not restart a stage; a stage still running has no end', () => {
    at(100);
    tracker.beginStage('register');
    at(500);
    tracker.beginStage('register');
    expect(tracker.stageTimings()).toEqual([{ stage: 'register', startedAt: iso(100), endedAt: undefined, durationMs: undefined }]);
  });

  it('the current stage only moves forward', () => {
    tracker.beginStage('bucket');
    expect(tracker.stage).toBe('bucket');
    tracker.beginStage('split'); // a reprocessed table goes back to split
    expect(tracker.stage).toBe('bucket');
    tracker.beginStage('validate');
    expect(tracker.stage).toBe('validate');
  });

  it('enter moves a table to a stage and starts that stage’s clock once', () => {
    tracker.addTables([planned('A'), planned('B')]);
    at(100);
    tracker.enter('A', 'register');
    at(300);
    tracker.enter('B', 'register');
    expect(tracker.table('A')).toMatchObject({ stage: 'register', state: 'running' });
    expect(tracker.table('B')).toMatchObject({ stage: 'register', state: 'running' });
    expect(tracker.stage).toBe('register');
    expect(tracker.stageTimings().find((s) => s.stage === 'register')).toMatchObject({ startedAt: iso(100) });
  });

  it('a stage ends when its last table finishes there', () => {
    tracker.addTables([planned('A'), planned('B')]);
    at(0);
    tracker.enter('A', 'register');
    tracker.enter('B', 'register');
    at(400);
    tracker.succeed('A');
    at(900);
    tracker.fail('B', 'x');
    const register = tracker.stageTimings().find((s) => s.stage === 'register')!;
    expect(register).toMatchObject({ startedAt: iso(0), endedAt: iso(900), durationMs: 900 });
  });
});

describe('RefreshTracker status, report and markdown', () => {
  it('status reflects the run', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.snapshotDt = '2026-10-01';
    tracker.addJob({ jobKey: 'infobaseSplitAndBucket', jobName: 'split', runId: 'jr_1', state: 'SUCCEEDED' });
    tracker.rejections.record('reprocess', 'unknown table');
    const status = tracker.status();
    expect(status).toMatchObject({
      workflowId: 'wf-1',
      runId: 'run-1',
      environment: 'test',
      state: 'running',
      snapshotDt: '2026-10-01',
      stage: 'discover',
      lineage: { status: 'pending' },
    });
    expect(status.jobs).toHaveLength(1);
    expect(status.rejectedSignals).toEqual([{ receivedAt: iso(0), name: 'reprocess', reason: 'unknown table' }]);
    expect(status.rejectedSignalCount).toBe(1);
    status.jobs.pop();
    status.lineage.status = 'published';
    expect(tracker.status().jobs).toHaveLength(1);
    expect(tracker.lineage.status).toBe('pending');
  });

  it('report: failed unless the run succeeded; duration from construction to now', () => {
    at(65_000);
    expect(tracker.report()).toMatchObject({
      status: 'failed',
      snapshotDt: '',
      startedAt: iso(0),
      endedAt: iso(65_000),
      durationMs: 65_000,
    });
    tracker.state = 'awaiting-reprocess';
    expect(tracker.report().status).toBe('failed');
    tracker.state = 'succeeded';
    tracker.snapshotDt = '2026-10-01';
    expect(tracker.report()).toMatchObject({ status: 'succeeded', snapshotDt: '2026-10-01' });
  });

  it('markdown: state in words, progress per stage, a padded per-table block', () => {
    tracker.addTables([planned('IBE_01'), planned('MIACS_01')]);
    tracker.update('IBE_01', { rowsBucketed: 20_000, bucketFiles: 256 });
    const md = tracker.markdown();
    expect(md.split('\n')[0]).toBe('**Running** — stage discover · discovering the snapshot');
    expect(md).toContain('Progress: split 0/2 · register 0/2 · check 0/2 · bucket 0/2 · validate 0/2');
    const block = md.slice(md.indexOf('```\n') + 4, md.lastIndexOf('\n```')).split('\n');
    expect(block[0]).toMatch(/^\s+table\s+stage\s+try\s+rows\s+bkts\s+time$/);
    // Separate, right-aligned columns with thousands separators: 20,000 rows and 256 buckets never run together.
    expect(block.find((l) => l.includes('IBE_01'))).toMatch(/^ {3}IBE_01\s+split\s+0\s+20,000\s+256\s+–$/);
    expect(block.at(-1)).toBe('✘ failed  ⏸ at the gate  ✔ done  … running');
  });

  it('markdown while parked: deadline, failed tables first with the full cause, then the next commands', () => {
    tracker.addTables([planned('IBE_01'), planned('MIACS_01')]);
    tracker.snapshotDt = '2026-10-01';
    tracker.succeed('IBE_01');
    const path = '/home/flywheel/lake/omc-flywheel-data-local/opus/infobase_attributes/MIACS_01/snapshot_dt=2026-10-01/part-00000.parquet';
    tracker.update('MIACS_01', { attempts: 1 });
    tracker.fail('MIACS_01', `Invalid Input Error: File '${path}' too small to be a Parquet file`);
    tracker.state = 'awaiting-reprocess';
    tracker.reprocessDeadline = '2026-11-05T06:00:00.000Z';
    const md = tracker.markdown();
    expect(md.split('\n')[0]).toBe('**Awaiting reprocess until 2026-11-05 06:00 UTC** — 1 of 2 table(s) failed · snapshot 2026-10-01');
    expect(md).toContain("- ✘ **MIACS_01** — failed at **split**, attempt 1\n\n  Invalid Input Error: File '…/part-00000.parquet' too small to be a Parquet file");
    expect(md).toContain(`path: ${path}`);
    expect(md).toContain('npx flywheel reprocess --snapshot 2026-10-01 \\\n  --tables MIACS_01');
    expect(md).toContain(`temporal workflow update execute --workflow-id wf-1 \\\n  --name reprocess --input '{"tables":["MIACS_01"]}'`);
    expect(md.indexOf('MIACS_01')).toBeLessThan(md.indexOf('IBE_01'));
    const block = md.slice(md.lastIndexOf('```\n', md.lastIndexOf('```') - 1));
    expect(block.split("\n")[2]).toMatch(/^✘\s+MIACS_01/); // failed rows first, and marked
  });

  it('markdown fits the Web UI card: every fixed-width line ≤ MARKDOWN_LINE_MAX, causes whole, failed first', () => {
    const names = ['addressable_ids', 'A_VERY_LONG_TABLE_NAME_FROM_THE_VENDOR_01', ...Array.from({ length: 30 }, (_, i) => `MIACS_${String(i).padStart(2, '0')}`)];
    tracker.addTables(names.map((name) => planned(name)));
    tracker.snapshotDt = '2026-10-01';
    const longPath = `s3://omc-flywheel-data-us-east-1-prod/opus/infobase_attributes/MIACS_07/snapshot_dt=2026-10-01/part-00000-${'f'.repeat(36)}.snappy.parquet`;
    for (const name of names.slice(2)) tracker.succeed(name);
    tracker.update('addressable_ids', { rowsBucketed: 900_000_000, bucketFiles: 256, durationMs: 123_456 });
    tracker.succeed('addressable_ids');
    for (const name of ['MIACS_07', 'MIACS_21', 'A_VERY_LONG_TABLE_NAME_FROM_THE_VENDOR_01']) {
      tracker.update(name, { attempts: 2 });
      tracker.fail(name, `table ${name}: source file ${longPath}: Invalid Input Error: No magic bytes found at end of file '${longPath}'`);
    }
    tracker.state = 'awaiting-reprocess';
    tracker.reprocessDeadline = '2026-11-05T06:00:00.000Z';
    const md = tracker.markdown();
    const blocks = [...md.matchAll(/```\n([\s\S]*?)\n```/g)].map((m) => m[1]!.split('\n'));
    expect(blocks).toHaveLength(2); // the commands and the per-table block
    for (const line of blocks.flat()) expect(line.length, line).toBeLessThanOrEqual(MARKDOWN_LINE_MAX);
    // The full cause, cause first, with the path once after it (not cut, not repeated).
    expect(md).toContain("table MIACS_07: source file …/part-00000-" + 'f'.repeat(36) + '.snappy.parquet: Invalid Input Error: No magic bytes found');
    expect(md.split(`path: ${longPath}`)).toHaveLength(4); // once per failed table
    // Commands name the run and the failed tables, wrapped with `\` continuations.
    expect(blocks[0]!.filter((l) => l.endsWith(' \\')).length).toBeGreaterThan(0);
    // Failed rows first in the per-table block, marked; a long name is cut to fit, rows keep their separators.
    const rows = blocks[1]!.slice(1, -1);
    expect(rows.slice(0, 3).every((l) => l.startsWith('✘'))).toBe(true);
    expect(rows.some((l) => /^✘\s+A_VERY_LONG\S*…\s/.test(l))).toBe(true);
    expect(rows.find((l) => l.includes('addressable_ids'))).toMatch(/ 900,000,000  256 /);
  });

  it('markdown commands drop the table names (all failed tables) when the names do not fit a line', () => {
    const names = Array.from({ length: 8 }, (_, i) => `MIACS_${String(i).padStart(2, '0')}`);
    tracker.addTables(names.map((name) => planned(name)));
    tracker.snapshotDt = '2026-10-01';
    for (const name of names) tracker.fail(name, 'boom');
    tracker.state = 'awaiting-reprocess';
    const md = tracker.markdown();
    expect(md).toContain("--input '{}'");
    expect(md).toContain('npx flywheel reprocess --snapshot 2026-10-01\n');
  });

  it('markdown and status stay bounded with thousands of tables and failures', () => {
    tracker.addTables(Array.from({ length: 5000 }, (_, i) => planned(`T${i}`)));
    for (let i = 0; i < 5000; i += 2) tracker.fail(`T${i}`, `boom ${'x'.repeat(3000)}`);
    expect(tracker.markdown().length).toBeLessThan(40_000);
    const status = tracker.status();
    expect(status.tableCount).toBe(5000);
    expect(status.tables).toHaveLength(500);
    expect(status.tables.every((t) => t.state === 'failed')).toBe(true);
    expect(status.counts).toEqual({ failed: 2500, 'awaiting-approval': 0, running: 0, pending: 2500, succeeded: 0 });
  });;
});

describe('RefreshTracker at the quality gate', () => {
  const quality = {
    table: 'IBE_04',
    snapshotDt: '2026-10-01',
    baselineSnapshotDt: '2026-09-01',
    verdict: 'fail' as const,
    checks: [
      { check: 'rows.change', expected: '−20 %…+50 % of 981,442', observed: '412,118 (−58 %)', status: 'fail' as const, message: 'IBE_04: rows 412,118 vs 981,442 last month (−58 %), band −20 %…+50 %' },
      { check: 'schema.added', column: 'extra', expected: 'allowed', observed: 'extra string', status: 'pass' as const, message: 'IBE_04: column extra added (allowed)' },
    ],
  };

  it('holds a table in awaiting-approval, shows its violations and the approve commands, and fails it when the wait ends', () => {
    tracker.addTables([planned('IBE_04'), planned('IBE_01')]);
    tracker.snapshotDt = '2026-10-01';
    tracker.startAttempt('IBE_04');
    tracker.enter('IBE_04', 'check');
    tracker.update('IBE_04', { quality });
    tracker.holdAtGate('IBE_04');
    tracker.startAttempt('IBE_01');
    tracker.succeed('IBE_01');
    tracker.state = 'awaiting-approval';
    tracker.reprocessDeadline = iso(3_600_000);

    const status = tracker.status();
    expect(status.counts).toMatchObject({ 'awaiting-approval': 1, succeeded: 1, failed: 0 });
    expect(status.tables[0]).toMatchObject({ name: 'IBE_04', stage: 'check', state: 'awaiting-approval' });
    expect(status.reprocessDeadline).toBe(iso(3_600_000));
    expect(status.nextCommands?.[0]).toBe('npx flywheel approve --snapshot 2026-10-01 --tables IBE_04 --reason "…why this is fine…"');

    const md = tracker.markdown();
    expect(md).toMatch(/^\*\*Awaiting approval until 2026-11-01 01:00 UTC\*\* — 1 of 2 table\(s\) stopped at the quality gate · snapshot 2026-10-01/);
    expect(md).toContain('- ⏸ **IBE_04** — stopped at the quality gate (1 check(s) failed)');
    expect(md).toContain('  - IBE_04: rows 412,118 vs 981,442 last month (−58 %), band −20 %…+50 %');
    expect(md).toContain('### Next: approve (with a reason), or fix the source and reprocess');
    expect(md).not.toContain('column extra added');

    tracker.failHeldTables('not approved within 3600s');
    expect(tracker.table('IBE_04')).toMatchObject({
      state: 'failed',
      stage: 'check',
      lastError: 'not approved within 3600s at the quality gate: IBE_04: rows 412,118 vs 981,442 last month (−58 %), band −20 %…+50 %',
    });
    expect(tracker.awaitingApproval()).toEqual([]);
  });
});
