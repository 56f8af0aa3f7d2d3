import { z } from 'zod';
import { ENVIRONMENT_PATTERN, SOURCE_TABLE_PATTERN } from '../domain/identifiers.js';
import { isValidSnapshotDt } from '../domain/snapshotDate.js';

export const snapshotDtSchema = z.string().refine(isValidSnapshotDt, 'must be a real calendar date YYYY-MM-DD');
export const tableNameSchema = z
  .string()
  .regex(SOURCE_TABLE_PATTERN, 'table names are letters, digits and underscores, starting with a letter');

export const MonthlyRefreshInputSchema = z
  .object({
    environment: z.string().regex(ENVIRONMENT_PATTERN, 'must be a lower-case environment name such as "local" or "prod"'),
    snapshotDt: snapshotDtSchema.optional(),
    tables: z.array(tableNameSchema).max(1000).optional(),
  })
  .strict();

export type MonthlyRefreshInput = z.infer<typeof MonthlyRefreshInputSchema>;

/** One line per problem: `tables.0: table names are …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}
