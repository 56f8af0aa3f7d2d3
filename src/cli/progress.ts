import { skewCell } from '../domain/bucketSkew.js';
import { STAGES, type Stage } from '../domain/tables.js';
import type { TableReport } from '../domain/report.js';
import type { RefreshStatus } from '../workflows/refreshTracker.js';

const TABLE_STAGES: Stage[] = ['split', 'register', 'bucket', 'validate'];
const BAR_WIDTH = 24;

/** Tables that have finished `stage` (moved past it, or succeeded). */
function doneWith(tables: TableReport[], stage: Stage): number {
  const index = STAGES.indexOf(stage);
  return tables.filter((t) => t.state === 'succeeded' || STAGES.indexOf(t.stage) > index).length;
}

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${String(done).padStart(3)}/${total}`;
}

function tableLine(t: TableReport): string {
  const mark = { succeeded: '✔', failed: '✘', running: '…', pending: ' ' }[t.state];
  const rows = t.rowsBucketed !== undefined ? ` ${t.rowsBucketed} rows` : '';
  const files = t.bucketFiles !== undefined ? ` ${t.bucketFiles} buckets` : '';
  const skew = t.bucketSkew ? ` skew ${skewCell(t.bucketSkew)}` : '';
  const error = t.lastError ? `  ${t.lastError.slice(0, 100)}` : '';
  return `  ${mark} ${t.name.padEnd(16)} ${t.stage.padEnd(9)}${rows}${files}${skew}${error}`;
}

export function renderStatus(status: RefreshStatus, elapsedMs: number): string[] {
  const lines = [
    `${status.workflowId} · ${status.state} · snapshot ${status.snapshotDt ?? '…'} · ${(elapsedMs / 1000).toFixed(1)}s`,
  ];
  const total = status.tables.length;
  for (const stage of TABLE_STAGES) lines.push(`  ${stage.padEnd(9)} ${bar(doneWith(status.tables, stage), total)}`);
  lines.push(...status.tables.map(tableLine));
  return lines;
}

/** One line per milestone for logs: a stage finished for every table, a table failed, the run changed state. */
export function milestoneLines(status: RefreshStatus, seen: Set<string>): string[] {
  const lines: string[] = [];
  const note = (key: string, line: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    lines.push(line);
  };
  const total = status.tables.length;
  for (const stage of TABLE_STAGES) {
    const done = doneWith(status.tables, stage);
    if (total > 0 && done === total) note(`stage:${stage}`, `${stage} done for ${total}/${total} tables`);
  }
  for (const t of status.tables.filter((x) => x.state === 'failed')) {
    note(`failed:${t.name}:${t.attempts}:${t.stage}`, `✘ ${t.name} failed at ${t.stage}: ${t.lastError ?? 'unknown error'}`);
  }
  note(`state:${status.state}`, `${status.workflowId}: ${status.state}`);
  return lines;
}

/**
 * Live progress on stderr. On a terminal it redraws in place; otherwise (CI logs, pipes) it prints a line per
 * milestone (see {@link milestoneLines}), so 26 tables make a handful of lines, not a hundred.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let drawn = 0;
  const seen = new Set<string>();
  return {
    update(status: RefreshStatus): void {
      if (stream.isTTY) {
        const lines = renderStatus(status, Date.now() - started);
        stream.write(`${drawn ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
        return;
      }
      const elapsed = `[${((Date.now() - started) / 1000).toFixed(1)}s]`;
      for (const line of milestoneLines(status, seen)) stream.write(`${elapsed} ${line}\n`);
    },
  };
}
