import { describe, expect, it } from 'vitest';
import {
  hiveBucketNumber,
  hiveV1Bucket,
  hiveV1BytesHash,
  hiveV1FieldHash,
  hiveV1Hash,
  parseHiveBucketType,
  UnsupportedBucketTypeError,
  type HiveBucketType,
  type HiveBucketValue,
} from '../../../src/domain/hiveBucketing.js';
import { HAVE_JAVA, javaOracle, randomStrings, referenceStringHash, seededRandom, type OracleRequest } from '../../support/oracles/hiveV1Oracle.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Expected v1 hashes from Trino's TestHiveBucketing.testHashingCompare (plugin/trino-hive, util package). */
const TRINO_V1_VECTORS: [HiveBucketType, HiveBucketValue, number][] = [
  ['string', 'Trino rocks', 1132136730],
  ['string', null, 0],
  ['string', '', 0],
  ['string', 'test string', -318923937],
  ['string', '\u5f3a\u5927\u7684Trino\u5f15\u64ce', 1688501507], // 3-byte UTF-8 sequences
  ['string', '\uD843\uDFFC\uD843\uDFFD\uD843\uDFFE\uD843\uDFFF', -1810797254], // 4-byte UTF-8 (U+20FFC…U+20FFF)
  ['boolean', null, 0],
  ['boolean', true, 1],
  ['boolean', false, 0],
  ['tinyint', 5, 5],
  ['tinyint', -128, -128],
  ['tinyint', 127, 127],
  ['smallint', 300, 300],
  ['smallint', -32768, -32768],
  ['smallint', 32767, 32767],
  ['int', null, 0],
  ['int', 300_000, 300000],
  ['int', INT_MIN, INT_MIN],
  ['int', INT_MAX, INT_MAX],
  ['bigint', null, 0],
  ['bigint', 300_000_000_000n, -647710651],
  ['bigint', -(2n ** 63n), INT_MIN],
  ['bigint', 2n ** 63n - 1n, INT_MIN],
  ['date', null, 0],
  ['date', '1970-01-01', 0],
  ['date', '2015-11-19', 16758],
  ['date', '1950-11-19', -6983],
  ['date', 16758, 16758],
];

describe('Hive bucketing v1 (what Athena CTAS uses without bucketing_format)', () => {
  it.each(TRINO_V1_VECTORS.map(([type, value, hash]) => [type, JSON.stringify(String(value)), value, hash] as const))('%s %s hashes to %i (Trino reference vector)', (type, _label, value, hash) => {
    expect(hiveV1FieldHash(type, value)).toBe(hash);
  });

  it('bucket numbers: (hash & 0x7fffffff) % count, as Trino getBucketNumber', () => {
    expect(hiveBucketNumber(1132136730, 4)).toBe(2); // "Trino rocks", bucket 2 of 4
    expect(hiveBucketNumber(-399107423, 4)).toBe(1); // negative hashes drop the sign bit, not abs()
    expect(hiveBucketNumber(INT_MIN, 256)).toBe(0);
    expect(hiveV1Bucket('string', 'Trino rocks', 4)).toBe(2);
    expect(() => hiveBucketNumber(1, 0)).toThrow(/bucket count/);
  });

  it('CU00000001 is in bucket 115 of 256 (issue 14)', () => {
    expect(hiveV1Bucket('string', 'CU00000001', 256)).toBe(115);
  });

  it('several columns combine as 31*h + fieldHash (Trino testBucketFilterFromDiscreteSets: int × tinyint into 8)', () => {
    const buckets = new Set<number>();
    for (const i of [1, 10]) for (const t of [5, 6]) buckets.add(hiveBucketNumber(hiveV1Hash([{ type: 'int', value: i }, { type: 'tinyint', value: t }]), 8));
    expect([...buckets].sort()).toEqual([3, 4, 5]);
    expect(hiveV1Hash([{ type: 'string', value: 'Trino rocks' }])).toBe(1132136730);
    expect(hiveV1Hash([{ type: 'int', value: null }, { type: 'int', value: 7 }])).toBe(7);
  });

  it('hashes UTF-8 bytes as given (the engine hashes DuckDB string bytes without decoding)', () => {
    const bytes = new TextEncoder().encode('xx强大的Trino引擎yy');
    expect(hiveV1BytesHash(bytes, 2, bytes.length - 2)).toBe(1688501507);
    expect(hiveV1FieldHash('string', bytes.subarray(2, bytes.length - 2))).toBe(1688501507);
  });

  it('refuses types Hive v1 cannot be reproduced for, naming the column and the supported types', () => {
    for (const type of ['timestamp', 'decimal(10,2)', 'double', 'float', 'varchar(15)', 'binary', 'array<int>']) {
      expect(() => parseHiveBucketType(type, 'customer_user_id')).toThrow(UnsupportedBucketTypeError);
    }
    expect(() => parseHiveBucketType('timestamp', 'customer_user_id')).toThrow(/customer_user_id has type timestamp.*string, bigint, int/);
    expect(parseHiveBucketType('STRING')).toBe('string');
    expect(parseHiveBucketType('integer')).toBe('int');
  });

  it('refuses values that do not fit the type', () => {
    expect(() => hiveV1FieldHash('int', 2 ** 31)).toThrow(/not a valid int value/);
    expect(() => hiveV1FieldHash('tinyint', 128)).toThrow(/tinyint/);
    expect(() => hiveV1FieldHash('bigint', 2n ** 63n)).toThrow(/bigint/);
    expect(() => hiveV1FieldHash('bigint', 1.5)).toThrow(/bigint/);
    expect(() => hiveV1FieldHash('date', '2026-02-30')).toThrow(/not a date/);
    expect(() => hiveV1FieldHash('string', 42)).toThrow(/string/);
  });
});

describe('property: random and non-ASCII strings agree with independent oracles', () => {
  const seed = 20261101;
  const samples = [...randomStrings(3000, seed), ...Array.from({ length: 200 }, (_, i) => `CU${String(i * 4999).padStart(8, '0')}`)];

  it(`matches the BigInt closed form over a separately written UTF-8 encoder (seed ${seed})`, () => {
    const mismatches = samples.filter((s) => hiveV1FieldHash('string', s) !== referenceStringHash(s));
    expect(mismatches).toEqual([]);
    expect(samples.some((s) => /[\u{10000}-\u{10FFFF}]/u.test(s))).toBe(true); // 4-byte characters were drawn
  });

  it.skipIf(!HAVE_JAVA)(`matches Java (String.getBytes(UTF_8), Long.hashCode, LocalDate.toEpochDay) (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const bigints = Array.from({ length: 500 }, () => BigInt.asIntN(64, BigInt(Math.floor(random() * 2 ** 53)) * BigInt(Math.floor(random() * 2 ** 20) - 2 ** 19)));
    const dates = Array.from({ length: 200 }, () => new Date(Date.UTC(1900, 0, 1) + Math.floor(random() * 73_000) * 86_400_000).toISOString().slice(0, 10));
    const requests: OracleRequest[] = [
      ...samples.map((value) => ({ kind: 'string' as const, value })),
      ...bigints.map((value) => ({ kind: 'bigint' as const, value })),
      ...[-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n].map((value) => ({ kind: 'bigint' as const, value })),
      ...dates.map((value) => ({ kind: 'date' as const, value })),
    ];
    const expected = javaOracle(requests);
    const ours = requests.map((r) => hiveV1FieldHash(r.kind, r.value));
    const wrong = requests.filter((_, i) => ours[i] !== expected[i]).map((r) => `${r.kind} ${JSON.stringify(String(r.value))}`);
    expect(wrong).toEqual([]);
  });

  if (!HAVE_JAVA) console.warn('!!! java not found: the Java oracle property test is SKIPPED (install a JDK 11+ to run it)');
});
