import { readdir, readFile } from 'node:fs/promises';

async function procStatus(pid: number): Promise<{ name: string; ppid: number; rssMb: number } | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  if (!status) return undefined;
  const field = (key: string) => new RegExp(`^${key}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '';
  return { name: field('Name'), ppid: Number(field('PPid')), rssMb: Number(field('VmRSS').split(' ')[0] || 0) / 1024 };
}

/**
 * RSS of the process that runs the worker: the largest node process in the tree under `rootPid`
 * (bin/flywheel.js may re-run itself with MALLOC_ARENA_MAX set); a Temporal server is not counted.
 */
export async function workerRssMb(rootPid: number): Promise<number> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const all = new Map<number, { name: string; ppid: number; rssMb: number }>();
  for (const pid of pids) {
    const status = await procStatus(pid);
    if (status) all.set(pid, status);
  }
  const inTree = (pid: number): boolean => pid === rootPid || (all.has(pid) && pid > 1 && inTree(all.get(pid)!.ppid));
  return Math.max(0, ...[...all].filter(([pid, s]) => s.name.startsWith('node') && inTree(pid)).map(([, s]) => s.rssMb));
}

/** Samples `workerRssMb(rootPid)` every `intervalMs`; `stop()` returns the peak. */
export function samplePeakRss(rootPid: number, intervalMs = 200): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => void workerRssMb(rootPid).then((mb) => (peak = Math.max(peak, mb))), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
