/**
 * Glue DPU-seconds of a finished job run, for the run's cost estimate.
 *
 * Glue reports `DPUSeconds` only for FLEX runs and runs with auto scaling. For a standard run the
 * DPU-seconds are its capacity × `ExecutionTime`: `NumberOfWorkers` × the worker type's DPUs, or
 * `MaxCapacity` (Python shell jobs, and legacy `Standard` runs, are sized in DPUs directly).
 * Glue's minimum billed duration per run (1 minute; 10 for Glue 0.9/1.0) is not added.
 */

/** DPUs per worker, by Glue worker type (Z.2X: Ray, in M-DPUs, billed like DPUs). */
export const DPU_PER_WORKER: Readonly<Record<string, number>> = {
  'G.025X': 0.25,
  'G.1X': 1,
  'G.2X': 2,
  'G.4X': 4,
  'G.8X': 8,
  'G.12X': 12,
  'G.16X': 16,
  'R.1X': 1,
  'R.2X': 2,
  'R.4X': 4,
  'R.8X': 8,
  'Z.2X': 2,
};

/** The fields of a Glue `JobRun` the estimate reads. */
export interface GlueRunCapacity {
  DPUSeconds?: number;
  ExecutionTime?: number;
  WorkerType?: string;
  NumberOfWorkers?: number;
  MaxCapacity?: number;
}

export interface DpuSecondsEstimate {
  /** Undefined when the run says neither its DPU-seconds nor its capacity and duration. */
  dpuSeconds?: number;
  /** Where the figure comes from. */
  basis: 'reported' | 'workers' | 'max-capacity' | 'unknown';
}

const positive = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

export function glueDpuSeconds(run: GlueRunCapacity): DpuSecondsEstimate {
  if (positive(run.DPUSeconds)) return { dpuSeconds: run.DPUSeconds, basis: 'reported' };
  const seconds = run.ExecutionTime;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return { basis: 'unknown' };
  const perWorker = run.WorkerType === undefined ? undefined : DPU_PER_WORKER[run.WorkerType];
  if (perWorker !== undefined && positive(run.NumberOfWorkers)) {
    return { dpuSeconds: run.NumberOfWorkers * perWorker * seconds, basis: 'workers' };
  }
  if (positive(run.MaxCapacity)) return { dpuSeconds: run.MaxCapacity * seconds, basis: 'max-capacity' };
  return { basis: 'unknown' };
}
