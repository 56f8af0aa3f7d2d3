/**
 * Glue's JobRunState values and what each means to the orchestrator. Unknown future states are
 * treated as "still going" rather than success, so nothing is ever counted as done by accident.
 */
export const JOB_RUN_STATES = [
  'STARTING',
  'RUNNING',
  'STOPPING',
  'STOPPED',
  'SUCCEEDED',
  'FAILED',
  'TIMEOUT',
  'ERROR',
  'WAITING',
  'EXPIRED',
] as const;
export type JobRunState = (typeof JOB_RUN_STATES)[number];

export type JobRunOutcome = 'waiting' | 'succeeded' | 'failed';

export function classifyJobRunState(state: string): JobRunOutcome {
  switch (state) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
    case 'TIMEOUT':
    case 'ERROR':
    case 'EXPIRED':
    case 'STOPPED':
      return 'failed';
    default:
      return 'waiting';
  }
}

/** Jobs the refresh runs. The key is stable; the Glue job name behind it comes from config. */
export type JobKey = 'infobaseSplitAndBucket' | 'addressableBucket' | 'deltaMaintenance' | 'registerStagedTables';

/**
 * Poll interval that fits the job's length: quick at first (short jobs finish fast), then backing
 * off towards `maxMs` so an hour-long Glue job costs a few hundred API calls, not thousands.
 */
export function pollDelayMs(pollCount: number, minMs: number, maxMs: number): number {
  const delay = minMs * 1.5 ** Math.max(0, pollCount);
  return Math.round(Math.min(maxMs, Math.max(minMs, delay)));
}
