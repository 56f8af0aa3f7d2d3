import { describe, expect, it } from 'vitest';
import { describeIssues, MonthlyRefreshInputSchema } from '../../../src/workflows/input.js';

const parse = (value: unknown) => MonthlyRefreshInputSchema.safeParse(value);

function issuesOf(value: unknown): string {
  const result = parse(value);
  expect(result.success).toBe(false);
  return describeIssues(result.error!);
}

describe('MonthlyRefreshInputSchema', () => {
  it('accepts the minimal input (environment only)', () => {
    expect(parse({ environment: 'local' })).toEqual({ success: true, data: { environment: 'local' } });
  });

  it('accepts a snapshot date and a table filter', () => {
    const input = { environment: 'prod', snapshotDt: '2024-02-29', tables: ['IBE_01', 'addressable_ids'] };
    expect(parse(input)).toEqual({ success: true, data: input });
  });

  it('rejects a missing environment', () => {
    expect(issuesOf({})).toMatch(/^environment:/);
  });

  it.each(['Prod', 'prod_1', '', 'a'.repeat(33)])('rejects environment %j', (environment) => {
    expect(issuesOf({ environment })).toMatch(/^environment: must be a lower-case environment name/);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-10-1', '20261001', ''])('rejects snapshot date %j', (snapshotDt) => {
    expect(issuesOf({ environment: 'local', snapshotDt })).toBe('snapshotDt: must be a real calendar date YYYY-MM-DD');
  });

  it('names the index of a bad table', () => {
    expect(issuesOf({ environment: 'local', tables: ['IBE_01', 'x;drop'] })).toMatch(/^tables\.1: table names are/);
  });

  it('accepts 1000 tables and rejects 1001', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `T${i}`);
    expect(parse({ environment: 'local', tables: names(1000) }).success).toBe(true);
    expect(issuesOf({ environment: 'local', tables: names(1001) })).toMatch(/^tables:/);
  });

  it('rejects unknown keys (strict), e.g. a misspelt snapshot field', () => {
    expect(issuesOf({ environment: 'local', snapshot_dt: '2026-10-01' })).toMatch(/snapshot_dt/);
  });

  it('joins several problems with "; " and labels top-level ones "input"', () => {
    const text = issuesOf({ environment: 'BAD', snapshotDt: 'x' });
    expect(text.split('; ')).toHaveLength(2);
    expect(issuesOf(null)).toMatch(/^input:/);
  });
});
