import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlannedTable } from '../../../src/domain/plan.js';
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

  it('markdown has a header and one row per table', () => {
    tracker.addTables([planned('IBE_01'), planned('MIACS_01')]);
    tracker.update('IBE_01', { rowsBucketed: 42, bucketFiles: 8 });
    const lines = tracker.markdown().split('\n');
    expect(lines[0]).toContain('**running**');
    expect(lines[0]).toContain('(discovering)');
    expect(lines.filter((l) => l.startsWith('| IBE_01 |'))).toEqual(['| IBE_01 | split | pending | 0 | 42 | 8 |  |']);
    expect(lines.filter((l) => l.startsWith('| MIACS_01 |'))).toHaveLength(1);
  });

  it('markdown escapes pipes in errors and caps their length, so the table stays intact', () => {
    tracker.addTables([planned('IBE_01')]);
    tracker.fail('IBE_01', `a|b ${'x'.repeat(500)}`);
    const row = tracker.markdown().split('\n').find((l) => l.startsWith('| IBE_01 |'))!;
    expect(row).toContain('a\\|b');
    // 7 cells → 8 unescaped pipes → 9 pieces
    expect(row.replaceAll('\\|', '').split('|')).toHaveLength(9);
    expect(row.length).toBeLessThan(200);
  });
});
