import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/workflows/semaphore.js';

/** A task the test finishes by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('never runs more than the limit at once, and runs them all', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, () => deferred());
    const results = gates.map((gate, i) =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await flush();
    expect(running).toBe(2);
    for (const gate of gates) {
      gate.resolve();
      await flush();
      expect(running).toBeLessThanOrEqual(2);
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('starts waiting tasks in arrival order (FIFO)', async () => {
    const sem = new Semaphore(1);
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred());
    const all = gates.map((gate, i) =>
      sem.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await flush();
    expect(started).toEqual([0]);
    // each release must go to the oldest waiter (a LIFO queue would start task 4 second)
    for (let i = 0; i < gates.length; i++) {
      gates[i]!.resolve();
      await flush();
      expect(started).toEqual(Array.from({ length: Math.min(i + 2, 5) }, (_, k) => k));
    }
    await Promise.all(all);
  });

  it('a task arriving while others wait queues behind them', async () => {
    const sem = new Semaphore(1);
    const started: string[] = [];
    const first = deferred();
    const p1 = sem.run(async () => {
      started.push('a');
      await first.promise;
    });
    const p2 = sem.run(async () => {
      started.push('b');
    });
    await flush();
    first.resolve();
    // 'c' arrives in the same tick the permit is handed over: it must not overtake 'b'
    const p3 = sem.run(async () => {
      started.push('c');
    });
    await Promise.all([p1, p2, p3]);
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('releases the permit when a task throws, and passes the error through', async () => {
    const sem = new Semaphore(1);
    await expect(sem.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sem.run(async () => 'next')).resolves.toBe('next');
    // still only one at a time afterwards
    let running = 0;
    let peak = 0;
    await Promise.all(
      [1, 2, 3].map(() =>
        sem.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await flush();
          running--;
        }),
      ),
    );
    expect(peak).toBe(1);
  });

  it('returns each task’s own value', async () => {
    const sem = new Semaphore(3);
    const values = await Promise.all([5, 6, 7, 8].map((n) => sem.run(async () => n * 2)));
    expect(values).toEqual([10, 12, 14, 16]);
  });
});
