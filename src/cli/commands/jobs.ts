import { createAwsClients, parseAwsConfig } from '../../backends/aws/index.js';
import { deployMaintenanceJob } from '../../backends/aws/glueJobDeploy.js';
import { badInput, EXIT_OK } from '../errors.js';
import { loadContext, type CommonOptions } from '../options.js';

/** `flywheel jobs deploy`: upload jobs/delta_maintenance.py and create or update its Glue job (idempotent). */
export async function jobsDeployCommand(options: CommonOptions): Promise<number> {
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'aws') {
    throw badInput(`jobs deploy creates Glue jobs; ${ctx.config.environment} uses backend ${ctx.config.backend} (its maintenance job is the local script itself)`);
  }
  const aws = parseAwsConfig(ctx.config);
  const clients = createAwsClients(aws);
  try {
    const deployed = await deployMaintenanceJob(ctx.config, clients.s3, clients.glue, aws.retry);
    if (ctx.json) process.stdout.write(`${JSON.stringify(deployed, null, 2)}\n`);
    process.stderr.write(
      `✔ ${deployed.jobName}: job ${deployed.job}, script ${deployed.script} (${deployed.scriptLocation}), ` +
        `Glue ${deployed.definition.GlueVersion}, ${deployed.definition.DefaultArguments!['--additional-python-modules']}\n`,
    );
    return EXIT_OK;
  } finally {
    clients.destroy();
  }
}
