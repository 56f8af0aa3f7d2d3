import { describe, expect, it } from 'vitest';
import { compactQuality, type TableQualityResult } from '../../../src/domain/qualityResult.js';

const check = (name: string, status: 'pass' | 'warn' | 'fail') => ({ check: name, expected: 'e', observed: 'o', status, message: `IBE_01: ${name} ${status}` });

describe('compactQuality', () => {
  const full: TableQualityResult = {
    table: 'IBE_01',
    snapshotDt: '2026-11-01',
    baselineSnapshotDt: '2026-10-01',
    checks: [check('rows.change', 'fail'), check('schema.added', 'pass'), check('nullRate', 'warn'), check('schema.removed', 'pass')],
    verdict: 'fail',
    metrics: { rows: 10, columns: { customer_user_id: { nulls: 0, empty: 1 } } },
  };

  it('keeps what warned or failed and the verdict, counts the passes, drops the metrics', () => {
    const compact = compactQuality(full);
    expect(compact).toEqual({
      table: 'IBE_01',
      snapshotDt: '2026-11-01',
      baselineSnapshotDt: '2026-10-01',
      checks: [full.checks[0], full.checks[2]],
      verdict: 'fail',
      passedUnlisted: 2,
    });
    expect(compactQuality(compact)).toEqual(compact);
  });

  it('a result with every check passing lists none', () => {
    const passing = { ...full, checks: [check('a', 'pass')], verdict: 'pass' as const };
    expect(compactQuality(passing)).toMatchObject({ checks: [], verdict: 'pass', passedUnlisted: 1 });
    expect(compactQuality({ ...full, checks: [], verdict: 'pass' })).not.toHaveProperty('passedUnlisted');
  });
});
