import { assertSnapshotDt, compactSnapshotDt } from './snapshotDate.js';

/**
 * Where the existing split/bucket jobs write a table's snapshot, below `layout.stagedPrefix`:
 * `layout.stagedPathTemplate`, e.g. `{table}/snapshot_dt={snapshotDt}/` (the default) or
 * `{snapshotDtCompact}/{tableLower}/`. Pure: rendering and checking only.
 */
export const DEFAULT_STAGED_PATH_TEMPLATE = '{table}/snapshot_dt={snapshotDt}/';

export const STAGED_PATH_PLACEHOLDERS = {
  /** The source table name as discovered and passed in `--TABLES_FILTER` (`IBE_01`, `addressable_ids`). */
  table: (t: string) => t,
  /** The same, lower case (`ibe_01`). */
  tableLower: (t: string) => t.toLowerCase(),
  /** `--SNAPSHOT_DT`, `yyyy-mm-dd`. */
  snapshotDt: (_t: string, dt: string) => dt,
  /** The snapshot as `yyyymmdd`. */
  snapshotDtCompact: (_t: string, dt: string) => compactSnapshotDt(dt),
} as const;

type Placeholder = keyof typeof STAGED_PATH_PLACEHOLDERS;
const TABLE_PLACEHOLDERS: readonly Placeholder[] = ['table', 'tableLower'];
const SNAPSHOT_PLACEHOLDERS: readonly Placeholder[] = ['snapshotDt', 'snapshotDtCompact'];
const PLACEHOLDER = /\{([^{}]*)\}/g;
/** What a segment may contain besides placeholders: the characters of a config prefix. */
const LITERAL = /^[A-Za-z0-9_.=-]*$/;

const placeholdersIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

/** Every problem with a template, as sentences; empty when it is usable. */
export function stagedPathTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  if (!template.endsWith('/')) problems.push('must end with "/"');
  if (template.startsWith('/')) problems.push('must be relative (no leading "/")');
  const segments = template.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '')) problems.push('must not contain empty segments ("//")');
  if (segments.some((s) => s === '.' || s === '..')) problems.push('must not contain "." or ".." segments');
  const unknown = placeholdersIn(template).filter((p) => !(p in STAGED_PATH_PLACEHOLDERS));
  if (unknown.length) problems.push(`unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(', ')}; use ${Object.keys(STAGED_PATH_PLACEHOLDERS).map((p) => `{${p}}`).join(', ')}`);
  if (segments.some((s) => !LITERAL.test(s.replace(PLACEHOLDER, '')))) problems.push('segments may only hold letters, digits, "_", ".", "=", "-" and placeholders');
  const used = placeholdersIn(template);
  if (!used.some((p) => (TABLE_PLACEHOLDERS as string[]).includes(p))) problems.push('must contain {table} or {tableLower} (tables would share a location)');
  if (!used.some((p) => (SNAPSHOT_PLACEHOLDERS as string[]).includes(p))) problems.push('must contain {snapshotDt} or {snapshotDtCompact} (snapshots would share a location)');
  return problems;
}

function render(text: string, table: string, snapshotDt: string): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    const fill = STAGED_PATH_PLACEHOLDERS[name as Placeholder];
    if (!fill) throw new Error(`unknown placeholder {${name}} in layout.stagedPathTemplate`);
    return fill(table, snapshotDt);
  });
}

/** The snapshot's staged path below the staged prefix, e.g. `IBE_01/snapshot_dt=2026-10-01/`. */
export function renderStagedPath(template: string, table: string, snapshotDt: string): string {
  return render(template, table, assertSnapshotDt(snapshotDt));
}

/**
 * The table's own root below the staged prefix: the template's leading segments that do not depend on
 * the snapshot (`IBE_01/` for the default; `''` when the snapshot comes first: tables then share it).
 */
export function stagedTableRootPath(template: string, table: string): string {
  const segments = template.replace(/\/$/, '').split('/');
  const firstDated = segments.findIndex((s) => placeholdersIn(s).some((p) => (SNAPSHOT_PLACEHOLDERS as string[]).includes(p)));
  const leading = segments.slice(0, firstDated < 0 ? segments.length : firstDated);
  return leading.map((s) => `${render(s, table, '1970-01-01')}/`).join('');
}
