import { seedLake } from '../../backends/local/index.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { badInput, EXIT_OK } from '../errors.js';
import { loadContext, parsePositiveInt, type CommonOptions } from '../options.js';

export interface SeedCommandOptions extends CommonOptions {
  rows?: string;
  snapshots?: string;
}

/** `flywheel seed`: writes the deterministic sample lake for the local backend. */
export async function seedCommand(options: SeedCommandOptions): Promise<number> {
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'local') throw badInput(`seed writes the local lake; ${ctx.config.environment} uses backend ${ctx.config.backend}`);
  const rows = options.rows === undefined ? undefined : parsePositiveInt('--rows', options.rows);
  const snapshots = options.snapshots?.split(',').map((s) => {
    try {
      return assertSnapshotDt(s.trim(), '--snapshots date');
    } catch (error) {
      throw badInput((error as Error).message);
    }
  });
  const summary = await seedLake({ config: ctx.config, home: ctx.home, rows, snapshots });
  if (ctx.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.stderr.write(
    `seeded ${summary.partitions.length} partitions (${summary.totalRows.toLocaleString('en-US')} rows, ` +
      `${(summary.totalBytes / 1e6).toFixed(1)} MB) for ${summary.snapshots.join(', ')} in ${(summary.durationMs / 1000).toFixed(1)}s\n` +
      `  lake: ${summary.lakeRoot}\n` +
      summary.deltaTables.map((t) => `  Delta table ${t.name}: version ${t.version}, ${t.files} files (${t.location})\n`).join(''),
  );
  return EXIT_OK;
}
