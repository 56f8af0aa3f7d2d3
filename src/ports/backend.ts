import type { BucketedTableBuilder } from './bucketedTables.js';
import type { StagedTableCatalog } from './catalog.js';
import type { JobRunner } from './jobRunner.js';
import type { DeltaMaintenance } from './deltaMaintenance.js';
import type { LakeInventory } from './lakeInventory.js';
import type { RunManifests } from './runManifests.js';
import type { TableQualityChecker } from './tableQuality.js';

/** Everything one environment's stages need. `backend: local | aws` in config picks the implementation. */
export interface Backend {
  readonly kind: 'local' | 'aws';
  inventory: LakeInventory;
  jobs: JobRunner;
  catalog: StagedTableCatalog;
  bucketed: BucketedTableBuilder;
  /** The quality gate's checks of staged tables and the baselines they compare with (issue 15). */
  quality: TableQualityChecker;
  /** Durable documents of each refresh (plan, per-table outputs, reports), referenced by key. */
  manifests: RunManifests;
  /** Delta OPTIMIZE/VACUUM; absent when the backend has none configured. */
  maintenance?: DeltaMaintenance;
  /** Human-readable location of a table's source partition, for lineage and messages. */
  describeLocation(kind: 'source' | 'staged' | 'bucketed', tableName: string, snapshotDt: string): string;
  close(): Promise<void>;
}
