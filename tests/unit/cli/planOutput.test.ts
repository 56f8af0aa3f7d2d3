import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/cli/planOutput.js';
import { parseConfig } from '../../../src/config/load.js';
import type { RefreshPlan } from '../../../src/domain/plan.js';

const config = (quality: Record<string, unknown> = {}) =>
  parseConfig(
    { environment: 'prod', backend: 'local', tables: { infobase: ['IBE_01', 'IBE_04'] }, catalog: { database: 'omc' }, quality },
    'test config',
    {},
  );

const plan: RefreshPlan = {
  environment: 'prod',
  snapshotDt: '2026-11-01',
  tables: [
    { name: 'IBE_01', kind: 'infobase', sourceBytes: 1024 ** 2, sourceFiles: 1, stagedFileCount: 1, sourceLocation: '/lake/IBE_01/' },
    { name: 'IBE_04', kind: 'infobase', sourceBytes: 1024 ** 2, sourceFiles: 1, stagedFileCount: 1, sourceLocation: '/lake/IBE_04/' },
  ],
  jobs: [],
  bucketColumn: 'customer_user_id',
  bucketCount: 256,
  tableConcurrency: 4,
  reprocessWaitSeconds: 3600,
  pricing: { glueUsdPerDpuHour: 0.44, athenaUsdPerTbScanned: 5 },
};

describe('--dry-run plan: the quality gate', () => {
  it('lists the checks that will run, and each table whose overrides differ', () => {
    const text = formatPlan(plan, config({ tables: { IBE_04: { rowChange: { minPercent: -60 }, onFailure: 'warn', columns: { email: { maxNullRate: 0.2 } } } } }));
    const gate = text.slice(text.indexOf('  quality gate'));
    expect(gate).toBe(
      [
        '  quality gate (staged table vs the last published snapshot, before the CTAS):',
        '    schema: customer_user_id present and bucketable; vs last published snapshot: added allow, removed fail, retyped fail',
        '    rows: change within \u221220 %\u2026+50 % of the last published snapshot',
        '    customer_user_id: null or empty in at most 5 % of rows',
        '    bucket skew from validation (validation.maxBucketSkew)',
        '    on a violation: stop at awaiting-approval',
        '    IBE_04:',
        '      schema: customer_user_id present and bucketable; vs last published snapshot: added allow, removed fail, retyped fail',
        '      rows: change within \u221260 %\u2026+50 % of the last published snapshot',
        '      customer_user_id: null or empty in at most 5 % of rows',
        '      email: null or empty ≤ 20 %',
        '      bucket skew from validation (validation.maxBucketSkew)',
        '      on a violation: warn only',
      ].join('\n'),
    );
  });

  it('says when the gate is off', () => {
    expect(formatPlan(plan, config({ enabled: false }))).toContain('  quality gate (staged table vs the last published snapshot, before the CTAS):\n    quality checks disabled');
  });
});
