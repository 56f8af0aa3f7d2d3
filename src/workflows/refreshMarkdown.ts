import type { RefreshTracker } from './refreshTracker.js';

/** Table rows shown in the UI details; the rest are counted ("… and 940 more"). */
export const MARKDOWN_TABLES_MAX = 60;

/** The Web UI's "current details" of a refresh: state, per-table progress, rejected requests. */
export function markdownDetails(tracker: RefreshTracker): string {
  const lineage = `lineage ${tracker.lineage.status}${tracker.lineage.reason ? ` (${tracker.lineage.reason.slice(0, 80)})` : ''}`;
  const shown = tracker.rejections.list().slice(-5);
  const rejected = shown.length
    ? `\n\nRejected requests (${tracker.rejections.total}, newest ${shown.length}):\n${shown.map((r) => `- ${r.receivedAt} ${r.name}: ${r.reason.replaceAll('|', '\\|')}`).join('\n')}`
    : '';
  const header = `**${tracker.state}** · snapshot ${tracker.snapshotDt ?? '(discovering)'} · stage ${tracker.stage} · ${lineage}\n\n`;
  const tables = tracker.tablesForOperators(MARKDOWN_TABLES_MAX);
  const rows = tables.map(
    (t) =>
      `| ${t.name} | ${t.stage} | ${t.state} | ${t.attempts} | ${t.rowsBucketed ?? ''} | ${t.bucketFiles ?? ''} | ${(t.lastError ?? '').replaceAll('|', '\\|').slice(0, 120)} |`,
  );
  const more = tracker.tableCount > tables.length ? `\n\n… and ${tracker.tableCount - tables.length} more tables (query \`status\`)` : '';
  return `${header}| table | stage | state | attempts | rows | buckets | last error |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}${more}${rejected}`;
}
