import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { inject } from 'vitest';

/**
 * A moto server (AWS API emulator) for one test file: started on a free port, reset between tests,
 * killed on exit. `start()` also points the AWS SDK at it through the standard environment variables
 * (AWS_ENDPOINT_URL, AWS_REGION, dummy credentials), exactly as an operator would for a dev run.
 */
export interface Moto {
  endpoint: string;
  port: number;
  reset(): Promise<void>;
  /** Make `model` (e.g. `glue::job_run`, `athena::execution`) advance one state per `times` describes. */
  setManualTransition(model: string, times: number): Promise<void>;
  unsetTransition(model: string): Promise<void>;
  /** Queue a result set for the next StartQueryExecution (any query): first row is the header. */
  queueAthenaResult(rows: string[][]): Promise<void>;
  stop(): Promise<void>;
}


async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function post(url: string, body?: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`moto ${url}: HTTP ${response.status} ${await response.text()}`);
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  // Located (and installed if need be) once per run by tests/setup/globalSetup.ts.
  const binary = inject('motoServerPath');
  // setpriv --pdeathsig: the server dies with this process even if vitest is killed without teardown.
  const useSetpriv = existsSync('/usr/bin/setpriv');
  const [command, args] = useSetpriv
    ? ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', binary, '-H', '127.0.0.1', '-p', String(port)]]
    : [binary, ['-H', '127.0.0.1', '-p', String(port)]];
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not start on ${endpoint}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;

  return {
    endpoint,
    port,
    reset: () => post(`${endpoint}/moto-api/reset`),
    setManualTransition: (model, times) =>
      post(`${endpoint}/moto-api/state-manager/set-transition`, {
        model_name: model,
        transition: { progression: 'manual', times },
      }),
    unsetTransition: (model) => post(`${endpoint}/moto-api/state-manager/unset-transition`, { model_name: model }),
    queueAthenaResult: (rows) =>
      post(`${endpoint}/moto-api/static/athena/query-results`, {
        results: [
          {
            rows: rows.map((row) => ({ Data: row.map((value) => ({ VarCharValue: value })) })),
            column_info: (rows[0] ?? []).map((name) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: name,
              Label: name,
              Type: 'varchar',
              Precision: 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: true,
            })),
          },
        ],
      }),
    async stop() {
      process.off('exit', onExit);
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
