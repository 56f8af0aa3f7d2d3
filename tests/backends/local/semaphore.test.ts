import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/backends/local/semaphore.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Semaphore (limits concurrent 256-file writes)', () => {
  it('runs at most `slots` tasks at once, in arrival order', async () => {
    const gate = new Semaphore(1);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((i) =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(1);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('heartbeats while queued and gives up its place on abort', async () => {
    const gate = new Semaphore(1);
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let beats = 0;
    const queued = gate.run(async () => 'ran', controller.signal, () => beats++, 5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(new Error('cancelled while queued'));
    await expect(queued).rejects.toThrow('cancelled while queued');
    expect(beats).toBeGreaterThan(0);
    release();
    await first;
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });
});
