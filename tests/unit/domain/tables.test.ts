import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import {
  ADDRESSABLE_TABLE_NAME,
  bucketedTableName,
  catalogBaseName,
  filterTables,
  STAGES,
  stagedTableName,
  type SourceTable,
} from '../../../src/domain/tables.js';

const ibe = (name: string): SourceTable => ({ name, kind: 'infobase' });
const EXPECTED: SourceTable[] = [ibe('IBE_01'), ibe('MIACS_01'), { name: ADDRESSABLE_TABLE_NAME, kind: 'addressable' }];

describe('catalog names', () => {
  it('lower-cases the source name and adds the suffix', () => {
    expect(catalogBaseName(ibe('IBE_01'))).toBe('ibe_01');
    expect(stagedTableName(ibe('MIACS_01'))).toBe('miacs_01_staged');
    expect(bucketedTableName(ibe('MIACS_01'))).toBe('miacs_01_bucketed');
    expect(bucketedTableName({ name: 'addressable_ids', kind: 'addressable' })).toBe('addressable_ids_bucketed');
  });

  it.each(['IBE 01', 'x";drop', '', 'tablé', 'a'.repeat(129)])('refuses to derive names from %j', (name) => {
    expect(() => stagedTableName(ibe(name))).toThrow(InvalidInputError);
    expect(() => bucketedTableName(ibe(name))).toThrow(InvalidInputError);
  });
});

describe('STAGES', () => {
  it('is in run order', () => {
    expect(STAGES).toEqual(['discover', 'split', 'register', 'check', 'bucket', 'validate', 'lineage']);
  });
});

describe('filterTables', () => {
  it('returns every expected table when there is no filter', () => {
    expect(filterTables(EXPECTED, undefined)).toEqual({ selected: EXPECTED, unknown: [] });
    expect(filterTables(EXPECTED, [])).toEqual({ selected: EXPECTED, unknown: [] });
  });

  it('returns a copy, not the caller’s array', () => {
    const { selected } = filterTables(EXPECTED, undefined);
    expect(selected).not.toBe(EXPECTED);
  });

  it('matches case-insensitively and keeps the lake’s spelling and order', () => {
    const result = filterTables(EXPECTED, ['addressable_IDS', 'ibe_01']);
    expect(result.selected).toEqual([ibe('IBE_01'), { name: 'addressable_ids', kind: 'addressable' }]);
    expect(result.unknown).toEqual([]);
  });

  it('reports unknown names as the operator typed them', () => {
    const result = filterTables(EXPECTED, ['IBE_01', 'IBE_99', 'Nope']);
    expect(result.selected).toEqual([ibe('IBE_01')]);
    expect(result.unknown).toEqual(['IBE_99', 'Nope']);
  });

  it('selects a table once even when the filter repeats it in different case', () => {
    const result = filterTables(EXPECTED, ['MIACS_01', 'miacs_01']);
    expect(result.selected).toEqual([ibe('MIACS_01')]);
    expect(result.unknown).toEqual([]);
  });

  it('with only unknown names selects nothing', () => {
    expect(filterTables(EXPECTED, ['x'])).toEqual({ selected: [], unknown: ['x'] });
  });
});
