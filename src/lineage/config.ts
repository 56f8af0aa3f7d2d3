import { z } from 'zod';
import type { FlywheelConfig } from '../config/schema.js';
import { formatZodIssues } from '../config/load.js';

/**
 * The full `lineage:` section. The shared config schema only knows `sink`, `file` and `namespace` and
 * passes everything else through, so the lineage module owns (and validates) the rest here.
 * Secrets are never part of it: only the NAME of an environment variable, or a secret file path.
 */
const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (upper case)');
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));
const omName = z
  .string()
  .min(1)
  .max(256)
  .refine((n) => !n.includes('"') && !n.includes('::'), 'must not contain a double quote or "::" (OpenMetadata rejects them)');

const BreakerSchema = z
  .object({
    /** Consecutive failed calls that open the breaker. */
    failureThreshold: z.number().int().min(1).default(3),
    /** How long an open breaker skips calls before letting one probe through. */
    cooldownMs: z.number().int().min(0).default(60_000),
  })
  .strict();

const HttpSchema = z
  .object({
    timeoutMs: z.number().int().min(1).default(10_000),
    /** Extra attempts per request on outage-like failures (5xx, timeouts, refused); bounded on purpose. */
    retries: z.number().int().min(0).max(5).default(2),
    retryBaseMs: z.number().int().min(0).default(250),
  })
  .strict();

const OpenLineageHttpSchema = z
  .object({
    /** Marquez (or any OpenLineage HTTP consumer) base URL. OPENLINEAGE_URL overrides. */
    url: httpUrl.optional(),
    /** Path appended to `url` (the official clients' default). OPENLINEAGE_ENDPOINT overrides. */
    endpoint: z.string().min(1).default('api/v1/lineage'),
    /** Env var holding an optional API key sent as `Authorization: Bearer`. */
    apiKeyEnv: envVarName.default('OPENLINEAGE_API_KEY'),
  })
  .strict();

const OpenMetadataSchema = z
  .object({
    /** Server base URL, e.g. `http://openmetadata:8585` (no `/api`). OPENMETADATA_URL overrides. */
    url: httpUrl.optional(),
    /** `rest`: entities + lineage + pipeline status via the REST API; `openlineage`: OM's OpenLineage endpoint. */
    transport: z.enum(['rest', 'openlineage']).default('rest'),
    /** Env var with the bot JWT. */
    tokenEnv: envVarName.default('OPENMETADATA_JWT_TOKEN'),
    /** Alternative: a file holding the JWT (e.g. a mounted secret); relative paths are under FLYWHEEL_HOME. */
    tokenFile: z.string().min(1).optional(),
    databaseService: z
      .object({ name: omName.default('aws_glue'), type: z.string().min(1).default('Glue') })
      .strict()
      .default({ name: 'aws_glue', type: 'Glue' }),
    /** OM database under the service (Glue's catalog). */
    database: omName.default('awsdatacatalog'),
    /** Schema for raw source datasets (they have no catalog database of their own). */
    sourceSchema: omName.default('source_files'),
    /** Pipeline entity name; default `<jobName>_<environment>`. */
    pipeline: omName.optional(),
    pipelineService: z
      .object({ name: omName.default('flywheel_temporal'), type: z.string().min(1).default('CustomPipeline') })
      .strict()
      .default({ name: 'flywheel_temporal', type: 'CustomPipeline' }),
  })
  .strict();

const DatasetNamingSchema = z
  .object({
    /**
     * How catalog tables are named in OpenLineage: `athena` (awsathena://athena.<region>.amazonaws.com,
     * catalog.db.table), `glue` (arn:aws:glue:<region>:<account>, table/db/table) or `location`
     * (the data's S3 / file location). Default: athena on the aws backend, location on local.
     */
    catalogNaming: z.enum(['athena', 'glue', 'location']).optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region').optional(),
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    athenaCatalog: z.string().min(1).default('awsdatacatalog'),
  })
  .strict();

export const LineageConfigSchema = z
  .object({
    sink: z.enum(['file', 'openlineage', 'openmetadata', 'none']).default('file'),
    file: z.string().min(1).default('lineage/openlineage.jsonl'),
    namespace: z.string().min(1).default('flywheel'),
    /** Job name of the workflow run; task jobs are `<jobName>.<stage>.<table>`. Also the OM pipeline name. */
    jobName: omName.default('cleanroom_refresh'),
    datasets: DatasetNamingSchema.default({ athenaCatalog: 'awsdatacatalog' }),
    openlineage: OpenLineageHttpSchema.default({ endpoint: 'api/v1/lineage', apiKeyEnv: 'OPENLINEAGE_API_KEY' }),
    openmetadata: OpenMetadataSchema.default(OpenMetadataSchema.parse({})),
    http: HttpSchema.default(HttpSchema.parse({})),
    breaker: BreakerSchema.default(BreakerSchema.parse({})),
  })
  .strict();

export type LineageSettings = z.infer<typeof LineageConfigSchema>;

/** Resolved settings plus what the rest of the config says about the environment. */
export interface ResolvedLineageConfig extends LineageSettings {
  environment: string;
  backend: 'local' | 'aws';
  /** Catalog database of staged and bucketed tables. */
  catalogDatabase: string;
  catalogNaming: 'athena' | 'glue' | 'location';
  region: string;
}

export class LineageConfigError extends Error {
  override readonly name = 'ConfigError';
}

const SINKS = ['file', 'openlineage', 'openmetadata', 'none'] as const;

/** Parses `config.lineage` and applies the environment overrides. Throws LineageConfigError on bad input. */
export function resolveLineageConfig(config: FlywheelConfig, env: NodeJS.ProcessEnv = process.env): ResolvedLineageConfig {
  const parsed = LineageConfigSchema.safeParse(config.lineage ?? {});
  if (!parsed.success) throw new LineageConfigError(formatZodIssues('the lineage section of the config', parsed.error));
  const settings = parsed.data;

  const sinkOverride = env.FLYWHEEL_LINEAGE_SINK?.trim();
  if (sinkOverride) {
    if (!(SINKS as readonly string[]).includes(sinkOverride)) {
      throw new LineageConfigError(`FLYWHEEL_LINEAGE_SINK=${sinkOverride} is invalid: use one of ${SINKS.join(', ')}`);
    }
    settings.sink = sinkOverride as LineageSettings['sink'];
  }
  const url = (name: string, value: string | undefined): string | undefined => {
    if (!value?.trim()) return undefined;
    const checked = httpUrl.safeParse(value.trim());
    if (!checked.success) throw new LineageConfigError(`${name}=${value} is not an http(s) URL`);
    return checked.data;
  };
  settings.openmetadata.url = url('OPENMETADATA_URL', env.OPENMETADATA_URL) ?? settings.openmetadata.url;
  settings.openlineage.url = url('OPENLINEAGE_URL', env.OPENLINEAGE_URL) ?? settings.openlineage.url;
  if (env.OPENLINEAGE_ENDPOINT?.trim()) settings.openlineage.endpoint = env.OPENLINEAGE_ENDPOINT.trim();

  if (settings.sink === 'openmetadata' && !settings.openmetadata.url) {
    throw new LineageConfigError('lineage.sink is openmetadata but no URL is set: set lineage.openmetadata.url or OPENMETADATA_URL');
  }
  if (settings.sink === 'openlineage' && !settings.openlineage.url) {
    throw new LineageConfigError('lineage.sink is openlineage but no URL is set: set lineage.openlineage.url or OPENLINEAGE_URL');
  }

  const awsRegion = typeof config.aws?.region === 'string' ? config.aws.region : undefined;
  const region = settings.datasets.region ?? awsRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const catalogNaming = settings.datasets.catalogNaming ?? (config.backend === 'aws' ? 'athena' : 'location');
  if (catalogNaming === 'glue' && !settings.datasets.accountId) {
    throw new LineageConfigError('lineage.datasets.catalogNaming glue needs lineage.datasets.accountId (the Glue ARN namespace holds it)');
  }
  return {
    ...settings,
    environment: config.environment,
    backend: config.backend,
    catalogDatabase: config.catalog.database,
    catalogNaming,
    region,
  };
}
