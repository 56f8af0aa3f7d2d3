import { InvalidInputError } from './errors.js';

/** A snapshot date is a calendar date `YYYY-MM-DD`, as it appears in `snapshot_dt=` partitions. */
export const SNAPSHOT_DT_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const PARTITION_SEGMENT = /^snapshot_dt=(\d{4}-\d{2}-\d{2})\/?$/;

export function isValidSnapshotDt(value: string): boolean {
  if (!SNAPSHOT_DT_PATTERN.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function assertSnapshotDt(value: string, what = 'snapshot date'): string {
  if (!isValidSnapshotDt(value)) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(value)}: expected a real calendar date YYYY-MM-DD`);
  }
  return value;
}

/** Parses `snapshot_dt=2026-10-01` (with or without a trailing slash); undefined when it is not one. */
export function parseSnapshotPartition(segment: string): string | undefined {
  const match = PARTITION_SEGMENT.exec(segment);
  return match && isValidSnapshotDt(match[1]!) ? match[1] : undefined;
}

export function snapshotPartition(snapshotDt: string): string {
  return `snapshot_dt=${assertSnapshotDt(snapshotDt)}`;
}

/** `2026-10-01` → `20261001`, for names that cannot hold dashes. */
export function compactSnapshotDt(snapshotDt: string): string {
  return assertSnapshotDt(snapshotDt).replaceAll('-', '');
}

/** Newest first. ISO dates sort lexicographically. */
export function sortSnapshotsDescending(dates: Iterable<string>): string[] {
  return [...new Set(dates)].sort().reverse();
}
