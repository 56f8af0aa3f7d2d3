/**
 * What the quality gate (issue 15) reports per table: the contract between the checks (computed by a
 * backend from the staged table, judged in src/domain) and the workflow that gates on them.
 */

/** `warn` never stops a table; `fail` stops it at `awaiting-approval` until an operator approves it. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface QualityCheckResult {
  /**
   * Which expectation: `schema.bucketColumn`, `schema.removed`, `schema.retyped`, `schema.added`,
   * `rows.change`, `nullRate` (bucket column or a configured column), `distinct`, `bucketSkew`.
   */
  check: string;
  /** The column the check is about, when it is about one. */
  column?: string;
  /** What was expected, in words a reader understands (`−20 %…+50 % of 981,442`). */
  expected: string;
  /** What was found (`412,118 (−58 %)`). */
  observed: string;
  status: CheckStatus;
  /** One line naming the table: `IBE_04: rows 412,118 vs 981,442 last month (−58 %), band −20 %…+50 %`. */
  message: string;
}

export interface TableQualityResult {
  table: string;
  snapshotDt: string;
  /** The snapshot the comparison is against: what the last successful run published. Absent on a first run. */
  baselineSnapshotDt?: string;
  checks: QualityCheckResult[];
  /** The worst status among the checks (`pass` when there are none). */
  verdict: CheckStatus;
  /** E.g. `first run of IBE_01: no published snapshot to compare with; passes`. */
  note?: string;
  /** Bytes the engine scanned for the checks (Athena: counted in the cost; 0 locally). */
  dataScannedBytes?: number;
  /** Checks that passed but are not listed (a compact result, see compactQuality). */
  passedUnlisted?: number;
  /** What was measured (for lineage's DataQualityMetrics): rows, and per measured column its counts. */
  metrics?: QualityMetrics;
}

export interface QualityMetrics {
  rows: number;
  columns: Record<string, { nulls: number; empty: number; distinct?: number }>;
}

/** An operator's approval of a table that failed the gate (kept in the report and lineage). */
export interface QualityApproval {
  reason: string;
  /** ISO time the workflow accepted it. */
  approvedAt: string;
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst status of `checks` (`pass` for none). */
export function worstStatus(checks: readonly Pick<QualityCheckResult, 'status'>[]): CheckStatus {
  return checks.reduce<CheckStatus>((worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst), 'pass');
}

/**
 * The result as a refresh's own state keeps it: the checks that warned or failed (what the status, the UI and
 * the CLI show), passing checks only counted, no metrics. A full result is ~1–2 KB per table; the refresh keeps
 * up to thousands of tables, while the manifest's per-table reports (and the full report) keep every check.
 */
export function compactQuality(result: TableQualityResult): TableQualityResult {
  const { metrics: _metrics, ...rest } = result;
  const listed = result.checks.filter((c) => c.status !== 'pass');
  const passed = result.checks.length - listed.length + (result.passedUnlisted ?? 0);
  return { ...rest, checks: listed, ...(passed > 0 ? { passedUnlisted: passed } : {}) };
}

/** A table's report as a refresh keeps it: its quality result compact (the rest as is). */
export function compactReport<T extends { quality?: TableQualityResult }>(report: T): T {
  return report.quality ? { ...report, quality: compactQuality(report.quality) } : report;
}
