import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import {
  assertSnapshotDt,
  compactSnapshotDt,
  isValidSnapshotDt,
  parseSnapshotPartition,
  snapshotPartition,
  sortSnapshotsDescending,
} from '../../../src/domain/snapshotDate.js';

describe('isValidSnapshotDt', () => {
  it.each(['2026-10-01', '2026-01-31', '2026-12-31', '2026-02-28', '2024-02-29', '2000-02-29', '1999-12-31', '2026-04-30'])(
    'accepts real date %s',
    (value) => expect(isValidSnapshotDt(value)).toBe(true),
  );

  it.each([
    ['2026-02-30', 'February has no 30th'],
    ['2026-02-29', '2026 is not a leap year'],
    ['2100-02-29', 'century not divisible by 400 is not a leap year'],
    ['1900-02-29', 'century not divisible by 400 is not a leap year'],
    ['2026-04-31', 'April has 30 days'],
    ['2026-06-31', 'June has 30 days'],
    ['2026-09-31', 'September has 30 days'],
    ['2026-11-31', 'November has 30 days'],
    ['2026-01-32', 'no month has 32 days'],
    ['2026-13-01', 'no month 13'],
    ['2026-00-10', 'no month 0'],
    ['2026-10-00', 'no day 0'],
  ])('rejects %s (%s)', (value) => expect(isValidSnapshotDt(value)).toBe(false));

  it.each(['', '2026-1-01', '2026-10-1', '26-10-01', '2026/10/01', '20261001', '2026-10-01T00:00:00Z', ' 2026-10-01', '2026-10-01 ', '2026-10-01\n', 'yyyy-mm-dd', '２０２６-10-01'])(
    'rejects malformed %j',
    (value) => expect(isValidSnapshotDt(value)).toBe(false),
  );
});

describe('assertSnapshotDt', () => {
  it('returns the value when valid', () => {
    expect(assertSnapshotDt('2024-02-29')).toBe('2024-02-29');
  });

  it('throws InvalidInputError naming the value and the field', () => {
    expect(() => assertSnapshotDt('2026-02-30', 'snapshotDt')).toThrow(InvalidInputError);
    expect(() => assertSnapshotDt('2026-02-30', 'snapshotDt')).toThrow(/snapshotDt "2026-02-30"/);
  });
});

describe('snapshot partitions', () => {
  it('parses a partition segment with or without the trailing slash', () => {
    expect(parseSnapshotPartition('snapshot_dt=2026-10-01')).toBe('2026-10-01');
    expect(parseSnapshotPartition('snapshot_dt=2026-10-01/')).toBe('2026-10-01');
    expect(parseSnapshotPartition('snapshot_dt=2024-02-29/')).toBe('2024-02-29');
  });

  it.each([
    'snapshot_dt=2026-02-30', // not a real date
    'snapshot_dt=2026-10-01//',
    'snapshot_dt=2026-10',
    'snapshot_dt=',
    'snapshot_date=2026-10-01',
    'SNAPSHOT_DT=2026-10-01',
    'x/snapshot_dt=2026-10-01/',
    'snapshot_dt=2026-10-01/part-0.parquet',
    'snapshot_dt=2026-10-01 ',
    '_SUCCESS',
    '',
  ])('returns undefined for %j', (segment) => {
    expect(parseSnapshotPartition(segment)).toBeUndefined();
  });

  it('builds the partition segment, and it round-trips', () => {
    expect(snapshotPartition('2026-10-01')).toBe('snapshot_dt=2026-10-01');
    expect(parseSnapshotPartition(snapshotPartition('2024-02-29'))).toBe('2024-02-29');
  });

  it('refuses to build a partition for an invalid date', () => {
    expect(() => snapshotPartition('2026-02-30')).toThrow(InvalidInputError);
    expect(() => snapshotPartition('../2026-10-01')).toThrow(InvalidInputError);
  });
});

describe('compactSnapshotDt', () => {
  it('drops the dashes', () => {
    expect(compactSnapshotDt('2026-10-01')).toBe('20261001');
  });
  it('validates first', () => {
    expect(() => compactSnapshotDt('2026-13-01')).toThrow(InvalidInputError);
  });
});

describe('sortSnapshotsDescending', () => {
  it('sorts newest first across months and years and removes duplicates', () => {
    expect(sortSnapshotsDescending(['2025-12-01', '2026-10-01', '2026-02-01', '2026-10-01', '2026-09-30'])).toEqual([
      '2026-10-01',
      '2026-09-30',
      '2026-02-01',
      '2025-12-01',
    ]);
  });

  it('accepts any iterable, including an empty one', () => {
    expect(sortSnapshotsDescending(new Set(['2026-01-01', '2026-03-01']))).toEqual(['2026-03-01', '2026-01-01']);
    expect(sortSnapshotsDescending([])).toEqual([]);
  });
});
