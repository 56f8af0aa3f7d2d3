import { describe, expect, it } from 'vitest';
import { DPU_PER_WORKER, glueDpuSeconds } from '../../../src/domain/glueDpu.js';

/** Run shapes as GetJobRun returns them for each kind of job (fields the estimate reads). */
describe('glueDpuSeconds', () => {
  it('uses DPUSeconds when Glue reports it (FLEX and auto-scaling runs), whatever the capacity says', () => {
    const flex = { DPUSeconds: 1234.5, ExecutionTime: 600, WorkerType: 'G.1X', NumberOfWorkers: 10, MaxCapacity: 10 };
    expect(glueDpuSeconds(flex)).toEqual({ dpuSeconds: 1234.5, basis: 'reported' });
  });

  it.each([
    ['G.025X', 0.25],
    ['G.1X', 1],
    ['G.2X', 2],
    ['G.4X', 4],
    ['G.8X', 8],
    ['Z.2X', 2],
  ])('a standard %s run: workers × %d DPU × execution time', (workerType, dpu) => {
    // GetJobRun also fills MaxCapacity for worker-type runs; the worker count is what was billed.
    const run = { ExecutionTime: 300, WorkerType: workerType, NumberOfWorkers: 10, MaxCapacity: 10 * dpu };
    expect(glueDpuSeconds(run)).toEqual({ dpuSeconds: 10 * dpu * 300, basis: 'workers' });
    expect(DPU_PER_WORKER[workerType]).toBe(dpu);
  });

  it('a Python shell run (no worker type): MaxCapacity × execution time, 0.0625 or 1 DPU', () => {
    expect(glueDpuSeconds({ ExecutionTime: 120, MaxCapacity: 0.0625 })).toEqual({ dpuSeconds: 7.5, basis: 'max-capacity' });
    expect(glueDpuSeconds({ ExecutionTime: 120, MaxCapacity: 1 })).toEqual({ dpuSeconds: 120, basis: 'max-capacity' });
  });

  it('a legacy Standard run: MaxCapacity DPUs (the Standard worker count does not say the DPUs)', () => {
    const run = { ExecutionTime: 3600, WorkerType: 'Standard', NumberOfWorkers: 5, MaxCapacity: 10 };
    expect(glueDpuSeconds(run)).toEqual({ dpuSeconds: 36_000, basis: 'max-capacity' });
  });

  it('a worker type it does not know falls back to MaxCapacity, else unknown (never a guess)', () => {
    expect(glueDpuSeconds({ ExecutionTime: 10, WorkerType: 'X.99X', NumberOfWorkers: 3, MaxCapacity: 6 })).toEqual({ dpuSeconds: 60, basis: 'max-capacity' });
    expect(glueDpuSeconds({ ExecutionTime: 10, WorkerType: 'X.99X', NumberOfWorkers: 3 })).toEqual({ basis: 'unknown' });
  });

  it('DPUSeconds 0 (set but empty) is not trusted over the capacity', () => {
    expect(glueDpuSeconds({ DPUSeconds: 0, ExecutionTime: 60, WorkerType: 'G.2X', NumberOfWorkers: 2 })).toEqual({ dpuSeconds: 240, basis: 'workers' });
  });

  it('no execution time or no capacity: unknown; a run that consumed 0 s costs 0', () => {
    expect(glueDpuSeconds({ WorkerType: 'G.1X', NumberOfWorkers: 10 })).toEqual({ basis: 'unknown' });
    expect(glueDpuSeconds({ ExecutionTime: 60 })).toEqual({ basis: 'unknown' });
    expect(glueDpuSeconds({ ExecutionTime: 0, WorkerType: 'G.1X', NumberOfWorkers: 10 })).toEqual({ dpuSeconds: 0, basis: 'workers' });
  });
});
