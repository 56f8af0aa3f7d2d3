/**
 * A real worker on the shared dev server (globalSetup) with the real local backend over a small
 * seeded lake in a temp FLYWHEEL_HOME. Each harness has its own environment name and task queue,
 * so test files can run in parallel against one server without seeing each other's workflows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { seedLake } from '../../src/backends/local/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { createFlywheelWorker, type FlywheelWorker } from '../../src/workers/createWorker.js';

export interface HarnessOptions {
  tables?: string[];
  rows?: number;
  snapshots?: string[];
  bucketCount?: number;
  /** Extra top-level config keys (merged shallowly). */
  config?: Record<string, unknown>;
  /** Another Temporal server than the shared one (tests that restart their own). */
  address?: string;
}

export interface RefreshHarness {
  home: string;
  config: FlywheelConfig;
  client: Client;
  /** Runs `body` while the worker polls, then stops the worker. */
  withWorker<T>(body: (worker: FlywheelWorker) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const TEST_SNAPSHOTS = ['2026-09-01', '2026-10-01'];

export async function createRefreshHarness(options: HarnessOptions = {}): Promise<RefreshHarness> {
  const address = options.address ?? inject('temporalAddress');
  const bundlePath = inject('workflowBundlePath');
  if (!bundlePath) throw new Error('globalSetup provided no workflow bundle');
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-test-'));
  const environment = `t-${randomBytes(4).toString('hex')}`;
  const config = parseConfig(
    {
      environment,
      backend: 'local',
      temporal: { address, namespace: inject('temporalNamespace'), taskQueue: `flywheel-${environment}` },
      layout: { sourceBucket: 'test-lake', targetBucket: 'test-lake' },
      tables: { mode: 'list', infobase: options.tables ?? ['IBE_01', 'MIACS_01'], addressable: true },
      bucketing: { column: 'customer_user_id', count: options.bucketCount ?? 256 },
      catalog: { database: 'flywheel_test' },
      tableConcurrency: 2,
      jobs: { pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
      reprocess: { waitHours: 0 }, // tests that exercise reprocessing set a wait
      lineage: { sink: 'file', file: 'lineage/openlineage.jsonl', namespace: 'flywheel-test' },
      local: { lakeRoot: 'lake', threads: 1, memoryLimit: '256MB' },
      ...options.config,
    },
    'test config',
    {},
  );
  await seedLake({ config, home, rows: options.rows ?? 300, snapshots: options.snapshots ?? TEST_SNAPSHOTS });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });

  return {
    home,
    config,
    client,
    async withWorker(body) {
      const nativeConnection = await NativeConnection.connect({ address });
      const worker = await createFlywheelWorker({
        config,
        home,
        connection: nativeConnection,
        workflowBundle: { codePath: bundlePath },
      });
      try {
        return await worker.worker.runUntil(body(worker));
      } finally {
        await worker.close();
        await nativeConnection.close();
      }
    },
    async close() {
      await connection.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
