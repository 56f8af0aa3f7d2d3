/**
 * Bucket skew: how unevenly rows spread over a table's buckets. A bucketed join runs bucket by
 * bucket, so the largest bucket sets its pace; max/median says how much slower that bucket is than
 * a typical one. Sequential ids such as `CU%08d` under Hive bucketing v1 give ~1.8 over 1M rows.
 */
export interface BucketSkew {
  bucketCount: number;
  /** Rows per bucket, over all `bucketCount` buckets (a bucket without rows counts as 0). */
  minRows: number;
  medianRows: number;
  maxRows: number;
  /** maxRows / medianRows; null when the median bucket is empty. */
  maxOverMedian: number | null;
  emptyBuckets: number;
  /** The bucket holding `maxRows` (the lowest such number). */
  largestBucket: number;
}

export interface BucketSkewPolicy {
  /** max/median above this is reported (config `validation.maxBucketSkew`). */
  maxBucketSkew: number;
  /** What a skewed table gets: a warning in the report, or a failed validation. */
  onBucketSkew: 'warn' | 'fail';
  /** Below this median, chance alone spreads buckets this unevenly: report, do not judge. */
  minMedianRows: number;
}

export type SkewVerdict = 'even' | 'skewed' | 'too-few-rows';

export interface AssessedBucketSkew extends BucketSkew {
  verdict: SkewVerdict;
  /** The policy's maxBucketSkew the verdict was reached with. */
  maxAllowed: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Rows per bucket from (bucket, rows) pairs; several pairs for a bucket add up, missing buckets are 0. */
export function rowsPerBucket(pairs: Iterable<readonly [bucket: number, rows: number]>, bucketCount: number): number[] {
  const rows = new Array<number>(bucketCount).fill(0);
  for (const [bucket, n] of pairs) {
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= bucketCount) {
      throw new RangeError(`bucket ${bucket} is outside 0…${bucketCount - 1}`);
    }
    rows[bucket]! += n;
  }
  return rows;
}

export function bucketSkewOf(rows: readonly number[]): BucketSkew {
  if (rows.length === 0) throw new RangeError('no buckets');
  const sorted = [...rows].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianRows = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const maxRows = sorted.at(-1)!;
  return {
    bucketCount: rows.length,
    minRows: sorted[0]!,
    medianRows,
    maxRows,
    maxOverMedian: medianRows > 0 ? round3(maxRows / medianRows) : null,
    emptyBuckets: rows.filter((n) => n === 0).length,
    largestBucket: rows.indexOf(maxRows),
  };
}

/** "max/median 2.37 (rows per bucket: min 4, median 71, max 168 in bucket 17)". */
export function describeBucketSkew(skew: BucketSkew): string {
  const ratio = skew.maxOverMedian === null ? 'n/a (median bucket empty)' : skew.maxOverMedian.toFixed(2);
  const empty = skew.emptyBuckets ? `, ${skew.emptyBuckets} empty` : '';
  return `max/median ${ratio} (rows per bucket: min ${skew.minRows}, median ${skew.medianRows}, max ${skew.maxRows} in bucket ${skew.largestBucket}${empty})`;
}

/**
 * Judges skew against the policy. Returns the finding to report when the table is skewed: a
 * warning or a problem (validation failure) as the policy says.
 */
export function assessBucketSkew(
  skew: BucketSkew,
  policy: BucketSkewPolicy,
): { skew: AssessedBucketSkew; warning?: string; problem?: string } {
  const judged = skew.medianRows >= policy.minMedianRows && skew.maxOverMedian !== null;
  const skewed = judged && skew.maxOverMedian! > policy.maxBucketSkew;
  const verdict: SkewVerdict = !judged ? 'too-few-rows' : skewed ? 'skewed' : 'even';
  const assessed = { ...skew, verdict, maxAllowed: policy.maxBucketSkew };
  if (!skewed) return { skew: assessed };
  const finding = `bucket skew ${describeBucketSkew(skew)} exceeds validation.maxBucketSkew ${policy.maxBucketSkew}`;
  return policy.onBucketSkew === 'fail' ? { skew: assessed, problem: finding } : { skew: assessed, warning: finding };
}

/** The table with the highest max/median among those with a measured skew (ties: the first). */
export function worstBucketSkew<T extends { name: string; bucketSkew?: AssessedBucketSkew }>(tables: readonly T[]): (T & { bucketSkew: AssessedBucketSkew }) | undefined {
  let worst: (T & { bucketSkew: AssessedBucketSkew }) | undefined;
  for (const t of tables) {
    const ratio = t.bucketSkew?.maxOverMedian;
    if (ratio === null || ratio === undefined) continue;
    if (!worst || ratio > worst.bucketSkew.maxOverMedian!) worst = t as T & { bucketSkew: AssessedBucketSkew };
  }
  return worst;
}

/** A short cell for tables and progress lines: `2.37⚠` (over the limit), `1.04`, `n/a`. */
export function skewCell(skew: AssessedBucketSkew | undefined): string {
  if (!skew) return '';
  if (skew.maxOverMedian === null) return 'n/a';
  return `${skew.maxOverMedian.toFixed(2)}${skew.verdict === 'skewed' ? '⚠' : ''}`;
}
