import { describe, expect, it } from 'vitest';
import { memoryLine, memoryLogInterval, startMemoryLog } from '../../src/workers/memoryLog.js';

describe('FLYWHEEL_MEMORY_LOG', () => {
  it('is off unless set, takes seconds, refuses anything else with a bounded message', () => {
    expect(memoryLogInterval({})).toBeUndefined();
    expect(memoryLogInterval({ FLYWHEEL_MEMORY_LOG: ' ' })).toBeUndefined();
    expect(memoryLogInterval({ FLYWHEEL_MEMORY_LOG: '5' })).toBe(5);
    expect(memoryLogInterval({ FLYWHEEL_MEMORY_LOG: '0.5' })).toBe(0.5);
    for (const bad of ['yes', '0', '-1', '99999', 'x'.repeat(500)]) {
      let message = '';
      try {
        memoryLogInterval({ FLYWHEEL_MEMORY_LOG: bad });
      } catch (error) {
        message = (error as Error).message;
        expect((error as Error).name).toBe('InvalidInput'); // exit code 2
      }
      expect(message).toMatch(/^FLYWHEEL_MEMORY_LOG must be a number of seconds from 0.1 to 3600, got /);
      expect(message.length).toBeLessThan(150);
    }
  });

  it('writes a line at start and at stop, in MB, with the peak RSS so far', () => {
    const lines: string[] = [];
    const log = startMemoryLog({ FLYWHEEL_MEMORY_LOG: '60' }, (l) => lines.push(l));
    log.stop();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ memory pid=\d+ rss=[\d.]+MB heapUsed=[\d.]+MB heapTotal=[\d.]+MB external=[\d.]+MB arrayBuffers=[\d.]+MB peakRss=[\d.]+MB\n$/);
    const none: string[] = [];
    startMemoryLog({}, (l) => none.push(l)).stop();
    expect(none).toEqual([]);
    const usage = { rss: 300 * 1024 ** 2, heapUsed: 50 * 1024 ** 2, heapTotal: 60 * 1024 ** 2, external: 0, arrayBuffers: 0 };
    expect(memoryLine(usage, 320 * 1024 ** 2)).toContain('rss=300.0MB heapUsed=50.0MB heapTotal=60.0MB external=0.0MB arrayBuffers=0.0MB peakRss=320.0MB');
  });
});
