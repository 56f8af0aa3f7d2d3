#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx flywheel …` works from a clone without a build step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// On Node < 22 the AWS SDK prints a 7-line notice (support ends January 2027) in every process; the README says
// which Node versions are supported. An explicit setting wins.
if (Number(process.versions.node.split('.')[0]) < 22) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// DuckDB's bundled jemalloc keeps freed pages 1 s as dirty, then 1 s more as "muzzy" (MADV_FREE: still counted
// in RSS); a worker writing table after table (256-file partitioned writes) refills them faster than that, so RSS
// climbs (measured: 8 such writes in a row 125 → 240 MB, with this 125 → 150 MB; the demo's worker 352–396 → 308–312 MB;
// DuckDB's own speed unchanged). jemalloc reads DUCKDB_JE_MALLOC_CONF when DuckDB loads; set here for every command
// so the worker, the demo, `seed` and the job processes (which inherit it) all get it. An explicit setting wins.
process.env.DUCKDB_JE_MALLOC_CONF ||= 'dirty_decay_ms:100,muzzy_decay_ms:0';

// Long-running commands (a worker, the demo's worker) run DuckDB, the Temporal core and Node threads
// in one process; glibc then keeps one malloc arena per thread and RSS grows with fragmentation
// (measured: ~410 MB → ~380 MB on the demo). MALLOC_ARENA_MAX must be set before the process starts,
// so re-run once with it set. The re-run also caps V8's young generation (--max-semi-space-size=2, in MB):
// the default lets it grow to 16–32 MB per semi-space under a burst of activity results and Node keeps the
// pages (measured: 100 tiny tables, worker peak RSS 349 → 290 MB), for a few more, cheap scavenges.
const SEMI_SPACE = '--max-semi-space-size=2';
const longRunning = ['worker', 'demo'].includes(process.argv[2] ?? '');
if (longRunning && process.platform === 'linux' && !process.env.MALLOC_ARENA_MAX) {
  // setpriv --pdeathsig: the re-run dies with this process even when this one is SIGKILLed (a supervisor or a
  // test killing the pid it started must not leave the real worker running).
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const memoryFlags = [
    ...(given.some((a) => a.startsWith('--max-semi-space-size')) ? [] : [SEMI_SPACE]),
    // For src/tools/heapTrim.ts: a full collection when the heap has grown well past what was live.
    ...(given.includes('--expose-gc') ? [] : ['--expose-gc']),
  ];
  const args = [...memoryFlags, ...process.execArgv, ...process.argv.slice(1)];
  const [command, commandArgs] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, commandArgs, {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  register();
  await import('../src/cli/main.ts');
}
