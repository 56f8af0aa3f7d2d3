/** The commands an operator types next for a parked refresh: copy-paste ready, with this run's id and tables. */

/** Up to this many failed tables are named in the commands; beyond, the commands ask for "all failed tables". */
const NAMED_TABLES_MAX = 20;

/** `2026-11-05 06:00 UTC`. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export interface NextCommandsInput {
  workflowId: string;
  snapshotDt?: string;
  failedTables: readonly string[];
}

/**
 * The validated path first (`flywheel reprocess`, `temporal workflow update execute`: a refused
 * request is answered with the reason), then the signal (fire-and-forget), then abandon.
 */
export function nextCommands({ workflowId, snapshotDt, failedTables }: NextCommandsInput): string[] {
  const named = failedTables.length > 0 && failedTables.length <= NAMED_TABLES_MAX;
  const payload = named ? JSON.stringify({ tables: failedTables }) : '{}';
  const target = snapshotDt ? `--snapshot ${snapshotDt}` : `--workflow-id ${workflowId}`;
  return [
    `npx flywheel reprocess ${target}${named ? ` --tables ${failedTables.join(',')}` : ''}`,
    `temporal workflow update execute --workflow-id ${workflowId} --name reprocess --input '${payload}'`,
    `temporal workflow signal --workflow-id ${workflowId} --name reprocess --input '${payload}'`,
    `temporal workflow signal --workflow-id ${workflowId} --name abandon --input '{"reason":"…"}'`,
  ];
}
