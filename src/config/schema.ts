import { z } from 'zod';
import { ENVIRONMENT_PATTERN, SOURCE_TABLE_PATTERN } from '../domain/identifiers.js';
import { DEFAULT_STAGED_PATH_TEMPLATE, stagedPathTemplateProblems } from '../domain/stagedLayout.js';
import { QualitySchema } from './qualitySchema.js';

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
/** `host:port` the worker's Prometheus endpoint binds to. */
export const metricsAddress = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464');
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
    /**
     * Where the split jobs write a table's snapshot, below `stagedPrefix`: `{table}`, `{tableLower}`,
     * `{snapshotDt}`, `{snapshotDtCompact}` (README: "Staged layout").
     */
    stagedPathTemplate: z
      .string()
      .superRefine((template, ctx) => {
        for (const message of stagedPathTemplateProblems(template)) ctx.addIssue({ code: 'custom', message });
      })
      .default(DEFAULT_STAGED_PATH_TEMPLATE),
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
  .strict()
  .refine((j) => j.pollMinSeconds <= j.pollMaxSeconds, { message: 'pollMinSeconds must not exceed pollMaxSeconds', path: ['pollMinSeconds'] });

export const LineageSchema = z
  .object({
    sink: z.enum(['file', 'openlineage', 'openmetadata', 'none']).default('file'),
    /** JSON-lines file for `sink: file`, relative to FLYWHEEL_HOME. */
    file: z.string().min(1).default('lineage/openlineage.jsonl'),
    /** OpenLineage job namespace. */
    namespace: z.string().min(1).default('flywheel'),
  })
  .passthrough();

export const ValidationSchema = z
  .object({
    /** Rows in the largest bucket over rows in the median bucket above this is reported as bucket skew. */
    maxBucketSkew: z.number().min(1).default(1.5),
    /** `warn`: the table succeeds with a warning; `fail`: its validation fails (reprocess after fixing the data). */
    onBucketSkew: z.enum(['warn', 'fail']).default('warn'),
    /** Tables whose median bucket has fewer rows are reported but not judged (chance alone skews them). */
    bucketSkewMinMedianRows: z.number().int().min(1).default(50),
  })
  .strict();

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

export const ScaleSchema = z
  .object({
    /** Tables per child workflow (`refreshBatch`); each batch runs its own job run(s) restricted to its tables. */
    batchSize: z.number().int().min(1).max(200).default(50),
    /** Batches running at once (e.g. one splitting while another buckets). */
    batchConcurrency: z.number().int().min(1).max(20).default(2),
    /** A running batch reports its tables' progress to the refresh at most this often. */
    progressSeconds: z.number().min(0.05).max(600).default(5),
    /** A parked refresh continues as new once its history has grown this many events since the run's state was ready. */
    continueAsNewAfterEvents: z.number().int().min(20).max(40_000).default(5000),
    /**
     * A refresh still running its first pass continues as new between batches once its history has grown this many
     * bytes in the run (a continued run's reload of the tables' reports not counted): batch results are ~1.3 KB
     * per table, so without it 5,000 tables made 6.5 MB.
     */
    continueAsNewAfterBytes: z.number().int().min(10_000).max(40_000_000).default(4_000_000),
  })
  .strict();

/** A Temporal duration string such as `30m`, `12h`, `2d` (ms-format, as the SDK accepts). */
const durationString = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as "30m", "12h" or "2d"');

/** One Temporal schedule: a monthly calendar spec plus its policies (see src/schedules). */
export const ScheduleEntrySchema = z
  .object({
    /** false: `schedules apply` deletes the schedule if it exists. */
    enabled: z.boolean().default(true),
    dayOfMonth: z.number().int().min(1).max(31).default(2),
    hour: z.number().int().min(0).max(23).default(6),
    minute: z.number().int().min(0).max(59).default(0),
    /** IANA time zone the calendar is read in. */
    timeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as "UTC" or "Europe/Berlin"').default('UTC'),
    overlap: z.enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL']).default('SKIP'),
    /** How late a missed action (server down) may still start; explicit so outages never replay months. */
    catchupWindow: durationString.default('1d'),
    pauseOnFailure: z.boolean().default(false),
    /** true pauses on apply; false leaves the live state alone (an operator's pause survives an apply). */
    paused: z.boolean().default(false),
    note: z.string().max(500).optional(),
  })
  .strict();

export const SchedulesSchema = z
  .object({
    monthlyRefresh: ScheduleEntrySchema.default(ScheduleEntrySchema.parse({})),
    deltaMaintenance: ScheduleEntrySchema.default(ScheduleEntrySchema.parse({ dayOfMonth: 15, hour: 3 })),
  })
  .strict();

/** A Delta table to OPTIMIZE/VACUUM: by location (`s3://…/`) or by catalog table (`db.table` or `table`). */
export const MaintenanceTableSchema = z
  .object({
    name: tableName,
    location: z
      .string()
      .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9_.=-]+\/)+$/, 'must be an s3:// URI of a table folder ending with "/"')
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".."')
      .optional(),
    catalogTable: z
      .string()
      .regex(/^([A-Za-z_][A-Za-z0-9_]{0,127}\.)?[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be "table" or "database.table"')
      .optional(),
    /** OPTIMIZE … WHERE: `column op literal [AND …]` only (checked again by the planner). */
    where: z.string().max(500).optional(),
    zorderBy: z.array(sqlIdentifier).max(8).default([]),
  })
  .strict()
  .refine((t) => (t.location === undefined) !== (t.catalogTable === undefined), {
    message: 'give exactly one of location or catalogTable',
    path: ['location'],
  });

/** How `flywheel jobs deploy` defines the maintenance Glue job (script uploaded to `scriptLocation`). */
export const MaintenanceGlueJobSchema = z
  .object({
    /** `s3://bucket/key.py` the script is uploaded to. */
    scriptLocation: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9_.=-]+\/)*[A-Za-z0-9_.=-]+\.py$/, 'must be an s3:// URI of a .py file'),
    /** The IAM role the job runs as (reads/writes the Delta tables, writes results). */
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_\/-]{1,512}$/, 'must be an IAM role ARN'),
    glueVersion: z.enum(['4.0', '5.0']).default('5.0'),
    workerType: z.enum(['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X']).default('G.1X'),
    numberOfWorkers: z.number().int().min(2).max(1000).default(2),
    timeoutMinutes: z.number().int().min(1).max(10_080).default(720),
    /** Glue retries of a failed run (the script is idempotent per run tag). */
    maxRetries: z.number().int().min(0).max(10).default(0),
  })
  .strict();

export const MaintenanceSchema = z
  .object({
    tables: z.array(MaintenanceTableSchema).max(500).default([]),
    /** VACUUM retention; below 168 h (Delta's safety default) is refused unless allowShortRetention. */
    retainHours: z.number().int().min(0).max(24 * 365 * 10).default(168),
    allowShortRetention: z.boolean().default(false),
    /** Tables maintained at once (Glue concurrent runs / local processes). */
    concurrency: z.number().int().min(1).max(50).default(2),
    /** Run maintenance as a child of the scheduled refresh, after a successful refresh. */
    afterRefresh: z.boolean().default(false),
    /**
     * Name of the maintenance job (jobs/delta_maintenance.py): the Glue job on AWS (created by `flywheel jobs
     * deploy`), the job records' name locally.
     */
    glueJob: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be a Glue job name').optional(),
    /** AWS: the Glue job definition `flywheel jobs deploy` creates or updates. */
    glueJobDefinition: MaintenanceGlueJobSchema.optional(),
    /** AWS: where the job writes its result JSON (files, bytes, versions); required by the AWS backend. */
    resultPrefix: z
      .string()
      .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9_.=-]+\/)*$/, 'must be an s3:// URI ending with "/"')
      .optional(),
    /** Target size of files OPTIMIZE writes; unset: the table's delta.targetFileSize, else delta-rs' default. */
    targetFileMb: z.number().positive().max(10_240).optional(),
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
        /** TLS to the frontend (Temporal Cloud, or a self-hosted cluster with TLS). */
        tls: z.boolean().default(false),
        /** NAME of the env var holding a Temporal Cloud API key (implies TLS). */
        apiKeyEnv: envVarName.optional(),
        /** mTLS client certificate and key files (PEM), and a custom server CA. */
        clientCertFile: z.string().min(1).optional(),
        clientKeyFile: z.string().min(1).optional(),
        serverRootCaFile: z.string().min(1).optional(),
        /**
         * Activity heartbeat timeout: how soon a killed worker's activity is retried elsewhere. Activities
         * heartbeat on a timer, so this is about worker liveness only (default: 10 local, 30 aws).
         */
        heartbeatTimeoutSeconds: z.number().int().min(2).max(600).optional(),
      })
      .strict()
      .refine((t) => !t.clientCertFile === !t.clientKeyFile, {
        message: 'clientCertFile and clientKeyFile go together',
        path: ['clientCertFile'],
      })
      .default({ address: 'localhost:7233', namespace: 'default', tls: false }),
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
    /** How a refresh splits its work so no workflow history or payload grows with the table count (README "Scale"). */
    scale: ScaleSchema.default(ScaleSchema.parse({})),
    /** A run with failed tables waits this long (hours) in `awaiting-reprocess` for a reprocess signal. */
    reprocess: z
      .object({ waitHours: z.number().min(0).max(24 * 30).default(72) })
      .strict()
      .default({ waitHours: 72 }),
    /** Checks after the CTAS beyond the hard ones (counts, bucket layout), which always fail a table. */
    validation: ValidationSchema.default(ValidationSchema.parse({})),
    /** The quality gate before each table's CTAS: schema drift, row change, null rates (README "Quality gate"). */
    quality: QualitySchema.default(QualitySchema.parse({})),
    lineage: LineageSchema.default(LineageSchema.parse({})),
    local: LocalEngineSchema.default(LocalEngineSchema.parse({})),
    /** Worker logs and metrics. */
    observability: z
      .object({
        /** `json` for production log shipping, `pretty` for people. */
        logFormat: z.enum(['pretty', 'json']).default('pretty'),
        logLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
        /** Prometheus scrape address for the Temporal runtime's metrics, e.g. `0.0.0.0:9464` (FLYWHEEL_METRICS_ADDRESS overrides). */
        metricsAddress: metricsAddress.optional(),
      })
      .strict()
      .default({ logFormat: 'pretty', logLevel: 'INFO' }),
    /** List prices used to put a dollar figure on a run (Glue per DPU-hour, Athena per TB scanned). */
    costs: z
      .object({
        glueUsdPerDpuHour: z.number().min(0).default(0.44),
        athenaUsdPerTbScanned: z.number().min(0).default(5),
      })
      .strict()
      .default({ glueUsdPerDpuHour: 0.44, athenaUsdPerTbScanned: 5 }),
    schedules: SchedulesSchema.default(SchedulesSchema.parse({})),
    maintenance: MaintenanceSchema.default(MaintenanceSchema.parse({})),
    /** Backend-specific sections owned by their adapters (validated there). */
    aws: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type FlywheelConfig = z.infer<typeof FlywheelConfigSchema>;

/** See `temporal.heartbeatTimeoutSeconds`: seconds for local work, longer against AWS and a remote Temporal. */
export function heartbeatTimeoutSeconds(config: FlywheelConfig): number {
  return config.temporal.heartbeatTimeoutSeconds ?? (config.backend === 'local' ? 10 : 30);
}

export function taskQueueFor(config: FlywheelConfig): string {
  return config.temporal.taskQueue ?? `flywheel-${config.environment}`;
}

export { envVarName };
