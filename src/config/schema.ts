import { z } from 'zod';
import { ENVIRONMENT_PATTERN, SOURCE_TABLE_PATTERN } from '../domain/identifiers.js';

const sqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be letters, digits and underscores, starting with a letter or underscore');
const tableName = z.string().regex(SOURCE_TABLE_PATTERN, 'must be letters, digits and underscores, starting with a letter');
/** An S3 key prefix or local sub-path: relative, slash-separated, ending in `/`. */
const prefix = z
  .string()
  .regex(/^([A-Za-z0-9_.=-]+\/)+$/, 'must be a relative path of safe segments ending with "/" (e.g. "opus/addressable_ids/")')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name');
/** Secrets are referenced by the name of an environment variable, never stored. */
const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (upper case)');

export const LayoutSchema = z
  .object({
    /** Bucket the monthly source snapshots land in. */
    sourceBucket: bucketName.default('omc-flywheel-data-us-east-1-prod'),
    /** Bucket staged and bucketed data is written to. */
    targetBucket: bucketName.default('omc-flywheel-data-us-east-1-prod'),
    infobasePrefix: prefix.default('opus/infobase_attributes/'),
    addressablePrefix: prefix.default('opus/addressable_ids/'),
    stagedPrefix: prefix.default('omc_cleanroom_data/split/'),
    bucketedPrefix: prefix.default('omc_cleanroom_data/bucketed/'),
  })
  .strict();

export const TablesSchema = z
  .object({
    /**
     * `list`: exactly the infobase tables named in `infobase`.
     * `discover`: every table found under the infobase prefix (minus `exclude`).
     */
    mode: z.enum(['list', 'discover']).default('list'),
    infobase: z.array(tableName).default([]),
    exclude: z.array(tableName).default([]),
    /** Whether the addressable ids are part of the refresh. */
    addressable: z.boolean().default(true),
  })
  .strict()
  .refine((t) => t.mode === 'discover' || t.infobase.length > 0, {
    message: 'list at least one infobase table, or set mode: discover',
    path: ['infobase'],
  });

export const JobsSchema = z
  .object({
    infobaseSplitAndBucket: z.string().min(1).default('infobase-split-and-bucket'),
    addressableBucket: z.string().min(1).default('addressable-bucket'),
    /** Extra arguments passed to every job run (Glue `--KEY value`). */
    arguments: z.record(z.string().regex(/^--[A-Za-z0-9_-]+$/, 'job argument keys start with "--"'), z.string()).default({}),
    pollMinSeconds: z.number().positive().default(5),
    pollMaxSeconds: z.number().positive().default(60),
  })
  .strict();

export const LineageSchema = z
  .object({
    sink: z.enum(['file', 'openlineage', 'openmetadata', 'none']).default('file'),
    /** JSON-lines file for `sink: file`, relative to FLYWHEEL_HOME. */
    file: z.string().min(1).default('lineage/openlineage.jsonl'),
    /** OpenLineage job namespace. */
    namespace: z.string().min(1).default('flywheel'),
  })
  .passthrough();

export const LocalEngineSchema = z
  .object({
    /** Lake root, relative to FLYWHEEL_HOME unless absolute. Buckets are directories under it. */
    lakeRoot: z.string().min(1).default('lake'),
    /** DuckDB threads (default: the machine's cores). */
    threads: z.number().int().positive().optional(),
    /** DuckDB memory limit, e.g. `256MB`. */
    memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).default('512MB'),
  })
  .strict();

export const FlywheelConfigSchema = z
  .object({
    environment: z
      .string()
      .regex(ENVIRONMENT_PATTERN, 'must be lower case letters, digits and dashes, starting with a letter (max 32)'),
    backend: z.enum(['local', 'aws']),
    temporal: z
      .object({
        address: z.string().min(1).default('localhost:7233'),
        namespace: z.string().min(1).default('default'),
        /** Defaults to `flywheel-<environment>`. */
        taskQueue: z.string().min(1).optional(),
      })
      .strict()
      .default({ address: 'localhost:7233', namespace: 'default' }),
    layout: LayoutSchema.default(LayoutSchema.parse({})),
    tables: TablesSchema,
    bucketing: z
      .object({
        column: sqlIdentifier.default('customer_user_id'),
        count: z.number().int().min(1).max(1024).default(256),
      })
      .strict()
      .default({ column: 'customer_user_id', count: 256 }),
    fileSizing: z
      .object({
        filesPerGb: z.number().positive().default(2),
        maxFiles: z.number().int().min(1).max(10_000).default(256),
        minFiles: z.number().int().min(1).default(1),
      })
      .strict()
      .refine((f) => f.minFiles <= f.maxFiles, { message: 'minFiles must not exceed maxFiles', path: ['minFiles'] })
      .default({ filesPerGb: 2, maxFiles: 256, minFiles: 1 }),
    catalog: z
      .object({
        /** Glue database (local: DuckDB schema) for staged and bucketed tables. */
        database: sqlIdentifier,
      })
      .strict(),
    /** Tables going through register → CTAS → validate at once (Athena DML quota on AWS). */
    tableConcurrency: z.number().int().min(1).max(100).default(4),
    jobs: JobsSchema.default(JobsSchema.parse({})),
    /** A run with failed tables waits this long (hours) in `awaiting-reprocess` for a reprocess signal. */
    reprocess: z
      .object({ waitHours: z.number().min(0).max(24 * 30).default(72) })
      .strict()
      .default({ waitHours: 72 }),
    lineage: LineageSchema.default(LineageSchema.parse({})),
    local: LocalEngineSchema.default(LocalEngineSchema.parse({})),
    /** Backend-specific sections owned by their adapters (validated there). */
    aws: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type FlywheelConfig = z.infer<typeof FlywheelConfigSchema>;

export function taskQueueFor(config: FlywheelConfig): string {
  return config.temporal.taskQueue ?? `flywheel-${config.environment}`;
}

export { envVarName };
