import { describe, expect, it } from 'vitest';
import { validateBucketedTable } from '../../src/activities/tableStages.js';
import { bucketSkewOf, type BucketSkewPolicy } from '../../src/domain/bucketSkew.js';
import type { BucketedTableBuilder, TableValidation } from '../../src/ports/bucketedTables.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import type { RecordPublishedProfileRequest, TableQualityChecker } from '../../src/ports/tableQuality.js';

/** A builder whose validation reports what the test scripts (the activity only judges it). */
function reporting(validation: Partial<TableValidation>): BucketedTableBuilder {
  return {
    createBucketedTable: () => Promise.reject(new Error('not used')),
    validateBucketedTable: async () => ({ stagedRows: 600, bucketedRows: 600, bucketFiles: 3, customersInSeveralBuckets: 0, checks: [], problems: [], ...validation }),
  };
}

const table = { name: 'IBE_01', kind: 'infobase' as const, sourceBytes: 1, sourceFiles: 1, stagedFileCount: 1, sourceLocation: '/lake/IBE_01/' };
const input = { table, snapshotDt: '2026-10-01', bucketColumn: 'customer_user_id', bucketCount: 3 };
const warn: BucketSkewPolicy = { maxBucketSkew: 1.5, onBucketSkew: 'warn', minMedianRows: 50 };

describe('validateBucketedTable activity: bucket skew policy', () => {
  it('a skewed table succeeds with a warning by default, carrying the judged skew', async () => {
    const result = await validateBucketedTable(reporting({ bucketSkew: bucketSkewOf([100, 100, 400]) }), NO_CONTEXT, input, warn);
    expect(result.bucketSkew).toMatchObject({ maxOverMedian: 4, verdict: 'skewed', maxAllowed: 1.5 });
    expect(result.warnings).toEqual([expect.stringMatching(/^bucket skew max\/median 4.00 .* exceeds validation.maxBucketSkew 1.5$/)]);
  });

  it('fails the table with onBucketSkew: fail, with the other problems', async () => {
    const builder = reporting({ bucketSkew: bucketSkewOf([100, 100, 400]), problems: ['row count mismatch: staged 600, bucketed 599'] });
    await expect(validateBucketedTable(builder, NO_CONTEXT, input, { ...warn, onBucketSkew: 'fail' })).rejects.toThrow(
      /^IBE_01: row count mismatch: staged 600, bucketed 599; bucket skew max\/median 4.00/,
    );
  });

  it('an even table, or one the backend could not measure, has no warnings', async () => {
    expect((await validateBucketedTable(reporting({ bucketSkew: bucketSkewOf([190, 200, 210]) }), NO_CONTEXT, input, warn)).warnings).toEqual([]);
    const unmeasured = await validateBucketedTable(reporting({}), NO_CONTEXT, input, warn);
    expect(unmeasured.bucketSkew).toBeUndefined();
    expect(unmeasured.warnings).toEqual([]);
  });
});

describe('validateBucketedTable activity: the quality baseline', () => {
  const recorder = () => {
    const recorded: RecordPublishedProfileRequest[] = [];
    const quality: TableQualityChecker = {
      checkStagedTable: () => Promise.reject(new Error('not used')),
      recordPublishedProfile: async (request) => {
        recorded.push(request);
      },
    };
    return { quality, recorded };
  };

  it('a table that validates has its snapshot recorded as the next baseline, with the validated rows', async () => {
    const { quality, recorded } = recorder();
    await validateBucketedTable(reporting({}), NO_CONTEXT, input, warn, quality);
    expect(recorded).toEqual([{ table, snapshotDt: '2026-10-01', rows: 600 }]);
  });

  it('a table that fails validation records nothing (its snapshot never becomes a baseline)', async () => {
    const { quality, recorded } = recorder();
    await expect(validateBucketedTable(reporting({ problems: ['no bucket files found'] }), NO_CONTEXT, input, warn, quality)).rejects.toThrow();
    await expect(validateBucketedTable(reporting({ bucketSkew: bucketSkewOf([100, 100, 400]) }), NO_CONTEXT, input, { ...warn, onBucketSkew: 'fail' }, quality)).rejects.toThrow();
    expect(recorded).toEqual([]);
  });
});
