import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { chooseSnapshot, type SnapshotObjects } from '../../../src/domain/snapshotSelection.js';
import type { SourceTable } from '../../../src/domain/tables.js';

const A: SourceTable = { name: 'IBE_01', kind: 'infobase' };
const B: SourceTable = { name: 'MIACS_01', kind: 'infobase' };
const ADDR: SourceTable = { name: 'addressable_ids', kind: 'addressable' };

const snap = (snapshotDt: string, fileCount: number, totalBytes: number): SnapshotObjects => ({ snapshotDt, fileCount, totalBytes });
const listings = (entries: Record<string, SnapshotObjects[]>) => new Map(Object.entries(entries));

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('chooseSnapshot without override', () => {
  it('picks the newest date every table has, with that date’s bytes and files', () => {
    const choice = chooseSnapshot(
      [A, B],
      listings({
        IBE_01: [snap('2026-08-01', 1, 10), snap('2026-10-01', 3, 300), snap('2026-09-01', 2, 20)],
        MIACS_01: [snap('2026-09-01', 4, 40), snap('2026-10-01', 5, 500), snap('2026-08-01', 1, 1)],
      }),
    );
    expect(choice).toEqual({
      snapshotDt: '2026-10-01',
      bytesByTable: { IBE_01: 300, MIACS_01: 500 },
      filesByTable: { IBE_01: 3, MIACS_01: 5 },
    });
  });

  it('skips a newest date that only some tables have (still landing)', () => {
    const choice = chooseSnapshot(
      [A, B, ADDR],
      listings({
        IBE_01: [snap('2026-10-01', 1, 11), snap('2026-11-01', 1, 12)],
        MIACS_01: [snap('2026-10-01', 1, 21), snap('2026-11-01', 1, 22)],
        addressable_ids: [snap('2026-10-01', 2, 31)],
      }),
    );
    expect(choice.snapshotDt).toBe('2026-10-01');
    expect(choice.bytesByTable).toEqual({ IBE_01: 11, MIACS_01: 21, addressable_ids: 31 });
  });

  it('does not count an empty partition (fileCount 0) as present', () => {
    const choice = chooseSnapshot(
      [A, B],
      listings({
        IBE_01: [snap('2026-10-01', 2, 20), snap('2026-11-01', 1, 10)],
        MIACS_01: [snap('2026-10-01', 2, 20), snap('2026-11-01', 0, 0)],
      }),
    );
    expect(choice.snapshotDt).toBe('2026-10-01');
  });

  it('a partition with bytes but zero data files still does not count', () => {
    const choice = chooseSnapshot(
      [A],
      listings({ IBE_01: [snap('2026-11-01', 0, 1234), snap('2026-10-01', 1, 5)] }),
    );
    expect(choice.snapshotDt).toBe('2026-10-01');
  });

  it('fails when no snapshots exist at all, naming the tables', () => {
    const error = errorOf(() => chooseSnapshot([A, B], listings({ IBE_01: [], MIACS_01: [] })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('no snapshots found');
    expect(error.message).toContain('IBE_01');
    expect(error.message).toContain('MIACS_01');
  });

  it('fails when a table has no listing entry at all', () => {
    const error = errorOf(() => chooseSnapshot([A, B], listings({ IBE_01: [snap('2026-10-01', 1, 1)] })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('MIACS_01');
  });

  it('fails when no date is complete, naming the newest date and what it misses', () => {
    const error = errorOf(() =>
      chooseSnapshot(
        [A, B],
        listings({
          IBE_01: [snap('2026-09-01', 1, 1), snap('2026-11-01', 1, 1)],
          MIACS_01: [snap('2026-10-01', 1, 1)],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('2026-11-01');
    expect(error.message).toContain('MIACS_01');
    expect(error.message).not.toMatch(/missing[^)]*IBE_01/);
  });

  it('rejects an empty table list', () => {
    expect(() => chooseSnapshot([], listings({ IBE_01: [snap('2026-10-01', 1, 1)] }))).toThrow(InvalidInputError);
  });
});

describe('chooseSnapshot with an override date', () => {
  const data = listings({
    IBE_01: [snap('2026-09-01', 1, 91), snap('2026-10-01', 1, 101), snap('2026-11-01', 1, 111)],
    MIACS_01: [snap('2026-09-01', 2, 92), snap('2026-10-01', 0, 0)],
  });

  it('uses a complete override even when it is not the newest', () => {
    const choice = chooseSnapshot([A, B], data, '2026-09-01');
    expect(choice).toEqual({
      snapshotDt: '2026-09-01',
      bytesByTable: { IBE_01: 91, MIACS_01: 92 },
      filesByTable: { IBE_01: 1, MIACS_01: 2 },
    });
  });

  it('rejects an incomplete override with a message naming the missing tables only', () => {
    const error = errorOf(() => chooseSnapshot([A, B], data, '2026-11-01'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('2026-11-01');
    expect(error.message).toContain('not complete');
    expect(error.message).toMatch(/no data for MIACS_01\b/);
    expect(error.message).not.toMatch(/no data for [^(]*IBE_01/);
  });

  it('treats an empty partition on the override date as missing', () => {
    const error = errorOf(() => chooseSnapshot([A, B], data, '2026-10-01'));
    expect(error.message).toMatch(/no data for MIACS_01\b/);
  });

  it('mentions the snapshots that do exist, so the operator can pick one', () => {
    const error = errorOf(() => chooseSnapshot([A, B], data, '2026-12-01'));
    expect(error.message).toContain('IBE_01');
    expect(error.message).toContain('MIACS_01');
    expect(error.message).toContain('2026-09-01');
  });

  it('says when there are no snapshots at all', () => {
    const error = errorOf(() => chooseSnapshot([A], listings({}), '2026-10-01'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('IBE_01');
    expect(error.message).toMatch(/no snapshots/);
  });
});
