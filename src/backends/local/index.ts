import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
import type { Backend } from '../../ports/backend.js';
import { LocalBucketedTables } from './bucketed.js';
import { LocalStagedCatalog } from './catalog.js';
import { LocalDeltaMaintenance } from './deltaMaintenance.js';
import { DuckEngine } from './duck.js';
import { LocalLakeInventory } from './inventory.js';
import { LocalJobRunner } from './jobRunner.js';
import { LakePaths } from './paths.js';
import { LocalRunManifests } from './runManifests.js';
import { LocalTableQuality } from './tableQuality.js';

export { seedLake, DEFAULT_SEED_ROWS, DEFAULT_SEED_SNAPSHOTS } from './seed.js';
export type { SeedOptions, SeedSummary, SeededPartition } from './seed.js';
export { LakePaths } from './paths.js';
export { seedDriftedSnapshot, DEFAULT_DRIFT_SNAPSHOT, DRIFT_CASES } from './seedDrift.js';
export type { DriftCase, DriftSeedOptions, DriftSeedSummary, DriftedTable } from './seedDrift.js';

/** The catalog database file of an environment: `<home>/catalog/<environment>.duckdb`. */
export function catalogDatabasePath(config: FlywheelConfig, home: string): string {
  return path.join(path.resolve(home), 'catalog', `${config.environment}.duckdb`);
}

/**
 * The embedded backend: the lake is a directory tree under `<home>/<local.lakeRoot>` laid out like
 * the S3 buckets, jobs run in detached job processes, and DuckDB (one instance on the environment's catalog file,
 * opened on first use) plays Glue Catalog + Athena.
 */
export async function createLocalBackend(config: FlywheelConfig, home: string): Promise<Backend> {
  const root = path.resolve(home);
  const paths = new LakePaths(config, root);
  const engine = new DuckEngine({
    database: catalogDatabasePath(config, root),
    threads: config.local.threads,
    memoryLimit: config.local.memoryLimit,
    tempDirectory: path.join(root, 'tmp', 'duckdb'),
  });
  const jobs = new LocalJobRunner(config, root);
  let closed: Promise<void> | undefined;
  return {
    kind: 'local',
    inventory: new LocalLakeInventory(paths),
    jobs,
    catalog: new LocalStagedCatalog(config, paths, engine),
    bucketed: new LocalBucketedTables(config, paths, engine),
    quality: new LocalTableQuality(config, paths, engine),
    maintenance: new LocalDeltaMaintenance(config, paths, root),
    manifests: new LocalRunManifests(root),
    describeLocation: (kind, tableName, snapshotDt) => paths.describe(kind, tableName, snapshotDt),
    close() {
      closed ??= engine.close(); // job runs are not stopped: they live in their own processes, as Glue runs do
      return closed;
    },
  };
}
