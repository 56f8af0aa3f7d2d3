import { z } from 'zod';
import { ENVIRONMENT_PATTERN, SOURCE_TABLE_PATTERN } from '../domain/identifiers.js';
import { isValidSnapshotDt } from '../domain/snapshotDate.js';
import { clip } from '../domain/summarize.js';
import { STAGES } from '../domain/tables.js';

export const snapshotDtSchema = z.string().refine(isValidSnapshotDt, 'must be a real calendar date YYYY-MM-DD');
export const tableNameSchema = z
  .string()
  .regex(SOURCE_TABLE_PATTERN, 'table names are letters, digits and underscores, starting with a letter');

/** The stages a first pass can carry a table at into a continued run (a table's own stages). */
const workStage = z.enum(STAGES).exclude(['discover', 'lineage']);

export const MonthlyRefreshInputSchema = z
  .object({
    environment: z.string().regex(ENVIRONMENT_PATTERN, 'must be a lower-case environment name such as "local" or "prod"'),
    snapshotDt: snapshotDtSchema.optional(),
    tables: z.array(tableNameSchema).max(1000).optional(),
    /** Set only by the refresh itself when it continues as new: what the next run carries over. */
    continued: z
      .object({
        summary: z.record(z.string(), z.unknown()),
        tracker: z.record(z.string(), z.unknown()),
        pass: z.number().int().min(0),
        deadline: z.number().optional(),
        requests: z.array(z.unknown()).max(100),
        /** Approvals accepted while parked, not yet applied (issue 15). */
        approvals: z.array(z.unknown()).max(100).optional(),
        runs: z.number().int().min(1),
        /** A first pass continued as new between batches: the work not started yet (table, stage to start from). */
        firstPass: z.array(z.tuple([tableNameSchema, workStage])).max(100_000).optional(),
        /** The same as `[stage, from, to)` ranges of the plan's table indices (since patch flywheel-first-pass-ranges). */
        firstPassRanges: z.array(z.tuple([workStage, z.number().int().min(0), z.number().int().min(0)])).max(100_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type MonthlyRefreshInput = z.infer<typeof MonthlyRefreshInputSchema>;

/**
 * One line per problem: `tables.0: table names are …`. Bounded: the first `max` problems, each
 * clipped (a key name or path can be as long as the input), then how many more there were.
 */
export function describeIssues(error: z.ZodError, max = 3): string {
  const lines = error.issues.slice(0, max).map((i) => clip(`${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`, 120));
  const more = error.issues.length - lines.length;
  return `${lines.join('; ')}${more > 0 ? `; and ${more.toLocaleString('en-US')} more problem(s)` : ''}`;
}
