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
