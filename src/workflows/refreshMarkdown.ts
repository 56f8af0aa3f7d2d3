import { describeBucketSkew, worstBucketSkew } from '../domain/bucketSkew.js';
import { causeFirst, formatStageProgress, stageProgress, STATE_MARK } from '../domain/progress.js';
import { formatUtc, nextCommands, wrapCommand } from '../domain/operatorCommands.js';
import type { TableReport } from '../domain/report.js';
import { clip } from '../domain/summarize.js';
import type { RefreshTracker } from './refreshTracker.js';

/** Rows in the per-table block and failed tables described in full; the rest are counted. */
export const MARKDOWN_TABLES_MAX = 60;
export const MARKDOWN_FAILED_MAX = 10;
const CAUSE_MAX = 1500;
/**
 * Characters per line in the fixed-width blocks. The Web UI 2.54 shows current details in a card
 * half the page wide: ~448 px of 13 px monospace (7.8 px a character) at a 1280 px window, so 57
 * characters fit (`npm run ui-screenshots` measures it); longer lines scroll sideways.
 */
export const MARKDOWN_LINE_MAX = 56;

const n = (value: number) => value.toLocaleString('en-US');

/** First line: the state in words, with the deadline of any wait. */
function headline(tracker: RefreshTracker): string {
  const total = tracker.tableCount;
  const failed = tracker.failedTables().length;
  const snapshot = tracker.snapshotDt ? ` · snapshot ${tracker.snapshotDt}` : ' · discovering the snapshot';
  switch (tracker.state) {
    case 'awaiting-approval': {
      const held = tracker.awaitingApproval().length;
      return `**Awaiting approval${tracker.reprocessDeadline ? ` until ${formatUtc(tracker.reprocessDeadline)}` : ''}** — ${n(held)} of ${n(total)} table(s) stopped at the quality gate${failed ? `, ${n(failed)} failed` : ''}${snapshot}`;
    }
    case 'awaiting-reprocess':
      return `**Awaiting reprocess${tracker.reprocessDeadline ? ` until ${formatUtc(tracker.reprocessDeadline)}` : ''}** — ${n(failed)} of ${n(total)} table(s) failed${snapshot}`;
    case 'running':
      return `**Running** — stage ${tracker.currentStage()}${failed ? `, ${n(failed)} failed so far` : ''}${snapshot}`;
    case 'succeeded':
      return `**Succeeded** — ${n(total)} table(s)${snapshot}`;
    case 'failed':
      return `**Failed** — ${n(failed)} of ${n(total)} table(s) failed${snapshot}`;
  }
}

/** Each failed table: stage, attempts, then the cause (cause first, the long path after it). */
function failedSection(failed: TableReport[]): string {
  if (failed.length === 0) return '';
  const shown = failed.slice(0, MARKDOWN_FAILED_MAX).map((t) => {
    const { cause, paths } = causeFirst(clip(t.lastError ?? 'no error recorded', CAUSE_MAX));
    const where = paths.map((p) => `\n  path: ${p}`).join('');
    return `- ✘ **${t.name}** — failed at **${t.stage}**, attempt ${t.attempts}\n\n  ${cause.replaceAll('\n', ' ')}${where}`;
  });
  const more = failed.length > shown.length ? `\n- … and ${n(failed.length - shown.length)} more failed table(s) (query \`status\`)` : '';
  return `### Failed tables (${n(failed.length)})\n\n${shown.join('\n')}${more}`;
}

/** Each table held at the quality gate with the checks it failed, in words. */
function gateSection(held: TableReport[]): string {
  if (held.length === 0) return '';
  const shown = held.slice(0, MARKDOWN_FAILED_MAX).map((t) => {
    const failing = (t.quality?.checks ?? []).filter((c) => c.status === 'fail');
    const lines = failing.map((c) => `  - ${clip(c.message, 300)}`).join('\n');
    return `- ⏸ **${t.name}** — stopped at the quality gate (${failing.length} check(s) failed); its stable table was not repointed\n${lines}`;
  });
  const more = held.length > shown.length ? `\n- … and ${n(held.length - shown.length)} more held table(s) (query \`status\`)` : '';
  return `### Stopped at the quality gate (${n(held.length)})\n\n${shown.join('\n')}${more}`;
}

function commandsSection(tracker: RefreshTracker, failed: TableReport[], held: TableReport[]): string {
  if (tracker.state !== 'awaiting-reprocess' && tracker.state !== 'awaiting-approval') return '';
  const wrapped = (failedTables: string[], awaitingApproval: string[]) =>
    nextCommands({ workflowId: tracker.workflowId, snapshotDt: tracker.snapshotDt, failedTables, awaitingApproval }).map((c) =>
      wrapCommand(c, MARKDOWN_LINE_MAX),
    );
  let commands = wrapped(
    failed.map((t) => t.name),
    held.map((t) => t.name),
  );
  // Too many names for one line: the reprocess commands without names redo every failed table (the default).
  if (commands.flat().some((line) => line.length > MARKDOWN_LINE_MAX)) commands = wrapped([], held.map((t) => t.name));
  const title = held.length ? 'approve (with a reason), or fix the source and reprocess' : 'fix the source, then reprocess';
  return `### Next: ${title}\n\n\`\`\`\n${commands.map((lines) => lines.join('\n')).join('\n')}\n\`\`\``;
}

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));

/**
 * The per-table table as a fixed-width block (the UI renders Markdown tables without cell padding),
 * at most MARKDOWN_LINE_MAX wide: the mark says the state (legend below), names are cut to fit.
 */
function tablesBlock(tables: TableReport[], total: number): string {
  const header = ['', 'table', 'stage', 'try', 'rows', 'bkts', 'time'];
  const right = [false, false, false, true, true, true, true];
  const cells = tables.map((t) => [
    STATE_MARK[t.state],
    t.name,
    t.stage,
    String(t.attempts),
    t.rowsBucketed === undefined ? '–' : n(t.rowsBucketed),
    t.bucketFiles === undefined ? '–' : n(t.bucketFiles),
    t.durationMs === undefined ? '–' : `${(t.durationMs / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const fits = (gap: number) => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1) <= MARKDOWN_LINE_MAX;
  const gap = fits(2) ? 2 : 1;
  const others = widths.reduce((a, b, i) => (i === 1 ? a : a + b), 0) + gap * (widths.length - 1);
  widths[1] = Math.max(8, Math.min(widths[1]!, MARKDOWN_LINE_MAX - others));
  const line = (row: string[]) =>
    row.map((c, i) => pad(i === 1 && c.length > widths[1]! ? `${c.slice(0, widths[1]! - 1)}…` : c, widths[i]!, right[i])).join(' '.repeat(gap)).trimEnd();
  const more = total > tables.length ? `\n… and ${n(total - tables.length)} more table(s) (query status)` : '';
  const legend = '✘ failed  ⏸ at the gate  ✔ done  … running';
  return `\`\`\`\n${[line(header), ...cells.map(line)].join('\n')}${more}\n${legend}\n\`\`\``;
}

/**
 * The Web UI's "current details": the operator's page for this run. State and deadline, failed
 * tables with their full cause, the next commands, progress per stage, the per-table block, cost,
 * lineage and rejected requests. Bounded whatever the table count or what was signalled.
 */
/** The worst bucket skew of the run and how many tables are over the limit (issue 14), or nothing. */
function skewLine(reports: readonly TableReport[]): string {
  const worst = worstBucketSkew(reports);
  if (!worst) return '';
  const skewed = reports.filter((t) => t.bucketSkew?.verdict === 'skewed').length;
  return `Bucket skew (max/median rows per bucket, limit ${worst.bucketSkew.maxAllowed}): worst ${worst.name} ${describeBucketSkew(worst.bucketSkew)}${skewed ? `; ${skewed} table(s) over the limit` : ''}`;
}

export function markdownDetails(tracker: RefreshTracker): string {
  const tables = tracker.tablesForOperators(MARKDOWN_TABLES_MAX);
  const failed = tracker.failedTables();
  const held = tracker.awaitingApproval();
  const cost = tracker.cost();
  const lineage = `lineage ${tracker.lineage.status}${tracker.lineage.reason ? ` (${clip(tracker.lineage.reason, 200)})` : ''}`;
  const facts = [
    `Progress: ${formatStageProgress(stageProgress(tracker.tableReports()))}`,
    cost ? `Cost so far (list price): $${cost.totalUsd.toFixed(2)} — Glue ${n(cost.glueDpuSeconds)} DPU-s, Athena ${(cost.athenaBytesScanned / 1024 ** 3).toFixed(2)} GiB scanned` : '',
    `${lineage[0]!.toUpperCase()}${lineage.slice(1)}`,
    skewLine(tracker.tableReports()),
  ].filter(Boolean);
  const shown = tracker.rejections.list().slice(-5);
  const rejected = shown.length
    ? `### Rejected requests (${n(tracker.rejections.total)}, newest ${shown.length})\n\n${shown.map((r) => `- ${r.receivedAt} ${r.name}: ${r.reason}`).join('\n')}`
    : '';
  const error = tracker.state === 'failed' && tracker.error ? `Error: ${clip(tracker.error, 800)}` : '';
  return [
    headline(tracker),
    error,
    failedSection(failed),
    gateSection(held),
    commandsSection(tracker, failed, held),
    facts.join('  \n'),
    tables.length ? tablesBlock(tables, tracker.tableCount) : '',
    rejected,
  ]
    .filter(Boolean)
    .join('\n\n');
}
