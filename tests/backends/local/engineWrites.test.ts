import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBucketedTables } from '../../../src/backends/local/bucketed.js';
import { DuckEngine, parquetRowCount, queryRows } from '../../../src/backends/local/duck.js';
import { writeHashSlices } from '../../../src/backends/local/hashSlices.js';
import { seedLake } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import { splitTable } from '../../../src/backends/local/splitTable.js';
import { NO_CONTEXT } from '../../../src/ports/context.js';
import { ibe, SNAPSHOT, tempHome, testConfig } from './helpers.js';

const config = testConfig(['IBE_01']);
const IBE = ibe('IBE_01');

describe('local engine writes', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let engine: DuckEngine;

  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    await seedLake({ config, home, rows: 2000, snapshots: [SNAPSHOT] });
    engine = new DuckEngine({ database: path.join(home, 'catalog.duckdb'), threads: 2, memoryLimit: '256MB' });
  });
  afterAll(async () => {
    await engine?.close();
    await cleanup?.();
  });

  it('writeHashSlices: exactly `count` flat files, the COPY row count, zero-row files for empty slices, no partition folders left', async () => {
    const outDir = path.join(home, 'slices');
    const written = await engine.withConnection((conn) =>
      writeHashSlices(conn, {
        selectSql: 'SELECT range AS id, range % 3 AS k FROM range(1234)',
        slice: '(id % 3)', // slices 0-2 get rows, 3 and 4 stay empty
        count: 5,
        outDir,
        fileName: (i) => `s${i}.parquet`,
      }),
    );
    expect(written.rows).toBe(1234);
    expect(written.files).toEqual([0, 1, 2, 3, 4].map((i) => path.join(outDir, `s${i}.parquet`)));
    expect((await readdir(outDir)).sort()).toEqual(['s0.parquet', 's1.parquet', 's2.parquet', 's3.parquet', 's4.parquet']);
    // Read back independently: the reported count is what the files hold, each slice in its own file.
    const counted = await engine.withConnection((conn) => parquetRowCount(conn, written.files));
    expect(counted).toBe(1234);
    const perFile = await engine.withConnection((conn) =>
      queryRows(conn, `SELECT filename, count(DISTINCT k) AS ks, count(*) AS n FROM read_parquet(${JSON.stringify(written.files).replace(/"/g, "'")}, filename = true) GROUP BY filename ORDER BY filename`),
    );
    expect(perFile.map((r) => [path.basename(String(r.filename)), Number(r.ks), Number(r.n)])).toEqual([
      ['s0.parquet', 1, 412],
      ['s1.parquet', 1, 411],
      ['s2.parquet', 1, 411],
    ]);
  });

  it('validation and the CTAS reads do not wait for the write slot another table holds', async () => {
    const paths = new LakePaths(config, home);
    const split = await splitTable(engine, paths, { table: IBE, snapshotDt: SNAPSHOT, fileCount: 2, keyColumn: 'customer_user_id' }, new AbortController().signal);
    expect(split).toMatchObject({ stagedFiles: 2, stagedRows: 2000, sourceRows: 2000 });
    const tables = new LocalBucketedTables(config, paths, engine);
    const request = { table: IBE, snapshotDt: SNAPSHOT, bucketColumn: 'customer_user_id', bucketCount: 16 };
    await tables.createBucketedTable({ ...request, requestToken: 't1' }, NO_CONTEXT);

    // Another table's write holds the only slot (2 threads → 1) until released.
    let release!: () => void;
    const held = engine.writes.run(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const validation = await tables.validateBucketedTable(request, NO_CONTEXT);
      expect(validation).toMatchObject({ stagedRows: 2000, bucketedRows: 2000, bucketFiles: 16, problems: [] });
    } finally {
      release();
      await held;
    }
  });
});
