import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import { flywheelHome } from '../config/home.js';
import type { FlywheelConfig } from '../config/schema.js';
import { snapshotDtSchema, tableNameSchema } from '../workflows/input.js';
import { badInput } from './errors.js';

export interface CommonOptions {
  config?: string;
  json?: boolean;
}

export interface CliContext {
  config: FlywheelConfig;
  home: string;
  json: boolean;
}

export function loadContext(options: CommonOptions): CliContext {
  return { config: loadConfig(options.config), home: flywheelHome(), json: Boolean(options.json) };
}

const RunArgsSchema = z.object({
  snapshot: snapshotDtSchema.optional(),
  tables: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : s.split(',').map((t) => t.trim()).filter(Boolean)))
    .pipe(z.array(tableNameSchema).min(1, 'give at least one table name').optional()),
});

export interface RunArgs {
  snapshotDt?: string;
  tables?: string[];
}

/** `--snapshot 2026-10-01 --tables IBE_01,MIACS_01`, checked before anything contacts a server. */
export function parseRunArgs(options: { snapshot?: string; tables?: string }): RunArgs {
  const parsed = RunArgsSchema.safeParse({ snapshot: options.snapshot, tables: options.tables });
  if (!parsed.success) {
    // One line per problem, each naming the flag and the value that was wrong.
    const tables = options.tables?.split(',').map((t) => t.trim()).filter(Boolean) ?? [];
    const problems = parsed.error.issues.map((issue) => {
      const [field, index] = issue.path;
      if (field === 'snapshot') return `--snapshot ${JSON.stringify(options.snapshot)}: ${issue.message}`;
      const value = typeof index === 'number' ? ` ${JSON.stringify(tables[index])}` : '';
      return `--tables${value}: ${issue.message}`;
    });
    throw badInput(problems.join('; '));
  }
  return { snapshotDt: parsed.data.snapshot, tables: parsed.data.tables };
}

/** A TCP port (1–65535) given on the command line. */
export function parsePort(flag: string, value: string): number {
  const port = parsePositiveInt(flag, value);
  if (port > 65_535) throw badInput(`${flag} must be a TCP port between 1 and 65535, got ${JSON.stringify(value)}`);
  return port;
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw badInput(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}
