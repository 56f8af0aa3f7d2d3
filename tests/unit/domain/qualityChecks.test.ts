import { describe, expect, it } from 'vitest';
import { QualitySchema } from '../../../src/config/qualitySchema.js';
import { bucketSkewOf } from '../../../src/domain/bucketSkew.js';
import { judgeTableQuality, withBucketSkew, type JudgeInput } from '../../../src/domain/qualityChecks.js';
import { pickBaseline, profileFromParameters, profileParameters } from '../../../src/domain/qualityBaseline.js';
import { describeQualityChecks, tableQualityPolicy } from '../../../src/domain/qualityPolicy.js';
import { parseProfileRow, profiledColumns, profileSql, type BaselineProfile } from '../../../src/domain/qualityProfile.js';

const defaults = QualitySchema.parse({});
/** Column stats with `empty` empty strings and no NULLs. */
const st = (empty: number, distinct?: number) => ({ nullOrEmpty: empty, nulls: 0, empty, ...(distinct !== undefined ? { distinct } : {}) });
const columns = [
  { name: 'customer_user_id', type: 'VARCHAR' },
  { name: 'age', type: 'BIGINT' },
  { name: 'email', type: 'VARCHAR' },
];
const baseline: BaselineProfile = { snapshotDt: '2026-09-01', rows: 981_442, columns };

function judge(over: Partial<JudgeInput> & { rows?: number; nulls?: number } = {}) {
  const rows = over.rows ?? 981_442;
  return judgeTableQuality({
    table: 'IBE_04',
    snapshotDt: '2026-10-01',
    bucketColumn: 'customer_user_id',
    policy: tableQualityPolicy(defaults, 'IBE_04'),
    observed: { rows, columns, stats: { customer_user_id: st(over.nulls ?? 0) } },
    baseline,
    ...over,
  });
}

const failed = (r: ReturnType<typeof judge>) => r.checks.filter((c) => c.status === 'fail').map((c) => c.message);

describe('quality checks (domain)', () => {
  it('an unchanged table passes every check', () => {
    const result = judge();
    expect(result.verdict).toBe('pass');
    expect(result.metrics).toEqual({ rows: 981_442, columns: { customer_user_id: { nulls: 0, empty: 0 } } });
    expect(result.baselineSnapshotDt).toBe('2026-09-01');
    expect(result.checks.map((c) => c.check)).toEqual([
      'schema.bucketColumn',
      'schema.removed',
      'schema.retyped',
      'schema.added',
      'rows.change',
      'nullRate',
    ]);
  });

  it('−58 % rows fails with the numbers in words', () => {
    const result = judge({ rows: 412_118 });
    expect(result.verdict).toBe('fail');
    expect(failed(result)).toEqual(['IBE_04: rows 412,118 vs 981,442 last month (\u221258 %), band \u221220 %\u2026+50 %']);
    const check = result.checks.find((c) => c.check === 'rows.change')!;
    expect(check.expected).toBe('\u221220 %\u2026+50 % of 981,442');
    expect(check.observed).toBe('412,118 (\u221258 %)');
  });

  it('a baseline older than last month is named by date; the band edges are inclusive', () => {
    const result = judge({ rows: Math.round(981_442 * 1.5), baseline: { ...baseline, snapshotDt: '2026-07-01' } });
    expect(result.verdict).toBe('pass');
    expect(result.checks.find((c) => c.check === 'rows.change')!.message).toContain('vs 981,442 on 2026-07-01 (+50 %)');
  });

  it('removed and retyped columns stop the table, an added column is allowed', () => {
    const observed = {
      rows: 981_442,
      columns: [{ name: 'customer_user_id', type: 'VARCHAR' }, { name: 'age', type: 'VARCHAR' }, { name: 'segment', type: 'VARCHAR' }],
      stats: { customer_user_id: st(0) },
    };
    const result = judge({ observed });
    expect(result.verdict).toBe('fail');
    expect(failed(result)).toEqual([
      'IBE_04: column email (string) removed since 2026-09-01 — stops the table',
      'IBE_04: column age retyped bigint → string since 2026-09-01 — stops the table',
    ]);
    const added = result.checks.find((c) => c.check === 'schema.added')!;
    expect(added).toMatchObject({ column: 'segment', status: 'pass', message: 'IBE_04: column segment (string) added since 2026-09-01 — allowed' });
  });

  it('drift actions come from config, per table', () => {
    const quality = QualitySchema.parse({ schemaDrift: { added: 'fail' }, tables: { IBE_04: { schemaDrift: { removed: 'warn' } } } });
    const observed = { rows: 981_442, columns: [columns[0]!, columns[1]!, { name: 'x', type: 'INTEGER' }], stats: { customer_user_id: st(0) } };
    const result = judge({ observed, policy: tableQualityPolicy(quality, 'IBE_04') });
    expect(result.checks.find((c) => c.check === 'schema.removed')!.status).toBe('warn');
    expect(result.checks.find((c) => c.check === 'schema.added')!.status).toBe('fail');
    expect(tableQualityPolicy(quality, 'IBE_05').schemaDrift).toEqual({ added: 'fail', removed: 'fail', retyped: 'fail' });
  });

  it('35 % empty bucket keys fails against the 5 % default', () => {
    const result = judge({ rows: 20_000, baseline: { ...baseline, rows: 20_000 }, nulls: 7_000 });
    expect(failed(result)).toEqual(['IBE_04: customer_user_id null or empty in 35 % of rows (7,000 of 20,000), max 5 %']);
  });

  it('a missing or unbucketable bucket column fails', () => {
    const missing = judge({ observed: { rows: 10, columns: [columns[1]!], stats: {} }, baseline: undefined });
    expect(failed(missing)).toEqual(['IBE_04: bucket column customer_user_id is missing']);
    const double = judge({ observed: { rows: 10, columns: [{ name: 'customer_user_id', type: 'DOUBLE' }], stats: { customer_user_id: st(0) } }, baseline: undefined });
    expect(failed(double)[0]).toMatch(/^IBE_04: bucket column customer_user_id has type double, Hive bucketing v1 needs one of string, bigint/);
  });

  it('a first run (no baseline) passes with a note', () => {
    const result = judge({ baseline: undefined, rows: 5 });
    expect(result.verdict).toBe('pass');
    expect(result.baselineSnapshotDt).toBeUndefined();
    expect(result.note).toBe('first run of IBE_04: no published snapshot to compare with; schema drift and row change pass');
    expect(result.checks.map((c) => c.check)).toEqual(['schema.bucketColumn', 'nullRate']);
  });

  it('onFailure: warn reports the same violations as warnings', () => {
    const quality = QualitySchema.parse({ tables: { IBE_04: { onFailure: 'warn' } } });
    const result = judge({ rows: 412_118, policy: tableQualityPolicy(quality, 'IBE_04') });
    expect(result.verdict).toBe('warn');
    expect(result.checks.find((c) => c.check === 'rows.change')!.status).toBe('warn');
  });

  it('per-column null-rate and distinct bounds; a table-named column that is missing fails', () => {
    const quality = QualitySchema.parse({
      columns: { email: { maxNullRate: 0.1 }, nowhere: { minDistinct: 1 } },
      tables: { IBE_04: { columns: { age: { minDistinct: 10, maxDistinct: 200 }, gone: { maxNullRate: 0.5 } } } },
    });
    const policy = tableQualityPolicy(quality, 'IBE_04');
    const stats = { customer_user_id: st(0), email: st(300), age: st(0, 3) };
    const result = judge({ rows: 1000, baseline: { ...baseline, rows: 1000 }, policy, observed: { rows: 1000, columns, stats } });
    expect(failed(result)).toEqual([
      'IBE_04: email null or empty in 30 % of rows (300 of 1,000), max 10 %',
      'IBE_04: age has 3 distinct values, expected 10…200 distinct',
      'IBE_04: column gone has expectations but is not in the staged table',
    ]);
    expect(profiledColumns(policy, 'customer_user_id', columns)).toEqual([
      { name: 'customer_user_id', text: true, distinct: false },
      { name: 'email', text: true, distinct: false },
      { name: 'age', text: false, distinct: true },
    ]);
  });

  it('disabled: no checks, passes with a note', () => {
    const result = judge({ policy: tableQualityPolicy(QualitySchema.parse({ enabled: false }), 'IBE_04'), rows: 1 });
    expect(result).toMatchObject({ verdict: 'pass', checks: [], note: 'quality checks are disabled for IBE_04' });
  });

  it('bucket skew from validation becomes a check (skewed warns)', () => {
    const skew = { ...bucketSkewOf([100, 100, 400]), verdict: 'skewed' as const, maxAllowed: 1.5 };
    const result = withBucketSkew(judge(), skew);
    expect(result.verdict).toBe('warn');
    expect(result.checks.at(-1)).toMatchObject({ check: 'bucketSkew', status: 'warn', message: 'IBE_04: bucket skew max/median 4.00 (skewed), limit 1.5' });
  });

  it('one profile query for every count, parsed by position', () => {
    const cols = [{ name: 'customer_user_id', text: true, distinct: false }, { name: 'age', text: false, distinct: true }];
    expect(profileSql('"db"."t"', `"snapshot_dt" = '2026-10-01'`, cols)).toBe(
      `SELECT count(*), count(*) FILTER (WHERE "customer_user_id" IS NULL), count(*) FILTER (WHERE trim("customer_user_id") = ''), ` +
        `count(*) FILTER (WHERE "age" IS NULL), count(DISTINCT "age") FROM "db"."t" WHERE "snapshot_dt" = '2026-10-01'`,
    );
    expect(parseProfileRow(cols, ['10', '1', '2', '0', '7'])).toEqual({
      rows: 10,
      stats: { customer_user_id: { nullOrEmpty: 3, nulls: 1, empty: 2 }, age: { nullOrEmpty: 0, nulls: 0, empty: 0, distinct: 7 } },
    });
    expect(() => parseProfileRow(cols, ['10', '2', '0'])).toThrow(/expected a count for age nulls/);
  });

  it('baselines round-trip through table properties; the newest earlier snapshot wins', () => {
    const params = profileParameters(baseline);
    expect(profileFromParameters(params)).toEqual(baseline);
    expect(profileFromParameters({ ...params, 'flywheel.quality.columns': '{bad' })).toBeUndefined();
    const candidates = ['2026-08-01', '2026-09-01', '2026-10-01'].map((dt) => ({ parameters: profileParameters({ ...baseline, snapshotDt: dt }) }));
    expect(pickBaseline([...candidates, { parameters: undefined }], '2026-10-01')?.snapshotDt).toBe('2026-09-01');
    expect(pickBaseline(candidates, '2026-08-01')).toBeUndefined();
  });

  it('the plan says what will be checked', () => {
    const lines = describeQualityChecks(tableQualityPolicy(defaults, 'IBE_04'), 'customer_user_id');
    expect(lines).toContain('rows: change within \u221220 %\u2026+50 % of the last published snapshot');
    expect(lines).toContain('customer_user_id: null or empty in at most 5 % of rows');
    expect(lines.at(-1)).toBe('on a violation: stop at awaiting-approval');
  });
});
