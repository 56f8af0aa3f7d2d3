import type { AssessedBucketSkew } from './bucketSkew.js';
import { band, percentOf, signedPercent, type DriftAction, type TableQualityPolicy } from './qualityPolicy.js';
import { bucketableType, normalizeColumnType, type BaselineProfile, type ObservedProfile } from './qualityProfile.js';
import { worstStatus, type CheckStatus, type QualityCheckResult, type TableQualityResult } from './qualityResult.js';
import { HIVE_BUCKET_TYPES } from './hiveBucketing.js';

export interface JudgeInput {
  table: string;
  snapshotDt: string;
  bucketColumn: string;
  policy: TableQualityPolicy;
  observed: ObservedProfile;
  /** Absent on a table's first run: it passes with a note. */
  baseline?: BaselineProfile;
  dataScannedBytes?: number;
}

const n = (value: number) => value.toLocaleString('en-US');
const statusOf = (ok: boolean): CheckStatus => (ok ? 'pass' : 'fail');
const driftStatus = (action: DriftAction): CheckStatus => (action === 'allow' ? 'pass' : action);

/** `last month` when the baseline is the calendar month before, else `on 2026-07-01`. */
function when(baseline: BaselineProfile, snapshotDt: string): string {
  const [y, m] = snapshotDt.split('-').map(Number) as [number, number];
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  return baseline.snapshotDt.startsWith(previous) ? 'last month' : `on ${baseline.snapshotDt}`;
}

function schemaChecks(input: JudgeInput, baseline: BaselineProfile): QualityCheckResult[] {
  const { table, policy } = input;
  const before = new Map(baseline.columns.map((c) => [c.name.toLowerCase(), c]));
  const now = new Map(input.observed.columns.map((c) => [c.name.toLowerCase(), c]));
  const out: QualityCheckResult[] = [];
  const since = `${baseline.snapshotDt}`;
  const removed = [...before.values()].filter((c) => !now.has(c.name.toLowerCase()));
  const added = [...now.values()].filter((c) => !before.has(c.name.toLowerCase()));
  const retyped = [...now.values()].flatMap((c) => {
    const old = before.get(c.name.toLowerCase());
    return old && normalizeColumnType(old.type) !== normalizeColumnType(c.type) ? [{ column: c, old }] : [];
  });
  const verdictWord = (action: DriftAction) => (action === 'allow' ? 'allowed' : action === 'warn' ? 'warning' : 'stops the table');
  const none = (check: string, what: string): QualityCheckResult => ({
    check,
    expected: `schema.${what}: ${policy.schemaDrift[what as DriftKey]}`,
    observed: 'none',
    status: 'pass',
    message: `${table}: no ${what} columns since ${since}`,
  });
  type DriftKey = keyof TableQualityPolicy['schemaDrift'];
  if (removed.length === 0) out.push(none('schema.removed', 'removed'));
  for (const c of removed) {
    out.push({
      check: 'schema.removed',
      column: c.name,
      expected: `${c.name} ${normalizeColumnType(c.type)} (as on ${since}); removed columns: ${policy.schemaDrift.removed}`,
      observed: 'missing',
      status: driftStatus(policy.schemaDrift.removed),
      message: `${table}: column ${c.name} (${normalizeColumnType(c.type)}) removed since ${since} — ${verdictWord(policy.schemaDrift.removed)}`,
    });
  }
  if (retyped.length === 0) out.push(none('schema.retyped', 'retyped'));
  for (const { column, old } of retyped) {
    const from = normalizeColumnType(old.type);
    const to = normalizeColumnType(column.type);
    out.push({
      check: 'schema.retyped',
      column: column.name,
      expected: `${from} (as on ${since}); retyped columns: ${policy.schemaDrift.retyped}`,
      observed: to,
      status: driftStatus(policy.schemaDrift.retyped),
      message: `${table}: column ${column.name} retyped ${from} → ${to} since ${since} — ${verdictWord(policy.schemaDrift.retyped)}`,
    });
  }
  if (added.length === 0) out.push(none('schema.added', 'added'));
  for (const c of added) {
    out.push({
      check: 'schema.added',
      column: c.name,
      expected: `columns of ${since}; added columns: ${policy.schemaDrift.added}`,
      observed: `${c.name} ${normalizeColumnType(c.type)}`,
      status: driftStatus(policy.schemaDrift.added),
      message: `${table}: column ${c.name} (${normalizeColumnType(c.type)}) added since ${since} — ${verdictWord(policy.schemaDrift.added)}`,
    });
  }
  return out;
}

function bucketColumnCheck({ table, bucketColumn, observed }: JudgeInput): QualityCheckResult {
  const column = observed.columns.find((c) => c.name.toLowerCase() === bucketColumn.toLowerCase());
  const expected = `present, one of ${HIVE_BUCKET_TYPES.join(', ')}`;
  if (!column) {
    return { check: 'schema.bucketColumn', column: bucketColumn, expected, observed: 'missing', status: 'fail', message: `${table}: bucket column ${bucketColumn} is missing` };
  }
  const type = normalizeColumnType(column.type);
  const ok = bucketableType(column.type) !== undefined;
  return {
    check: 'schema.bucketColumn',
    column: bucketColumn,
    expected,
    observed: type,
    status: statusOf(ok),
    message: ok
      ? `${table}: bucket column ${bucketColumn} present (${type})`
      : `${table}: bucket column ${bucketColumn} has type ${type}, Hive bucketing v1 needs one of ${HIVE_BUCKET_TYPES.join(', ')}`,
  };
}

function rowChangeCheck({ table, snapshotDt, policy, observed }: JudgeInput, baseline: BaselineProfile): QualityCheckResult {
  const expected = `${band(policy)} of ${n(baseline.rows)}`;
  if (baseline.rows === 0) {
    return { check: 'rows.change', expected, observed: n(observed.rows), status: 'pass', message: `${table}: rows ${n(observed.rows)}; the baseline (${baseline.snapshotDt}) had none, so no change to judge` };
  }
  const change = ((observed.rows - baseline.rows) / baseline.rows) * 100;
  const ok = change >= policy.rowChange.minPercent && change <= policy.rowChange.maxPercent;
  return {
    check: 'rows.change',
    expected,
    observed: `${n(observed.rows)} (${signedPercent(change)})`,
    status: statusOf(ok),
    message: `${table}: rows ${n(observed.rows)} vs ${n(baseline.rows)} ${when(baseline, snapshotDt)} (${signedPercent(change)}), band ${band(policy)}`,
  };
}

function nullRateCheck(table: string, column: string, nulls: number, rows: number, max: number): QualityCheckResult {
  const rate = rows === 0 ? 0 : nulls / rows;
  return {
    check: 'nullRate',
    column,
    expected: `≤ ${percentOf(max)} null or empty`,
    observed: `${percentOf(rate)} (${n(nulls)} of ${n(rows)})`,
    status: statusOf(rate <= max),
    message: `${table}: ${column} null or empty in ${percentOf(rate)} of rows (${n(nulls)} of ${n(rows)}), max ${percentOf(max)}`,
  };
}

function columnChecks({ table, policy, observed, bucketColumn }: JudgeInput): QualityCheckResult[] {
  const out: QualityCheckResult[] = [];
  for (const [name, bounds] of Object.entries(policy.columns)) {
    const column = observed.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const stats = column ? observed.stats[column.name] : undefined;
    if (!column || !stats) {
      if (bounds.required) {
        out.push({ check: 'nullRate', column: name, expected: 'column present', observed: 'missing', status: 'fail', message: `${table}: column ${name} has expectations but is not in the staged table` });
      }
      continue;
    }
    if (bounds.maxNullRate !== undefined && column.name.toLowerCase() !== bucketColumn.toLowerCase()) {
      out.push(nullRateCheck(table, column.name, stats.nullOrEmpty, observed.rows, bounds.maxNullRate));
    }
    if ((bounds.minDistinct !== undefined || bounds.maxDistinct !== undefined) && stats.distinct !== undefined) {
      const low = bounds.minDistinct ?? 0;
      const high = bounds.maxDistinct ?? Infinity;
      const expected = bounds.maxDistinct === undefined ? `≥ ${n(low)} distinct` : bounds.minDistinct === undefined ? `≤ ${n(high)} distinct` : `${n(low)}…${n(high)} distinct`;
      const ok = stats.distinct >= low && stats.distinct <= high;
      out.push({
        check: 'distinct',
        column: column.name,
        expected,
        observed: `${n(stats.distinct)} distinct`,
        status: statusOf(ok),
        message: `${table}: ${column.name} has ${n(stats.distinct)} distinct values, expected ${expected}`,
      });
    }
  }
  return out;
}

/** `onFailure: warn`: a violation is reported but never stops the table. */
function soften(checks: QualityCheckResult[], policy: TableQualityPolicy): QualityCheckResult[] {
  return policy.onFailure === 'warn' ? checks.map((c) => (c.status === 'fail' ? { ...c, status: 'warn' as const } : c)) : checks;
}

/**
 * The gate's verdict on one staged table: the schema contract, drift, row change and null/distinct
 * bounds against the baseline (what the last successful run published). No baseline: passes with a note.
 */
export function judgeTableQuality(input: JudgeInput): TableQualityResult {
  const { table, snapshotDt, policy, observed, baseline, dataScannedBytes } = input;
  const base = { table, snapshotDt, ...(dataScannedBytes !== undefined ? { dataScannedBytes } : {}) };
  if (!policy.enabled) return { ...base, checks: [], verdict: 'pass', note: `quality checks are disabled for ${table}` };
  const bucketNulls = observed.stats[input.bucketColumn]?.nullOrEmpty;
  const checks: QualityCheckResult[] = [bucketColumnCheck(input)];
  if (baseline) checks.push(...schemaChecks(input, baseline), rowChangeCheck(input, baseline));
  if (bucketNulls !== undefined) checks.push(nullRateCheck(table, input.bucketColumn, bucketNulls, observed.rows, policy.bucketColumnMaxNullRate));
  checks.push(...columnChecks(input));
  const judged = soften(checks, policy);
  const metrics = {
    rows: observed.rows,
    columns: Object.fromEntries(
      Object.entries(observed.stats).map(([name, s]) => [name, { nulls: s.nulls, empty: s.empty, ...(s.distinct !== undefined ? { distinct: s.distinct } : {}) }]),
    ),
  };
  return {
    ...base,
    ...(baseline ? { baselineSnapshotDt: baseline.snapshotDt } : {}),
    metrics,
    checks: judged,
    verdict: worstStatus(judged),
    ...(baseline ? {} : { note: `first run of ${table}: no published snapshot to compare with; schema drift and row change pass` }),
  };
}

/** Validation's bucket skew as a quality check: `skewed` warns (validation itself fails it under `onBucketSkew: fail`). */
export function withBucketSkew(result: TableQualityResult, skew: AssessedBucketSkew): TableQualityResult {
  const ratio = skew.maxOverMedian === null ? 'n/a' : skew.maxOverMedian.toFixed(2);
  const check: QualityCheckResult = {
    check: 'bucketSkew',
    expected: `max/median ≤ ${skew.maxAllowed}`,
    observed: `${ratio} (${skew.verdict}; min ${n(skew.minRows)}, median ${n(skew.medianRows)}, max ${n(skew.maxRows)} rows)`,
    status: skew.verdict === 'skewed' ? 'warn' : 'pass',
    message: `${result.table}: bucket skew max/median ${ratio} (${skew.verdict}), limit ${skew.maxAllowed}`,
  };
  const checks = [...result.checks.filter((c) => c.check !== 'bucketSkew'), check];
  return { ...result, checks, verdict: worstStatus(checks) };
}
