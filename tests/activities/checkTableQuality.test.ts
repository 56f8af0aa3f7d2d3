import { describe, expect, it } from 'vitest';
import { checkTableQuality } from '../../src/activities/quality.js';
import { bucketSkewOf } from '../../src/domain/bucketSkew.js';
import type { TableQualityResult } from '../../src/domain/qualityResult.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import type { CheckTableQualityRequest, TableQualityChecker } from '../../src/ports/tableQuality.js';

const table = { name: 'IBE_04', kind: 'infobase' as const, sourceBytes: 1, sourceFiles: 1, stagedFileCount: 1, sourceLocation: '/lake/IBE_04/' };
const input = { table, snapshotDt: '2026-11-01', bucketColumn: 'customer_user_id', bucketCount: 256 };
const passed: TableQualityResult = {
  table: 'IBE_04',
  snapshotDt: '2026-11-01',
  checks: [{ check: 'schema.bucketColumn', column: 'customer_user_id', expected: 'present', observed: 'string', status: 'pass', message: 'IBE_04: bucket column customer_user_id present (string)' }],
  verdict: 'pass',
};

function checker(result: TableQualityResult) {
  const requests: CheckTableQualityRequest[] = [];
  const port: TableQualityChecker = {
    checkStagedTable: async (request) => {
      requests.push(request);
      return result;
    },
    recordPublishedProfile: () => Promise.reject(new Error('not used')),
  };
  return { port, requests };
}

describe('checkTableQuality activity', () => {
  it("asks the backend about the staged table and returns its verdict", async () => {
    const { port, requests } = checker(passed);
    expect(await checkTableQuality(port, NO_CONTEXT, input, { includeBucketSkew: true })).toEqual(passed);
    expect(requests).toEqual([{ table, snapshotDt: '2026-11-01', bucketColumn: 'customer_user_id' }]);
  });

  it('adds validation’s bucket skew as a check when given and enabled (skewed: warn)', async () => {
    const skew = { ...bucketSkewOf([100, 100, 400]), verdict: 'skewed' as const, maxAllowed: 1.5 };
    const withSkew = await checkTableQuality(checker(passed).port, NO_CONTEXT, { ...input, bucketSkew: skew }, { includeBucketSkew: true });
    expect(withSkew.verdict).toBe('warn');
    expect(withSkew.checks.map((c) => c.check)).toEqual(['schema.bucketColumn', 'bucketSkew']);
    const off = await checkTableQuality(checker(passed).port, NO_CONTEXT, { ...input, bucketSkew: skew }, { includeBucketSkew: false });
    expect(off).toEqual(passed);
  });
});
