import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/domain/errors.js';
import {
  assertSourceTableName,
  assertSqlIdentifier,
  backtickIdent,
  isEnvironmentName,
  isSourceTableName,
  isSqlIdentifier,
  quoteIdent,
  quoteLiteral,
} from '../../../src/domain/identifiers.js';

/** Names that must never reach SQL, a catalog or an object key. */
const HOSTILE = [
  '',
  ' ',
  'IBE 01',
  ' IBE_01',
  'IBE_01 ',
  'IBE_01\n',
  '\nIBE_01',
  'IBE_01\t',
  'a"b',
  '"IBE_01"',
  'a""; DROP TABLE x; --',
  "O'Brien",
  'a`b',
  'tbl;',
  'a;b',
  'a-b',
  'a.b',
  'a/b',
  '../etc',
  'a\\b',
  'a\u0000b',
  'tablé', // Latin letter with accent
  'tаble', // Cyrillic "а" (U+0430) homoglyph
  'ＩＢＥ_01', // full-width letters
  'IBE_０１', // full-width digits
  '表',
  '😀',
  '1abc',
  '$x',
  'a%',
  'a*',
];

describe('source table names', () => {
  it.each(['IBE_01', 'MIACS_11', 'addressable_ids', 'a', 'Z9', 'a_', 'A__B'])('accepts %j', (name) => {
    expect(isSourceTableName(name)).toBe(true);
    expect(assertSourceTableName(name)).toBe(name);
  });

  it.each(HOSTILE)('rejects hostile name %j', (name) => {
    expect(isSourceTableName(name)).toBe(false);
    expect(() => assertSourceTableName(name)).toThrow(InvalidInputError);
  });

  it('must start with a letter (not an underscore, unlike SQL identifiers)', () => {
    expect(isSourceTableName('_x')).toBe(false);
    expect(isSqlIdentifier('_x')).toBe(true);
  });

  it('allows 128 characters and rejects 129', () => {
    expect(isSourceTableName('a'.repeat(128))).toBe(true);
    expect(isSourceTableName('a'.repeat(129))).toBe(false);
    expect(isSqlIdentifier('_'.repeat(128))).toBe(true);
    expect(isSqlIdentifier('_'.repeat(129))).toBe(false);
  });

  it('names the offending value and what it was in the error', () => {
    let caught: unknown;
    try {
      assertSourceTableName('bad;name', 'table filter entry');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as Error).name).toBe('InvalidInput');
    expect((caught as Error).message).toContain('table filter entry');
    expect((caught as Error).message).toContain('"bad;name"');
  });
});

describe('SQL identifiers and quoting', () => {
  it.each(['customer_user_id', '_private', 'x', 'IBE_01_staged'])('quotes valid identifier %j', (name) => {
    expect(isSqlIdentifier(name)).toBe(true);
    expect(assertSqlIdentifier(name)).toBe(name);
    expect(quoteIdent(name)).toBe(`"${name}"`);
    expect(backtickIdent(name)).toBe(`\`${name}\``);
  });

  it.each(HOSTILE)('refuses to quote hostile identifier %j', (name) => {
    expect(isSqlIdentifier(name)).toBe(false);
    expect(() => quoteIdent(name)).toThrow(InvalidInputError);
    expect(() => backtickIdent(name)).toThrow(InvalidInputError);
  });

  it('rejects a 129-character identifier in quoteIdent', () => {
    expect(() => quoteIdent('c'.repeat(129))).toThrow(InvalidInputError);
    expect(quoteIdent('c'.repeat(128))).toBe(`"${'c'.repeat(128)}"`);
  });

  it('passes the "what" label through to the error', () => {
    expect(() => quoteIdent('a b', 'bucket column')).toThrow(/bucket column "a b"/);
  });
});

describe('quoteLiteral', () => {
  it('wraps in single quotes', () => {
    expect(quoteLiteral('2026-10-01')).toBe("'2026-10-01'");
    expect(quoteLiteral('')).toBe("''");
  });

  it('doubles every embedded single quote so the literal cannot be closed early', () => {
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
    expect(quoteLiteral("'; DROP TABLE t; --")).toBe("'''; DROP TABLE t; --'");
    expect(quoteLiteral("''")).toBe("''''''");
  });

  it('leaves other characters alone', () => {
    expect(quoteLiteral('a"b\\c;é')).toBe('\'a"b\\c;é\'');
  });

  it('always yields an even number of quotes between the outer ones', () => {
    for (const value of ["'", "a'b'c", "'''x", "x'''"]) {
      const inner = quoteLiteral(value).slice(1, -1);
      // every quote inside is part of a doubled pair
      expect(inner.replaceAll("''", '')).not.toContain("'");
    }
  });
});

describe('environment names', () => {
  it.each(['local', 'prod', 'dev-2', 'a', 'a'.repeat(32)])('accepts %j', (name) => {
    expect(isEnvironmentName(name)).toBe(true);
  });

  it.each(['', 'Prod', '2prod', '-prod', 'prod_1', 'prod env', 'prod;', 'a'.repeat(33), 'prod\n', 'prød'])(
    'rejects %j',
    (name) => {
      expect(isEnvironmentName(name)).toBe(false);
    },
  );
});
