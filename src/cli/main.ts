import { Command, CommanderError, Option } from 'commander';
import { EXIT_BAD_INPUT, exitCodeFor } from './errors.js';
import type { CommonOptions } from './options.js';
import { flywheelVersion } from './version.js';

/**
 * Wraps a command so every error becomes one clear line and the documented exit code. The command's module is
 * loaded only when it runs: `--help`, `status` and friends do not pay for DuckDB, the AWS SDK and the worker.
 */
function action<T>(load: () => Promise<(options: T) => Promise<number>>) {
  return async (options: T) => {
    try {
      const handler = await load();
      process.exitCode = await handler(options);
    } catch (error) {
      process.stderr.write(`flywheel: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.FLYWHEEL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = exitCodeFor(error);
    }
  };
}

const configOption = () =>
  new Option('-c, --config <file>', 'config file (default: $FLYWHEEL_CONFIG or config/local.yaml)');
const jsonOption = () => new Option('--json', 'print the result as JSON on stdout (progress goes to stderr)');

const program = new Command('flywheel')
  .description('Monthly cleanroom refresh on Temporal: discover → split/bucket → register → CTAS → validate → lineage')
  .version(flywheelVersion(), '-V, --version', 'print the Flywheel version')
  .showHelpAfterError()
  .exitOverride();

program
  .command('demo')
  .description('seed a sample lake, start Temporal and a worker, run the monthly refresh, print a summary')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--rows <n>', 'rows per table in the sample lake (reseeds)')
  .option('--reseed', 'rewrite the sample lake even if it exists')
  .option('--snapshot <YYYY-MM-DD>', 'process this snapshot instead of the latest complete one')
  .option('--tables <list>', 'comma-separated tables to process')
  .option('--keep-server', 'keep the dev server and Web UI running after the run (Ctrl-C to stop)')
  .option('--temporal-address <host:port>', 'use this Temporal server instead of starting the demo\'s own (also TEMPORAL_ADDRESS)')
  .option('--scenario <name>', 'refresh (default) | drift: then a drifted month that stops at the quality gate, waiting for approval')
  .action(action(() => import('./commands/demo.js').then((m) => m.demoCommand)));

program
  .command('run')
  .description('start the monthly refresh on a running worker and follow it')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'process this snapshot instead of the latest complete one')
  .option('--tables <list>', 'comma-separated tables to process')
  .option('--follow', 'live progress bars per stage and table (default on a terminal)')
  .option('--no-follow', 'no live progress')
  .option('--dry-run', 'print the plan (tables, jobs, arguments, tables created) without running anything')
  .option('--detach', 'return as soon as the refresh has started')
  .action(action(() => import('./commands/run.js').then((m) => m.runCommand)));

program
  .command('status')
  .description('show a refresh: per-table stage, state, attempts, last error, rejected signals')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'the refresh of this snapshot (workflow flywheel-<env>-refresh-<date>)')
  .option('--workflow-id <id>', 'any refresh workflow id')
  .action(action(() => import('./commands/status.js').then((m) => m.statusCommand)));

program
  .command('reprocess')
  .description('ask a waiting refresh to redo tables (the `reprocess` update; refused requests exit 2)')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'the refresh of this snapshot')
  .option('--workflow-id <id>', 'any refresh workflow id')
  .option('--tables <list>', 'comma-separated tables (default: the failed ones)')
  .option('--from-stage <stage>', 'split | register | bucket | validate (default: where each table failed)')
  .action(action(() => import('./commands/reprocess.js').then((m) => m.reprocessCommand)));

program
  .command('approve')
  .description('let tables held at the quality gate continue, with a reason (the `approve` update; refused requests exit 2)')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'the refresh of this snapshot')
  .option('--workflow-id <id>', 'any refresh workflow id')
  .option('--tables <list>', 'comma-separated tables awaiting approval (required)')
  .option('--reason <text>', 'why they may be published despite the failed checks (required; kept in the report and lineage)')
  .action(action(() => import('./commands/approve.js').then((m) => m.approveCommand)));

const lineage = program.command('lineage').description('lineage publishing: status and catch-up');
lineage
  .command('status')
  .description('what lineage is published, pending or failed, and why')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'only this snapshot')
  .action(action(() => import('./commands/lineage.js').then((m) => m.lineageStatusCommand)));
lineage
  .command('publish')
  .description('publish pending lineage now (idempotent)')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--snapshot <YYYY-MM-DD>', 'only this snapshot')
  .action(action(() => import('./commands/lineage.js').then((m) => m.lineagePublishCommand)));

const schedules = program.command('schedules').description('the monthly-refresh and delta-maintenance Temporal schedules');
schedules
  .command('apply')
  .description('create or update (idempotently) flywheel-<env>-monthly-refresh and flywheel-<env>-delta-maintenance from config')
  .addOption(configOption())
  .addOption(jsonOption())
  .action(action(() => import('./commands/schedules.js').then((m) => m.schedulesApplyCommand)));
schedules
  .command('list')
  .description('the schedules with their spec, state and next runs')
  .addOption(configOption())
  .addOption(jsonOption())
  .action(action(() => import('./commands/schedules.js').then((m) => m.schedulesListCommand)));

program
  .command('maintenance')
  .description('Delta table maintenance')
  .command('run')
  .description('OPTIMIZE (ZORDER BY) then VACUUM every configured Delta table, and wait for the result')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--retain-hours <n>', 'VACUUM retention in hours (below 168 refused unless config allows it)')
  .option('--tables <list>', 'comma-separated tables from maintenance.tables')
  .action(action(() => import('./commands/maintenance.js').then((m) => m.maintenanceRunCommand)));

program
  .command('bucket-of')
  .description("the Hive v1 bucket (Athena's, and the local engine's) of bucket-column values, and its file name prefix")
  .argument('<values...>', 'values of the bucket column (bucketing.column)')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--type <hive type>', 'string (default), bigint, int, smallint, tinyint, date (YYYY-MM-DD), boolean')
  .option('--count <n>', 'bucket count (default: bucketing.count)')
  .action(async (values: string[], options: Record<string, unknown>) =>
    action<typeof options>(() => import('./commands/bucketOf.js').then((m) => (o: typeof options) => m.bucketOfCommand(values, o)))(options),
  );

program
  .command('jobs')
  .description('the Glue jobs Flywheel ships')
  .command('deploy')
  .description('upload jobs/delta_maintenance.py and create or update the maintenance Glue job (maintenance.glueJob) idempotently')
  .addOption(configOption())
  .addOption(jsonOption())
  .action(action(() => import('./commands/jobs.js').then((m) => m.jobsDeployCommand)));

program
  .command('worker')
  .description('run a worker for the configured environment until SIGINT/SIGTERM')
  .addOption(configOption())
  .action(action(() => import('./commands/worker.js').then((m) => m.workerCommand)));

program
  .command('seed')
  .description('write the deterministic sample lake for the local backend')
  .addOption(configOption())
  .addOption(jsonOption())
  .option('--rows <n>', 'rows per table')
  .option('--snapshots <list>', 'comma-separated snapshot dates (default: 2026-09-01,2026-10-01)')
  .action(action(() => import('./commands/seed.js').then((m) => m.seedCommand)));

program
  .command('sql')
  .description('read-only DuckDB query over the local catalog (the staged and bucketed tables)')
  .argument('<query>', 'SQL, e.g. "SELECT count(*) FROM ibe_01_bucketed"')
  .addOption(configOption())
  .addOption(jsonOption())
  .action(async (query: string, options: CommonOptions) =>
    action<CommonOptions>(() => import('./commands/sql.js').then((m) => (o: CommonOptions) => m.sqlCommand(query, o)))(options),
  );

program
  .command('server')
  .description('run the Temporal dev server (Web UI on port+1000) with its state in $FLYWHEEL_HOME')
  .addOption(configOption())
  .option('--port <n>', 'gRPC port', '7233')
  .action(action(() => import('./commands/server.js').then((m) => m.serverCommand)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander already printed the usage problem; it exits 0 for --help/--version.
  process.exitCode = error instanceof CommanderError && error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
}
