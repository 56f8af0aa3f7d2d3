import { applySchedules, listSchedules, type ScheduleListing } from '../../schedules/index.js';
import { EXIT_OK } from '../errors.js';
import { loadContext, type CommonOptions } from '../options.js';
import { connectForCli } from '../temporalConnection.js';

/** `flywheel schedules apply`: create or update the environment's schedules from config (idempotent). */
export async function schedulesApplyCommand(options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  const client = await connectForCli(ctx.config);
  try {
    const results = await applySchedules(client, ctx.config);
    if (ctx.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else for (const r of results) process.stdout.write(`${r.action.padEnd(8)} ${r.scheduleId}${r.paused ? ' (paused)' : ''}\n`);
    return EXIT_OK;
  } finally {
    await client.connection.close();
  }
}

function formatListing(s: ScheduleListing): string {
  if (!s.exists) return `${s.scheduleId}: not on the server${s.enabledInConfig ? ' (run `flywheel schedules apply`)' : ' (disabled in config)'}`;
  const lines = [
    `${s.scheduleId}${s.paused ? '  [PAUSED]' : ''}`,
    `  starts     ${s.workflowType} · ${s.spec}`,
    `  policies   overlap ${s.overlap} · catch-up ${Math.round((s.catchupWindowMs ?? 0) / 60_000)} min · pause on failure ${s.pauseOnFailure ? 'yes' : 'no'}`,
    `  next       ${s.nextActionTimes.slice(0, 3).join(', ') || '—'}`,
    `  recent     ${s.recentActions.slice(-3).map((a) => `${a.takenAt} ${a.workflowId}`).join('\n             ') || '—'}`,
  ];
  if (s.flywheelNote) lines.push(`  flywheel   ${s.flywheelNote}`);
  if (s.note && s.note !== s.flywheelNote) lines.push(`  note       ${s.note}${s.paused ? ' (the pause reason)' : ''}`);
  return lines.join('\n');
}

/** `flywheel schedules list`: spec, paused, next action times and recent actions, as the server has them. */
export async function schedulesListCommand(options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  const client = await connectForCli(ctx.config);
  try {
    const listings = await listSchedules(client, ctx.config);
    if (ctx.json) process.stdout.write(`${JSON.stringify(listings, null, 2)}\n`);
    else process.stdout.write(`${listings.map(formatListing).join('\n\n')}\n`);
    return EXIT_OK;
  } finally {
    await client.connection.close();
  }
}
