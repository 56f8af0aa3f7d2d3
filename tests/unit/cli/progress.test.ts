import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, gateLines, milestoneLines } from '../../../src/cli/progress.js';
import type { TableReport } from '../../../src/domain/report.js';

const table = (name: string, stage: TableReport['stage'], state: TableReport['state']): TableReport => ({
  name,
  kind: 'infobase',
  stage,
  state,
  attempts: 1,
});

function capture() {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('progress off a terminal', () => {
  it('prints the stages a run finished between two polls from its final report, once each', () => {
    const out = capture();
    const progress = createProgress(out.stream);
    const running = { workflowId: 'wf', state: 'running', tables: [table('IBE_01', 'split', 'running'), table('IBE_02', 'split', 'pending')] };
    progress.update(running as never);
    const finished = [table('IBE_01', 'lineage', 'succeeded'), table('IBE_02', 'lineage', 'succeeded')];
    progress.finish({ workflowId: 'wf', tables: finished });
    progress.finish({ workflowId: 'wf', tables: finished });
    const lines = out.text().split('\n').filter(Boolean);
    expect(lines.filter((l) => /split done for 2\/2 tables/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /validate done for 2\/2 tables/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /wf: running/.test(l))).toHaveLength(1);
    // The final report adds no state line: the summary that follows says how the run ended.
    expect(lines.some((l) => /wf: succeeded/.test(l))).toBe(false);
  });
});

describe('milestones at the quality gate', () => {
  const held: TableReport = {
    name: 'IBE_04',
    kind: 'infobase',
    stage: 'check',
    state: 'awaiting-approval',
    attempts: 1,
    quality: {
      table: 'IBE_04',
      snapshotDt: '2026-11-01',
      verdict: 'fail',
      checks: [{ check: 'rows.change', expected: '−20 %…+50 %', observed: '168', status: 'fail', message: 'IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %' }],
    },
  };

  it('name a held table once its checks are known, and print the next commands once per wait', () => {
    const seen = new Set<string>();
    const progressOnly = { ...held, quality: undefined };
    expect(milestoneLines({ workflowId: 'wf', tables: [progressOnly], state: 'running' }, seen)).toEqual([
      'split done for 1/1 tables',
      'register done for 1/1 tables',
      'wf: running',
    ]);
    const lines = milestoneLines({ workflowId: 'wf', tables: [held], state: 'awaiting-approval', nextCommands: ['npx flywheel approve --snapshot 2026-11-01 --tables IBE_04 --reason "…"'] }, seen);
    expect(lines).toEqual([
      '⏸ IBE_04 stopped at the quality gate: IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %',
      'wf: awaiting-approval',
      '  next: npx flywheel approve --snapshot 2026-11-01 --tables IBE_04 --reason "…"',
    ]);
    expect(milestoneLines({ workflowId: 'wf', tables: [held], state: 'awaiting-approval', nextCommands: ['x'] }, seen)).toEqual([]);
  });

  it('status lists the held table with its failed checks', () => {
    expect(gateLines([held])).toEqual([
      '  ⏸ IBE_04 stopped at the quality gate (1 check(s) failed), awaiting approval:',
      '      IBE_04: rows 168 vs 400 last month (−58 %), band −20 %…+50 %',
    ]);
  });
});
