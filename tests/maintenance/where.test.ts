import { describe, expect, it } from 'vitest';
import { parseWhere, whereSql } from '../../src/domain/maintenanceWhere.js';

describe('OPTIMIZE WHERE grammar', () => {
  it('parses column op literal joined by AND and rebuilds canonical SQL', () => {
    const conditions = parseWhere("snapshot_dt >= '2026-09-01' and region <> 'eu-west' AND bucket < 10");
    expect(conditions).toEqual([
      { column: 'snapshot_dt', op: '>=', value: '2026-09-01' },
      { column: 'region', op: '!=', value: 'eu-west' },
      { column: 'bucket', op: '<', value: 10 },
    ]);
    expect(whereSql(conditions)).toBe("snapshot_dt >= '2026-09-01' AND region != 'eu-west' AND bucket < 10");
  });

  it.each([
    "snapshot_dt >= '2026-09-01' OR 1=1",
    "snapshot_dt = '2026-09-01'; DROP TABLE x",
    "snapshot_dt = '2026-09-01' -- comment",
    "snapshot_dt = 'it''s'",
    'snapshot_dt = (SELECT max(dt) FROM t)',
    'lower(region) = 1',
    '"snapshot_dt" = 1',
    '',
  ])('refuses %j', (where) => {
    expect(() => parseWhere(where)).toThrow(/only "column op literal" conditions/);
  });
});
