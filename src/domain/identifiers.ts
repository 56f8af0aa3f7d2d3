import { InvalidInputError } from './errors.js';

/**
 * Every name that reaches SQL, a catalog or an object key passes through here first.
 * The rules are deliberately narrower than what Athena/Glue/DuckDB accept: letters, digits and
 * underscores, starting with a letter (or underscore for columns), so a name never needs escaping
 * beyond plain double quotes and never changes meaning between engines.
 */
const SOURCE_TABLE = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const ENVIRONMENT = /^[a-z][a-z0-9-]{0,31}$/;

export function isSourceTableName(name: string): boolean {
  return SOURCE_TABLE.test(name);
}

export function assertSourceTableName(name: string, what = 'table name'): string {
  if (!isSourceTableName(name)) {
    throw new InvalidInputError(
      `invalid ${what} ${JSON.stringify(name)}: use letters, digits and underscores, starting with a letter (max 128)`,
    );
  }
  return name;
}

export function isSqlIdentifier(name: string): boolean {
  return SQL_IDENTIFIER.test(name);
}

export function assertSqlIdentifier(name: string, what = 'identifier'): string {
  if (!isSqlIdentifier(name)) {
    throw new InvalidInputError(
      `invalid ${what} ${JSON.stringify(name)}: use letters, digits and underscores, starting with a letter or underscore (max 128)`,
    );
  }
  return name;
}

/** Double-quotes a validated identifier for SQL (DuckDB, Athena/Trino). */
export function quoteIdent(name: string, what?: string): string {
  return `"${assertSqlIdentifier(name, what)}"`;
}

/** Backtick-quotes a validated identifier for Athena DDL (Hive dialect). */
export function backtickIdent(name: string, what?: string): string {
  return `\`${assertSqlIdentifier(name, what)}\``;
}

/** Single-quotes a string literal for SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function isEnvironmentName(name: string): boolean {
  return ENVIRONMENT.test(name);
}

export const ENVIRONMENT_PATTERN = ENVIRONMENT;
export const SOURCE_TABLE_PATTERN = SOURCE_TABLE;
