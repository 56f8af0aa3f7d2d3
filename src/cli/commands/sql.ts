import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { catalogDatabasePath } from '../../backends/local/index.js';
import { badInput, CliError, EXIT_OK, EXIT_RUN_FAILED } from '../errors.js';
import { loadContext, type CommonOptions } from '../options.js';

/** Rows printed at most; the rest is counted. */
const MAX_ROWS = 200;

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : String(value);
}

/**
 * `flywheel sql "<query>"`: a read-only DuckDB query over the local backend's catalog (the staged and bucketed
 * tables of the environment's schema), printed as a table or, with --json, as an array of objects.
 */
export async function sqlCommand(query: string, options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'local') throw badInput(`sql reads the local catalog; ${ctx.config.environment} uses ${ctx.config.backend} (query Athena there)`);
  if (!query.trim()) throw badInput('give the SQL to run, e.g. flywheel sql "SHOW ALL TABLES"');
  const file = catalogDatabasePath(ctx.config, ctx.home);
  if (!existsSync(file)) throw new CliError(`no catalog at ${file} yet: run a refresh first (npm run demo)`, EXIT_RUN_FAILED);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (error) {
    throw new CliError(`cannot open ${file} read-only (is a worker using it?): ${(error as Error).message}`, EXIT_RUN_FAILED);
  }
  const conn = await instance.connect();
  try {
    await conn.run(`USE ${JSON.stringify(ctx.config.catalog.database)}`);
    const reader = await conn.runAndReadUntil(query, MAX_ROWS + 1).catch((error: Error) => {
      throw badInput(`the query failed: ${error.message.split('\n')[0]}`);
    });
    const names = reader.columnNames();
    const rows = reader.getRowsJS().slice(0, MAX_ROWS);
    if (ctx.json) {
      const objects = rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
      process.stdout.write(`${JSON.stringify(objects, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`);
    } else {
      const text = [names, ...rows.map((row) => row.map(cell))];
      const widths = names.map((_n, i) => Math.max(...text.map((r) => r[i]!.length)));
      for (const r of text) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    }
    if (reader.currentRowCount > MAX_ROWS) process.stderr.write(`(first ${MAX_ROWS} rows shown; add a LIMIT)\n`);
    return EXIT_OK;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
