import { skewCell } from '../domain/bucketSkew.js';
import { formatUtc } from '../domain/operatorCommands.js';
import { causeFirst, doneWith, formatStageProgress, STATE_MARK, TABLE_STAGES } from '../domain/progress.js';
import type { RunReport, TableReport } from '../domain/report.js';
import { isParked, type RefreshStatus } from '../workflows/refreshTracker.js';

const BAR_WIDTH = 24;

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${String(done).padStart(3)}/${total}`;
}

function tableLine(t: TableReport): string {
  const mark = STATE_MARK[t.state];
  const rows = t.rowsBucketed !== undefined ? ` ${t.rowsBucketed.toLocaleString('en-US')} rows` : '';
  const files = t.bucketFiles !== undefined ? ` ${t.bucketFiles} buckets` : '';
  const skew = t.bucketSkew ? ` skew ${skewCell(t.bucketSkew)}` : '';
  const error = t.lastError ? `  ${t.lastError.slice(0, 100)}` : '';
  return `  ${mark} ${t.name.padEnd(16)} ${t.stage.padEnd(9)}${rows}${files}${skew}${error}`;
}

/** `3m 12s`, `1h 04m`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function headline(status: RefreshStatus, now: number): string {
  const state = isParked(status.state) && status.reprocessDeadline ? `${status.state.replace('-', ' ')} until ${formatUtc(status.reprocessDeadline)}` : status.state;
  const since = status.startedAt ? ` · ${status.state === 'running' || isParked(status.state) ? 'running for' : 'took'} ${formatDuration(now - Date.parse(status.startedAt))} (started ${formatUtc(status.startedAt)})` : '';
  return `${status.workflowId} · ${state} · snapshot ${status.snapshotDt ?? '…'}${since}`;
}

/** Live progress lines (a terminal redraws them): headline, one bar per stage, one line per table. */
export function renderStatus(status: RefreshStatus, now = Date.now()): string[] {
  const lines = [headline(status, now)];
  const progress = status.stageProgress ?? TABLE_STAGES.map((stage) => ({ stage, done: doneWith(status.tables, stage), total: status.tables.length }));
  for (const p of progress) lines.push(`  ${p.stage.padEnd(9)} ${bar(p.done, p.total)}`);
  lines.push(...status.tables.map(tableLine));
  if (status.tableCount > status.tables.length) lines.push(`  … and ${status.tableCount - status.tables.length} more table(s)`);
  return lines;
}

/** Tables held at the quality gate and, indented, each check they failed (in words). */
export function gateLines(held: readonly TableReport[]): string[] {
  return held.flatMap((t) => {
    const failing = (t.quality?.checks ?? []).filter((c) => c.status === 'fail');
    return [`  ⏸ ${t.name} stopped at the quality gate (${failing.length} check(s) failed), awaiting approval:`, ...failing.map((c) => `      ${c.message}`)];
  });
}

/**
 * `flywheel status` for people: the state and deadline, progress, failed tables with their full
 * cause (cause first, paths after), the next commands, then the other tables and rejected signals.
 */
export function renderStatusReport(status: RefreshStatus, now = Date.now()): string[] {
  const lines = [headline(status, now)];
  const held = status.tables.filter((t) => t.state === 'awaiting-approval');
  const heldCount = status.counts['awaiting-approval'] ?? held.length; // absent from runs that predate the gate
  lines.push(
    `  progress: ${formatStageProgress(status.stageProgress)} · ${status.counts.succeeded}/${status.tableCount} succeeded, ${status.counts.failed} failed` +
      (heldCount ? `, ${heldCount} awaiting approval` : ''),
  );
  const failed = status.tables.filter((t) => t.state === 'failed');
  for (const t of failed) {
    const { cause, paths } = causeFirst(t.lastError ?? 'no error recorded');
    lines.push(`  ✘ ${t.name} failed at ${t.stage} (attempt ${t.attempts}): ${cause}`, ...paths.map((p) => `      path: ${p}`));
  }
  lines.push(...gateLines(held));
  if (status.nextCommands?.length) {
    lines.push(held.length ? '  next (approve with a reason, or fix the source and reprocess):' : '  next (fix the source first):', ...status.nextCommands.map((c) => `    ${c}`));
  }
  if (status.error) lines.push(`  error: ${status.error}`);
  lines.push(...status.tables.filter((t) => t.state !== 'failed' && t.state !== 'awaiting-approval').map(tableLine));
  if (status.tableCount > status.tables.length) lines.push(`  … and ${status.tableCount - status.tables.length} more table(s) (--json for all that status returns)`);
  if (status.rejectedSignalCount > 0) {
    lines.push(`  rejected signals: ${status.rejectedSignalCount} (newest ${Math.min(5, status.rejectedSignals.length)} below)`);
    for (const r of status.rejectedSignals.slice(-5)) lines.push(`    ${r.receivedAt} ${r.name}: ${r.reason}`);
  }
  return lines;
}

type MilestoneSource = Pick<RefreshStatus, 'workflowId' | 'tables'> & Partial<Pick<RefreshStatus, 'state' | 'nextCommands'>>;

/**
 * One line per milestone for logs: a stage finished for every table, a table failed, the run changed state
 * (a source without `state`, e.g. the final report, prints no state line: the summary says it).
 */
export function milestoneLines(status: MilestoneSource, seen: Set<string>): string[] {
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
  for (const t of status.tables.filter((x) => x.state === 'awaiting-approval')) {
    // A batch's progress names the state before its result brings the checks: print once they are known.
    const failing = (t.quality?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.message);
    if (failing.length) note(`held:${t.name}:${t.attempts}`, `⏸ ${t.name} stopped at the quality gate: ${failing.join('; ')}`);
  }
  if (status.state && !seen.has(`state:${status.state}`)) {
    note(`state:${status.state}`, `${status.workflowId}: ${status.state}`);
    // Parked: what to type next, once per wait (the run keeps waiting while this process follows it).
    if (status.nextCommands?.length) lines.push(...status.nextCommands.map((c) => `  next: ${c}`));
  }
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
  const writeMilestones = (source: MilestoneSource) => {
    const elapsed = `[${((Date.now() - started) / 1000).toFixed(1)}s]`;
    for (const line of milestoneLines(source, seen)) stream.write(`${elapsed} ${line}\n`);
  };
  return {
    update(status: RefreshStatus): void {
      if (stream.isTTY) {
        const lines = renderStatus(status);
        stream.write(`${drawn ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
        return;
      }
      writeMilestones(status);
    },
    /**
     * The milestones the last poll did not see: a run can end between two polls (a small demo does), and
     * its final report still says which stages finished.
     */
    finish(report: Pick<RunReport, 'workflowId' | 'tables'>): void {
      if (!stream.isTTY) writeMilestones({ workflowId: report.workflowId, tables: report.tables });
    },
  };
}
