import { listLineage, publishPending } from '../../lineage/index.js';
import { EXIT_OK, EXIT_RUN_FAILED } from '../errors.js';
import { loadContext, parseRunArgs, type CommonOptions } from '../options.js';

/** A run published in parts (more tables than one lineage page) has one ledger entry per part. */
const partLabel = (part: { index: number; count: number } | undefined) => (part ? ` part ${part.index + 1}/${part.count}` : '');

export interface LineageOptions extends CommonOptions {
  snapshot?: string;
}

/** `flywheel lineage status`: what was published, what is pending or failed, and why. */
export async function lineageStatusCommand(options: LineageOptions): Promise<number> {
  const ctx = loadContext(options);
  const { snapshotDt } = parseRunArgs({ snapshot: options.snapshot });
  const entries = await listLineage(ctx.home, { snapshotDt });
  if (ctx.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return EXIT_OK;
  }
  if (entries.length === 0) process.stdout.write(`no lineage recorded in ${ctx.home}${snapshotDt ? ` for ${snapshotDt}` : ''}\n`);
  for (const e of entries) {
    process.stdout.write(
      `${e.snapshotDt}  ${e.status.padEnd(9)} ${e.sink.padEnd(12)} ${e.workflowId}${partLabel(e.part)} (${e.attempts} attempt(s), last ${e.lastAttemptAt})` +
        `${e.reason ? `\n    ${e.reason}` : ''}\n`,
    );
  }
  return EXIT_OK;
}

/** `flywheel lineage publish [--snapshot <dt>]`: publishes pending lineage now; idempotent. */
export async function lineagePublishCommand(options: LineageOptions): Promise<number> {
  const ctx = loadContext(options);
  const { snapshotDt } = parseRunArgs({ snapshot: options.snapshot });
  const results = await publishPending(ctx.config, ctx.home, { snapshotDt });
  if (ctx.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (results.length === 0) process.stdout.write('nothing pending\n');
  for (const r of ctx.json ? [] : results) {
    process.stdout.write(`${r.snapshotDt} ${r.workflowId}${partLabel(r.part)}: ${r.previous} → ${r.status}${r.reason ? ` (${r.reason})` : ''}\n`);
  }
  return results.every((r) => r.status === 'published' || r.status === 'disabled') ? EXIT_OK : EXIT_RUN_FAILED;
}
