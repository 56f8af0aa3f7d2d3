import { InvalidInputError } from './errors.js';
import type { BucketingAlgorithm } from './hiveBucketing.js';

/**
 * The bucketing the Athena CTAS asks for, and the algorithm that implies; the local engine takes its
 * algorithm from the same place, so the two cannot drift apart.
 *
 * Athena engine v3: a CTAS with `bucketed_by` and `bucket_count` and no `bucketing_format` writes
 * Hive-format buckets with Hive bucketing v1 (Trino's BUCKETING_V1, used when `bucketing_version` is
 * unset). `bucketing_format = 'spark'` would select Spark's Murmur3 bucketing, which neither the
 * local engine nor Flywheel's validation reproduces, so it is refused rather than silently differing.
 */
export interface CtasBucketing {
  bucketedBy: readonly string[];
  bucketCount: number;
  /** Unset means Athena's default (Hive). */
  bucketingFormat?: string;
}

/** What Flywheel's CTAS states: one bucket column, Athena's default format. */
export function flywheelCtasBucketing(column: string, bucketCount: number): CtasBucketing {
  return { bucketedBy: [column], bucketCount };
}

export function bucketingAlgorithmOf(bucketing: CtasBucketing): BucketingAlgorithm {
  const format = bucketing.bucketingFormat?.toLowerCase();
  if (format === undefined || format === 'hive') return 'hive-v1';
  throw new InvalidInputError(`bucketing_format '${bucketing.bucketingFormat}' is not reproduced by Flywheel (only Hive bucketing v1)`);
}

/** One line for SQL and reports: what the buckets were computed with. */
export function describeBucketing(algorithm: BucketingAlgorithm): string {
  switch (algorithm) {
    case 'hive-v1':
      return "Hive bucketing v1 (Athena's default for bucketed_by without bucketing_format)";
  }
}
