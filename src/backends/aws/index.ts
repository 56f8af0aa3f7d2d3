import type { FlywheelConfig } from '../../config/schema.js';
import { assertSqlIdentifier } from '../../domain/identifiers.js';
import { ADDRESSABLE_TABLE_NAME } from '../../domain/tables.js';
import type { Backend } from '../../ports/backend.js';
import { AthenaBucketedTableBuilder } from './athenaBucketed.js';
import { AthenaQueryRunner } from './athenaQueries.js';
import { createAwsClients, type AwsClients } from './clients.js';
import { parseAwsConfig } from './config.js';
import { GlueDeltaMaintenance } from './deltaMaintenance.js';
import { GlueStagedTableCatalog } from './glueCatalog.js';
import { GlueJobStagedTableCatalog } from './glueJobRegistration.js';
import { GlueJobRunner } from './glueJobRunner.js';
import { AwsLayout } from './layout.js';
import { S3RunManifests } from './runManifests.js';
import { S3LakeInventory } from './s3Inventory.js';
import { SnapshotTables } from './snapshotTables.js';
import { AthenaTableQuality } from './tableQuality.js';

export { parseAwsConfig, type AwsConfig } from './config.js';
export { createAwsClients, type AwsClients } from './clients.js';

/** Options for tests: a custom environment (region/endpoint variables) and small S3 pages. */
export interface AwsBackendOptions {
  env?: NodeJS.ProcessEnv;
  listPageSize?: number;
  /** Pre-built clients (tests add fault-injection middleware to them); built from config otherwise. */
  clients?: AwsClients;
}

/** The AWS backend: S3 inventory, Glue jobs and catalog, Athena CTAS. Validates `aws:` config first. */
export async function createAwsBackend(config: FlywheelConfig, options: AwsBackendOptions = {}): Promise<Backend> {
  const aws = parseAwsConfig(config);
  const database = assertSqlIdentifier(config.catalog.database, 'catalog.database');
  const clients = options.clients ?? createAwsClients(aws, options.env ?? process.env);
  const layout = new AwsLayout(config.layout);
  const retry = aws.retry;
  const queries = new AthenaQueryRunner(clients.athena, aws.athena, database, retry);
  const snapshotTables = new SnapshotTables(clients.glue, clients.s3, layout, database, retry);
  const jobs = new GlueJobRunner(clients.glue, clients.region, aws, retry);
  const catalog =
    aws.glue.registration === 'glue-job'
      ? new GlueJobStagedTableCatalog(jobs, clients.glue, clients.s3, layout, database, retry, {
          jobName: aws.glue.registerJob!, // required by the config schema in this mode
          pollMinMs: config.jobs.pollMinSeconds * 1000,
          pollMaxMs: config.jobs.pollMaxSeconds * 1000,
        })
      : new GlueStagedTableCatalog(clients.glue, clients.s3, layout, database, retry);

  return {
    kind: 'aws',
    inventory: new S3LakeInventory(
      clients.s3,
      layout,
      { bucket: config.layout.sourceBucket, prefix: config.layout.infobasePrefix },
      options.listPageSize,
    ),
    jobs,
    catalog,
    bucketed: new AthenaBucketedTableBuilder(clients.s3, queries, snapshotTables, layout, database, aws.athena.keepPreviousSnapshots),
    quality: new AthenaTableQuality(clients.glue, queries, snapshotTables, database, config.quality, retry),
    manifests: new S3RunManifests(clients.s3, config.layout.targetBucket, config.layout.bucketedPrefix),
    maintenance: new GlueDeltaMaintenance(
      config,
      new GlueJobRunner(clients.glue, clients.region, { ...aws, glue: { ...aws.glue, jobs: {} } }, retry),
      clients.s3,
      clients.glue,
      retry,
    ),
    describeLocation(kind, tableName, snapshotDt) {
      const table = { name: tableName, kind: tableName === ADDRESSABLE_TABLE_NAME ? 'addressable' : 'infobase' } as const;
      const location =
        kind === 'source'
          ? layout.sourcePartition(table, snapshotDt)
          : kind === 'staged'
            ? layout.stagedPartition(table, snapshotDt)
            : layout.bucketedSnapshot(table, snapshotDt);
      return layout.uri(location);
    },
    async close() {
      clients.destroy();
    },
  };
}
