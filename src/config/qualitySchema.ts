import { z } from 'zod';
import { SOURCE_TABLE_PATTERN } from '../domain/identifiers.js';

const columnName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be letters, digits and underscores, starting with a letter or underscore');
const tableName = z.string().regex(SOURCE_TABLE_PATTERN, 'must be letters, digits and underscores, starting with a letter');
const rate = z.number().min(0).max(1);
/** What a schema change does to the table: nothing, a warning, or a stop at the gate. */
const driftAction = z.enum(['allow', 'warn', 'fail']);

/** Row count change against the last published snapshot, in percent (−20 … +50 by default). */
export const RowChangeSchema = z
  .object({
    minPercent: z.number().min(-100).max(0).default(-20),
    maxPercent: z.number().min(0).max(100_000).default(50),
  })
  .strict();

export const SchemaDriftSchema = z
  .object({
    added: driftAction.default('allow'),
    removed: driftAction.default('fail'),
    retyped: driftAction.default('fail'),
  })
  .strict();

/** Bounds for one column: null-or-empty rate and number of distinct values. */
export const ColumnExpectationSchema = z
  .object({
    maxNullRate: rate.optional(),
    minDistinct: z.number().int().min(0).optional(),
    maxDistinct: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((c) => c.minDistinct === undefined || c.maxDistinct === undefined || c.minDistinct <= c.maxDistinct, {
    message: 'minDistinct must not exceed maxDistinct',
    path: ['minDistinct'],
  });

/** A table's own expectations: each key replaces the section-wide one; `columns` add to / replace per column. */
export const TableQualityOverrideSchema = z
  .object({
    enabled: z.boolean().optional(),
    onFailure: z.enum(['fail', 'warn']).optional(),
    rowChange: z.object({ minPercent: z.number().min(-100).max(0).optional(), maxPercent: z.number().min(0).max(100_000).optional() }).strict().optional(),
    bucketColumnMaxNullRate: rate.optional(),
    // No defaults here (zod 4's partial() would keep them and override the section's values).
    schemaDrift: z.object({ added: driftAction.optional(), removed: driftAction.optional(), retyped: driftAction.optional() }).strict().optional(),
    columns: z.record(columnName, ColumnExpectationSchema).default({}),
  })
  .strict();

/**
 * The quality gate (issue 15): checks of each staged table before its CTAS against what the last
 * successful run published. A `fail` stops the table at `awaiting-approval`; `onFailure: warn` only reports.
 */
export const QualitySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** `fail`: a violated expectation stops the table until approved; `warn`: reported, never stops. */
    onFailure: z.enum(['fail', 'warn']).default('fail'),
    rowChange: RowChangeSchema.default(RowChangeSchema.parse({})),
    /** Rows whose bucket column is NULL or empty ('' or blanks), as a fraction of all rows. */
    bucketColumnMaxNullRate: rate.default(0.05),
    schemaDrift: SchemaDriftSchema.default(SchemaDriftSchema.parse({})),
    /** Bucket skew from validation (`validation.maxBucketSkew`) as a quality check when it was measured. */
    bucketSkew: z.boolean().default(true),
    /** Expectations for a column in every table that has it. */
    columns: z.record(columnName, ColumnExpectationSchema).default({}),
    /** Per source table (`IBE_04`, `addressable_ids`). */
    tables: z.record(tableName, TableQualityOverrideSchema).default({}),
  })
  .strict();

export type QualityConfig = z.infer<typeof QualitySchema>;
