import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../../config/load.js';
import type { FlywheelConfig } from '../../config/schema.js';

/**
 * The `aws:` section of a Flywheel config. The top-level schema leaves it open (`Record<string, unknown>`)
 * so only this adapter knows its shape; errors are reported with the full field path (`aws.athena.workgroup`).
 */
const s3Uri = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9_.=-]+\/)*$/, 'must be an s3:// URI ending with "/"');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1');

const GlueJobOptionsSchema = z
  .object({
    workerType: z.enum(['Standard', 'G.1X', 'G.2X', 'G.4X', 'G.8X', 'G.025X', 'Z.2X']).optional(),
    numberOfWorkers: z.number().int().min(1).max(1000).optional(),
    executionClass: z.enum(['STANDARD', 'FLEX']).optional(),
    /** Minutes; Glue's own job timeout for the run. */
    timeoutMinutes: z.number().int().min(1).max(10_080).optional(),
  })
  .strict()
  .refine((o) => (o.workerType === undefined) === (o.numberOfWorkers === undefined), {
    message: 'workerType and numberOfWorkers must be set together (Glue rejects one without the other)',
    path: ['numberOfWorkers'],
  });

export const AwsConfigSchema = z
  .object({
    /** Falls back to AWS_REGION / AWS_DEFAULT_REGION. */
    region: region.optional(),
    /** Endpoint override for every service (e.g. moto); AWS_ENDPOINT_URL[_<SERVICE>] also work. */
    endpoint: z.string().url('must be a URL such as http://127.0.0.1:5000').optional(),
    /** SDK attempts per API call (throttling, 5xx) before our own backoff layer sees the error. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Our own retry layer (ConcurrentRunsExceeded, OperationTimeout, persistent throttling). */
    retry: z
      .object({
        attempts: z.number().int().min(1).max(50).default(8),
        baseDelayMs: z.number().int().min(1).default(2_000),
        maxDelayMs: z.number().int().min(1).default(60_000),
      })
      .strict()
      .default({ attempts: 8, baseDelayMs: 2_000, maxDelayMs: 60_000 }),
    glue: z
      .object({
        /** Defaults for every job run, then per job key (`infobaseSplitAndBucket`, `addressableBucket`, `deltaMaintenance`, `registerStagedTables`). */
        defaults: GlueJobOptionsSchema.default({}),
        jobs: z
          .partialRecord(z.enum(['infobaseSplitAndBucket', 'addressableBucket', 'deltaMaintenance', 'registerStagedTables']), GlueJobOptionsSchema)
          .default({}),
        /** `api`: Glue CreateTable/BatchCreatePartition from the worker; `glue-job`: run `registerJob` per table. */
        registration: z.enum(['api', 'glue-job'], { message: 'must be "api" or "glue-job"' }).default('api'),
        /** The existing Glue job that registers staged tables (required when registration is `glue-job`). */
        registerJob: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be a Glue job name (letters, digits, . _ -)').optional(),
      })
      .strict()
      .refine((g) => g.registration !== 'glue-job' || g.registerJob !== undefined, {
        message: 'required when registration is "glue-job": the Glue job that registers staged tables',
        path: ['registerJob'],
      })
      .default({ defaults: {}, jobs: {}, registration: 'api' }),
    athena: z
      .object({
        workgroup: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be an Athena workgroup name').default('primary'),
        /** Query results; omit when the workgroup enforces its own output location. */
        outputLocation: s3Uri.optional(),
        /** Queries in flight from one worker process (Athena's DML concurrency quota is per account). */
        dmlConcurrency: z.number().int().min(1).max(1000).default(20),
        /** Snapshot tables kept besides the one being served; older ones are dropped with their data. */
        keepPreviousSnapshots: z.number().int().min(0).max(24).default(2),
        pollMinMs: z.number().int().min(1).default(1_000),
        pollMaxMs: z.number().int().min(1).default(15_000),
      })
      .strict()
      .refine((a) => a.pollMinMs <= a.pollMaxMs, { message: 'pollMinMs must not exceed pollMaxMs', path: ['pollMinMs'] })
      .default({ workgroup: 'primary', dmlConcurrency: 20, keepPreviousSnapshots: 2, pollMinMs: 1_000, pollMaxMs: 15_000 }),
  })
  .strict();

export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type GlueJobOptions = z.infer<typeof GlueJobOptionsSchema>;

/** Validates `config.aws` (absent means all defaults) and names the offending field on error. */
export function parseAwsConfig(config: FlywheelConfig, source = 'config'): AwsConfig {
  const result = AwsConfigSchema.safeParse(config.aws ?? {});
  if (!result.success) {
    const prefixed = new z.ZodError(result.error.issues.map((issue) => ({ ...issue, path: ['aws', ...issue.path] })));
    throw new ConfigError(formatZodIssues(source, prefixed));
  }
  return result.data;
}
