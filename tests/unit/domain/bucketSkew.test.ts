import { describe, expect, it } from 'vitest';
import { assessBucketSkew, bucketSkewOf, describeBucketSkew, rowsPerBucket, skewCell, worstBucketSkew, type BucketSkewPolicy } from '../../../src/domain/bucketSkew.js';

const policy: BucketSkewPolicy = { maxBucketSkew: 1.5, onBucketSkew: 'warn', minMedianRows: 50 };

describe('bucket skew', () => {
  it('counts rows per bucket over all buckets: files of one bucket add up, buckets without files are 0', () => {
    expect(rowsPerBucket([[0, 5], [2, 7], [2, 1]], 4)).toEqual([5, 0, 8, 0]);
    expect(() => rowsPerBucket([[4, 1]], 4)).toThrow(/bucket 4 is outside 0…3/);
  });

  it('min / median / max, max/median, empty buckets and the largest bucket', () => {
    expect(bucketSkewOf([10, 0, 30, 20])).toEqual({
      bucketCount: 4,
      minRows: 0,
      medianRows: 15, // even count: mean of the two middle buckets
      maxRows: 30,
      maxOverMedian: 2,
      emptyBuckets: 1,
      largestBucket: 2,
    });
    expect(bucketSkewOf([3, 9, 6])).toMatchObject({ medianRows: 6, maxOverMedian: 1.5 });
    expect(bucketSkewOf([0, 0, 5])).toMatchObject({ medianRows: 0, maxOverMedian: null });
    expect(bucketSkewOf([7, 2, 7])).toMatchObject({ largestBucket: 0 });
    expect(bucketSkewOf([1, 2, 3, 4, 5, 6, 7])).toMatchObject({ maxOverMedian: 1.75 });
    expect(bucketSkewOf([3, 3, 10])).toMatchObject({ maxOverMedian: 3.333 });
  });

  it('judges only tables whose median bucket is large enough; warns or fails as configured', () => {
    const skewed = bucketSkewOf([100, 100, 200]);
    expect(assessBucketSkew(skewed, policy)).toEqual({
      skew: { ...skewed, verdict: 'skewed', maxAllowed: 1.5 },
      warning: 'bucket skew max/median 2.00 (rows per bucket: min 100, median 100, max 200 in bucket 2) exceeds validation.maxBucketSkew 1.5',
    });
    const failing = assessBucketSkew(skewed, { ...policy, onBucketSkew: 'fail' });
    expect(failing.problem).toMatch(/exceeds validation.maxBucketSkew 1.5/);
    expect(failing.warning).toBeUndefined();
    expect(assessBucketSkew(bucketSkewOf([100, 120, 140]), policy)).toEqual({ skew: expect.objectContaining({ verdict: 'even' }) });
    expect(assessBucketSkew(bucketSkewOf([1, 1, 40]), policy)).toEqual({ skew: expect.objectContaining({ verdict: 'too-few-rows' }) });
    expect(assessBucketSkew(bucketSkewOf([100, 100, 150]), policy).skew.verdict).toBe('even'); // at the limit is not over it
  });

  it('describes skew for people and picks the worst table', () => {
    expect(describeBucketSkew(bucketSkewOf([0, 2, 4]))).toBe('max/median 2.00 (rows per bucket: min 0, median 2, max 4 in bucket 2, 1 empty)');
    expect(describeBucketSkew(bucketSkewOf([0, 0, 4]))).toMatch(/^max\/median n\/a \(median bucket empty\)/);
    const a = { name: 'A', bucketSkew: assessBucketSkew(bucketSkewOf([100, 100, 130]), policy).skew };
    const b = { name: 'B', bucketSkew: assessBucketSkew(bucketSkewOf([100, 100, 250]), policy).skew };
    const c = { name: 'C', bucketSkew: assessBucketSkew(bucketSkewOf([0, 0, 9]), policy).skew };
    expect(worstBucketSkew([a, b, c, { name: 'D' }])?.name).toBe('B');
    expect(worstBucketSkew([{ name: 'D' }])).toBeUndefined();
    expect([skewCell(a.bucketSkew), skewCell(b.bucketSkew), skewCell(c.bucketSkew), skewCell(undefined)]).toEqual(['1.30', '2.50⚠', 'n/a', '']);
  });
});
