import type { QualityConfig } from '../config/qualitySchema.js';

export type DriftAction = 'allow' | 'warn' | 'fail';

export interface ColumnExpectation {
  maxNullRate?: number;
  minDistinct?: number;
  maxDistinct?: number;
}

/** One table's expectations: the `quality` section with that table's overrides applied. */
export interface TableQualityPolicy {
  enabled: boolean;
  onFailure: 'fail' | 'warn';
  rowChange: { minPercent: number; maxPercent: number };
  bucketColumnMaxNullRate: number;
  schemaDrift: { added: DriftAction; removed: DriftAction; retyped: DriftAction };
  bucketSkew: boolean;
  /** Columns with their own bounds; `required` when the table's override names them (absent = a failure). */
  columns: Record<string, ColumnExpectation & { required: boolean }>;
}

/** The expectations for `table`: section-wide values, each replaced by the table's override where it has one. */
export function tableQualityPolicy(quality: QualityConfig, table: string): TableQualityPolicy {
  const own = quality.tables[table];
  const columns: TableQualityPolicy['columns'] = {};
  for (const [name, bounds] of Object.entries(quality.columns)) columns[name] = { ...bounds, required: false };
  for (const [name, bounds] of Object.entries(own?.columns ?? {})) columns[name] = { ...columns[name], ...bounds, required: true };
  return {
    enabled: own?.enabled ?? quality.enabled,
    onFailure: own?.onFailure ?? quality.onFailure,
    rowChange: { ...quality.rowChange, ...own?.rowChange },
    bucketColumnMaxNullRate: own?.bucketColumnMaxNullRate ?? quality.bucketColumnMaxNullRate,
    schemaDrift: { ...quality.schemaDrift, ...own?.schemaDrift },
    bucketSkew: quality.bucketSkew,
    columns,
  };
}

/** `−20 %`, `+50 %`, `0 %`: signed whole percent with a real minus sign. */
export function signedPercent(value: number): string {
  const rounded = Math.round(value);
  if (rounded === 0) return '0 %';
  return `${rounded < 0 ? '\u2212' : '+'}${Math.abs(rounded)} %`;
}

export const percentOf = (rate: number) => `${Number((rate * 100).toFixed(1))} %`;

export const band = (p: TableQualityPolicy) => `${signedPercent(p.rowChange.minPercent)}\u2026${signedPercent(p.rowChange.maxPercent)}`;

/** What the gate will check for a table, in words (for `--dry-run`). */
export function describeQualityChecks(policy: TableQualityPolicy, bucketColumn: string): string[] {
  if (!policy.enabled) return ['quality checks disabled'];
  const d = policy.schemaDrift;
  const lines = [
    `schema: ${bucketColumn} present and bucketable; vs last published snapshot: added ${d.added}, removed ${d.removed}, retyped ${d.retyped}`,
    `rows: change within ${band(policy)} of the last published snapshot`,
    `${bucketColumn}: null or empty in at most ${percentOf(policy.bucketColumnMaxNullRate)} of rows`,
  ];
  for (const [name, c] of Object.entries(policy.columns)) {
    const parts: string[] = [];
    if (c.maxNullRate !== undefined) parts.push(`null or empty ≤ ${percentOf(c.maxNullRate)}`);
    if (c.minDistinct !== undefined) parts.push(`≥ ${c.minDistinct.toLocaleString('en-US')} distinct`);
    if (c.maxDistinct !== undefined) parts.push(`≤ ${c.maxDistinct.toLocaleString('en-US')} distinct`);
    if (parts.length > 0) lines.push(`${name}${c.required ? '' : ' (where present)'}: ${parts.join(', ')}`);
  }
  if (policy.bucketSkew) lines.push('bucket skew from validation (validation.maxBucketSkew)');
  lines.push(`on a violation: ${policy.onFailure === 'fail' ? 'stop at awaiting-approval' : 'warn only'}`);
  return lines;
}
