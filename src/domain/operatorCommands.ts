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
  /** Tables held at the quality gate (issue 15): approve them, or fix the source and reprocess them. */
  awaitingApproval?: readonly string[];
}

/** Placeholder the operator replaces with why the table may be published anyway. */
export const APPROVAL_REASON_PLACEHOLDER = '…why this is fine…';

/**
 * `approve` for tables held at the quality gate: the CLI, the validated update, the signal. Beyond
 * {@link NAMED_TABLES_MAX} tables, the first ones are named (approvals always name their tables).
 */
export function approveCommands(workflowId: string, snapshotDt: string | undefined, tables: readonly string[]): string[] {
  if (tables.length === 0) return [];
  const named = tables.slice(0, NAMED_TABLES_MAX);
  const payload = JSON.stringify({ tables: named, reason: APPROVAL_REASON_PLACEHOLDER });
  const target = snapshotDt ? `--snapshot ${snapshotDt}` : `--workflow-id ${workflowId}`;
  return [
    `npx flywheel approve ${target} --tables ${named.join(',')} --reason "${APPROVAL_REASON_PLACEHOLDER}"`,
    `temporal workflow update execute --workflow-id ${workflowId} --name approve --input '${payload}'`,
    `temporal workflow signal --workflow-id ${workflowId} --name approve --input '${payload}'`,
  ];
}

/**
 * Approvals first when tables wait at the quality gate, then the validated path of reprocess
 * (`flywheel reprocess`, `temporal workflow update execute`: a refused request is answered with the
 * reason), then the signal (fire-and-forget), then abandon. A held table is reprocessed by name (it
 * restarts from split once its source is fixed); `{}` means the failed ones.
 */
export function nextCommands({ workflowId, snapshotDt, failedTables, awaitingApproval = [] }: NextCommandsInput): string[] {
  const toReprocess = [...failedTables, ...awaitingApproval];
  const named = toReprocess.length > 0 && toReprocess.length <= NAMED_TABLES_MAX;
  const payload = named ? JSON.stringify({ tables: toReprocess }) : '{}';
  const target = snapshotDt ? `--snapshot ${snapshotDt}` : `--workflow-id ${workflowId}`;
  return [
    ...approveCommands(workflowId, snapshotDt, awaitingApproval),
    `npx flywheel reprocess ${target}${named ? ` --tables ${toReprocess.join(',')}` : ''}`,
    `temporal workflow update execute --workflow-id ${workflowId} --name reprocess --input '${payload}'`,
    `temporal workflow signal --workflow-id ${workflowId} --name reprocess --input '${payload}'`,
    `temporal workflow signal --workflow-id ${workflowId} --name abandon --input '{"reason":"…"}'`,
  ];
}

/**
 * A shell command as `\`-continued lines of at most `width` characters, split before its ` --`
 * options (then at spaces): still copy-paste ready, and readable in the Web UI's narrow
 * current-details card. A single word longer than `width` stays whole on its own line, and nothing
 * is broken inside quotes (a `\` there would change the payload).
 */
export function wrapCommand(command: string, width: number): string[] {
  if (command.length <= width) return [command];
  const parts = shellWords(command).reduce<string[]>((acc, word) => {
    if (word.startsWith('--') || acc.length === 0) acc.push(word);
    else acc[acc.length - 1] += ` ${word}`;
    return acc;
  }, []);
  const words = parts.flatMap((part, i) => {
    const indent = i === 0 ? '' : '  ';
    if (indent.length + part.length + 2 <= width) return [part];
    return shellWords(part);
  });
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    const indent = lines.length ? 2 : 0;
    if (line && indent + next.length + 2 > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l, i) => `${i ? '  ' : ''}${l}${i < lines.length - 1 ? ' \\' : ''}`);
}

/** Splits at spaces outside '…' and "…" quotes. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ' ') {
      if (word) words.push(word);
      word = '';
      continue;
    }
    word += ch;
  }
  if (word) words.push(word);
  return words;
}
