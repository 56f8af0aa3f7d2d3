/**
 * Entry of a local job process (spawned detached by jobProcess.ts):
 *   node --import tsx jobProcessMain.ts <home> <jobName> <runId> <attempt>
 * Output goes to the run's log file.
 */
import { JobRecordStore } from './jobRecords.js';
import { executeJobAttempt } from './jobExecution.js';

const [home, jobName, runId, attempt] = process.argv.slice(2);
try {
  if (!home || !jobName || !runId || !/^\d+$/.test(attempt ?? '')) throw new Error('usage: jobProcessMain <home> <jobName> <runId> <attempt>');
  await executeJobAttempt(new JobRecordStore(home), jobName, runId, Number(attempt));
  process.exit(0);
} catch (error) {
  process.stderr.write(`${new Date().toISOString()} job process ${process.pid} failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
