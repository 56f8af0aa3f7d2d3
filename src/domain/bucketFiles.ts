/**
 * Bucket file names. Trino (Athena engine v3) writes bucket N of a CTAS as
 * `<N padded to 6>_0_<uuid>_<queryId>` (HiveWriterFactory.computeNonTransactionalBucketedFilename);
 * the local engine writes `<N padded to 6>_0_<buildId>.parquet`. Readers recover N from the name the
 * way Hive and Trino do, so "which file holds customer X" is `hiveV1Bucket(...)` → the file starting
 * with that number on either backend.
 */
export function localBucketFileName(bucket: number, buildId: string): string {
  if (!Number.isInteger(bucket) || bucket < 0) throw new Error(`invalid bucket number ${bucket}`);
  if (!/^[A-Za-z0-9]+$/.test(buildId)) throw new Error(`invalid build id ${JSON.stringify(buildId)}`);
  return `${String(bucket).padStart(6, '0')}_0_${buildId}.parquet`;
}

/** Trino's BUCKET_PATTERNS, applied to a file's base name: Hive's `0NNNNN_M…`, then legacy Presto `<queryId>_bucket-N`. */
const BUCKET_PATTERNS = [/^(0\d+)_\d+.*$/, /^\d{8}_\d{6}_\d{5}_[a-z0-9]{5}_bucket-(\d+)(?:[-_.].*)?$/];

/** The bucket number a file name encodes (path or key prefixes are ignored), or undefined. */
export function bucketOfFileName(name: string): number | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  for (const pattern of BUCKET_PATTERNS) {
    const match = pattern.exec(base);
    if (match) return Number.parseInt(match[1]!, 10);
  }
  return undefined;
}
