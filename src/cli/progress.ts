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

/**
 * Live progress on stderr. On a terminal it redraws in place; otherwise (CI logs, pipes) it prints
 * one line per table state change so the log stays readable.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let drawn = 0;
  const seen = new Map<string, string>();
  return {
    update(status: RefreshStatus): void {
      if (stream.isTTY) {
        const lines = renderStatus(status, Date.now() - started);
        stream.write(`${drawn ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
        return;
      }
      for (const t of status.tables) {
        const key = `${t.stage}:${t.state}`;
        if (seen.get(t.name) === key) continue;
        seen.set(t.name, key);
        stream.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${t.name} ${t.stage} ${t.state}${t.lastError ? `: ${t.lastError}` : ''}\n`);
      }
    },
  };
}
