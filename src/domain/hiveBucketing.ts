import { InvalidInputError } from './errors.js';

/**
 * Hive bucketing v1: the bucket Athena engine v3 puts a row in for a CTAS with `bucketed_by` /
 * `bucket_count` and no `bucketing_format` (Trino's `HiveBucketingV1`, mirroring Hive's
 * `ObjectInspectorUtils.hashCode`). All arithmetic is Java `int`: 32-bit two's complement with
 * wrap-around, which `Math.imul` and `| 0` give in JS.
 *
 * Per column ("field hash"), null is 0 and
 * - string: `h = 31*h + b` over the UTF-8 bytes, each byte signed (-128..127), starting at 0
 *   (a Hive `varchar(n)` starts at 1 instead; it is not supported here, see HIVE_BUCKET_TYPES);
 * - bigint: `(int)(v ^ (v >>> 32))`;
 * - int, smallint, tinyint: the value; date: days since 1970-01-01; boolean: 1 or 0.
 * Several columns: `h = 31*h + fieldHash` from 0. Bucket: `(h & 0x7fffffff) % bucketCount`.
 */
export const HIVE_BUCKET_TYPES = ['string', 'bigint', 'int', 'smallint', 'tinyint', 'date', 'boolean'] as const;
export type HiveBucketType = (typeof HIVE_BUCKET_TYPES)[number];

/** A value of a bucket column: strings as text or UTF-8 bytes, dates as days since epoch or `YYYY-MM-DD`. */
export type HiveBucketValue = string | Uint8Array | number | bigint | boolean | null | undefined;

/** The bucketing algorithms Flywheel knows; Athena's CTAS default is the only one today. */
export type BucketingAlgorithm = 'hive-v1';

/** A bucket column's type cannot be bucketed the way Athena would (Trino refuses these too). */
export class UnsupportedBucketTypeError extends InvalidInputError {}

export function parseHiveBucketType(type: string, column = 'bucket column'): HiveBucketType {
  const normalized = type.trim().toLowerCase();
  const alias: Record<string, HiveBucketType> = { integer: 'int', long: 'bigint', short: 'smallint', byte: 'tinyint' };
  const resolved = alias[normalized] ?? normalized;
  if ((HIVE_BUCKET_TYPES as readonly string[]).includes(resolved)) return resolved as HiveBucketType;
  throw new UnsupportedBucketTypeError(
    `${column} has type ${type}: Hive bucketing v1 is only reproduced for ${HIVE_BUCKET_TYPES.join(', ')} ` +
      `(Athena/Trino refuse timestamp, decimal, char and binary; float, double and varchar(n) are not supported locally)`,
  );
}

/** Java `hashBytes(0, bytes)` over `bytes[start, end)`, each byte taken as signed. */
export function hiveV1BytesHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + ((bytes[i]! << 24) >> 24)) | 0;
  return h;
}

const utf8 = new TextEncoder();
const DAY_MS = 86_400_000;

function intValue(value: HiveBucketValue, type: HiveBucketType, min: number, max: number): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(`not a valid ${type} value: ${String(value)}`);
  }
  return n;
}

function daysSinceEpoch(value: HiveBucketValue): number {
  if (typeof value === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
    if (!match || new Date(ms).toISOString().slice(0, 10) !== value) throw new InvalidInputError(`not a date: ${value}`);
    return ms / DAY_MS;
  }
  return intValue(value, 'date', -(2 ** 31), 2 ** 31 - 1);
}

/** The v1 hash of one column value (a Java int). */
export function hiveV1FieldHash(type: HiveBucketType, value: HiveBucketValue): number {
  if (value === null || value === undefined) return 0;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return hiveV1BytesHash(utf8.encode(value));
      if (value instanceof Uint8Array) return hiveV1BytesHash(value);
      throw new InvalidInputError(`not a string value: ${String(value)}`);
    case 'bigint': {
      const signed = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
      if (signed === undefined || BigInt.asIntN(64, signed) !== signed) throw new InvalidInputError(`not a bigint value: ${String(value)}`);
      const v = BigInt.asUintN(64, signed); // unsigned, so >> is Java's >>>
      return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
    }
    case 'int':
      return intValue(value, type, -(2 ** 31), 2 ** 31 - 1);
    case 'smallint':
      return intValue(value, type, -(2 ** 15), 2 ** 15 - 1);
    case 'tinyint':
      return intValue(value, type, -128, 127);
    case 'date':
      return daysSinceEpoch(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidInputError(`not a boolean value: ${String(value)}`);
      return value ? 1 : 0;
  }
}

/** The v1 hash of a row's bucket columns, in bucketing order. */
export function hiveV1Hash(columns: readonly { type: HiveBucketType; value: HiveBucketValue }[]): number {
  let h = 0;
  for (const { type, value } of columns) h = (Math.imul(h, 31) + hiveV1FieldHash(type, value)) | 0;
  return h;
}

/** Trino's `getBucketNumber`: `(hash & Integer.MAX_VALUE) % bucketCount`. */
export function hiveBucketNumber(hash: number, bucketCount: number): number {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) throw new InvalidInputError(`bucket count must be a positive integer, got ${bucketCount}`);
  return (hash & 0x7fffffff) % bucketCount;
}

/** The bucket of a single-column value. */
export function hiveV1Bucket(type: HiveBucketType, value: HiveBucketValue, bucketCount: number): number {
  return hiveBucketNumber(hiveV1FieldHash(type, value), bucketCount);
}
