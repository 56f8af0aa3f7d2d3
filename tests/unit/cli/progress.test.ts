import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';
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
