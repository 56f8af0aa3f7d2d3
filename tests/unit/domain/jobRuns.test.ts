import { describe, expect, it } from 'vitest';
import { classifyJobRunState, JOB_RUN_STATES, pollDelayMs } from '../../../src/domain/jobRuns.js';

describe('classifyJobRunState', () => {
  const EXPECTED = {
    SUCCEEDED: 'succeeded',
    FAILED: 'failed',
    TIMEOUT: 'failed',
    ERROR: 'failed',
    EXPIRED: 'failed',
    STOPPED: 'failed',
    STARTING: 'waiting',
    RUNNING: 'waiting',
    STOPPING: 'waiting',
    WAITING: 'waiting',
  } as const;

  it('covers every Glue JobRunState', () => {
    expect([...JOB_RUN_STATES].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → %s', (state, outcome) => {
    expect(classifyJobRunState(state)).toBe(outcome);
  });

  it.each(['', 'succeeded', 'Succeeded', 'COMPLETED', 'SUCCESS', 'CANCELLED', 'PENDING', ' SUCCEEDED'])(
    'treats unknown state %j as still waiting, never as success or failure',
    (state) => {
      expect(classifyJobRunState(state)).toBe('waiting');
    },
  );
});

describe('pollDelayMs', () => {
  it('starts at the minimum', () => {
    expect(pollDelayMs(0, 100, 10_000)).toBe(100);
  });

  it('grows by half each poll', () => {
    expect(pollDelayMs(1, 100, 10_000)).toBe(150);
    expect(pollDelayMs(2, 100, 10_000)).toBe(225);
    expect(pollDelayMs(3, 100, 10_000)).toBe(Math.round(100 * 1.5 ** 3));
  });

  it('never exceeds the maximum, even after very many polls', () => {
    expect(pollDelayMs(10, 100, 1000)).toBe(1000);
    expect(pollDelayMs(10_000, 100, 1000)).toBe(1000);
  });

  it('never goes below the minimum for a negative poll count', () => {
    expect(pollDelayMs(-5, 100, 1000)).toBe(100);
  });

  it('is non-decreasing and reaches the maximum', () => {
    const delays = Array.from({ length: 30 }, (_, i) => pollDelayMs(i, 5000, 60_000));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays.at(-1)).toBe(60_000);
  });

  it('returns whole milliseconds', () => {
    for (let i = 0; i < 12; i++) expect(Number.isInteger(pollDelayMs(i, 1, 5000))).toBe(true);
  });

  it('with tiny intervals stays within [1, 5]', () => {
    for (let i = 0; i < 20; i++) {
      const d = pollDelayMs(i, 1, 5);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(5);
    }
  });
});
