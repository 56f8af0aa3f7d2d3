import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetBreakers } from '../../src/lineage/http/breaker.js';
import { createLineagePublisher, publishPending } from '../../src/lineage/index.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import { startFakeOpenMetadata } from '../support/fakeOpenMetadata.js';
import { compileRef, explain, OPENLINEAGE_RUN_EVENT, openLineageAjv } from './contracts.js';
import { sampleConfig, sampleRun } from './fixtures.js';
import { OmContract } from './omContract.js';

/** Minimal Marquez: `POST <endpoint>` answers 201 with an empty body (as its code does), or a forced status. */
class FakeMarquez {
  readonly received: { path: string; authorization?: string; body: { eventType: string; run: { runId: string } } }[] = [];
  failAfter = Infinity;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        if (this.received.length >= this.failAfter) return void res.writeHead(503).end('unavailable');
        this.received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

let home: string;
let marquez: FakeMarquez;
beforeEach(async () => {
  resetBreakers();
  home = await mkdtemp(path.join(tmpdir(), 'flywheel-ol-'));
  marquez = await new FakeMarquez().start();
});
afterEach(async () => {
  await marquez.stop();
  await rm(home, { recursive: true, force: true });
});

const config = () => sampleConfig({ sink: 'openlineage', http: { timeoutMs: 1000, retries: 0, retryBaseMs: 1 } });
const env = (extra: Record<string, string> = {}) => ({ OPENLINEAGE_URL: `http://127.0.0.1:${marquez.port}`, ...extra });

describe('OpenLineage HTTP transport (Marquez)', () => {
  it('POSTs each event to <OPENLINEAGE_URL>/api/v1/lineage with the Bearer API key', async () => {
    const outcome = await createLineagePublisher(config(), home, env({ OPENLINEAGE_API_KEY: 'k-123' })).publish(sampleRun(), NO_CONTEXT);
    expect(outcome).toEqual({ status: 'published', events: 10 });
    expect(marquez.received.map((r) => r.path)).toEqual(Array(10).fill('/api/v1/lineage'));
    expect(marquez.received.every((r) => r.authorization === 'Bearer k-123')).toBe(true);
    const validate = compileRef(openLineageAjv(), OPENLINEAGE_RUN_EVENT);
    for (const r of marquez.received) expect(validate(r.body), explain(validate)).toBe(true);
  });

  it('honours OPENLINEAGE_ENDPOINT and sends no Authorization without a key', async () => {
    await createLineagePublisher(config(), home, env({ OPENLINEAGE_ENDPOINT: 'custom/lineage' })).publish(sampleRun(), NO_CONTEXT);
    expect(marquez.received[0]).toMatchObject({ path: '/custom/lineage', authorization: undefined });
  });

  it('a 503 mid-run → pending; catch-up sends only the events not yet accepted', async () => {
    marquez.failAfter = 4;
    const outcome = await createLineagePublisher(config(), home, env()).publish(sampleRun(), NO_CONTEXT);
    expect(outcome).toMatchObject({ status: 'pending', reason: expect.stringMatching(/503/) });
    marquez.failAfter = Infinity;
    const [result] = await publishPending(config(), home, { env: env() });
    expect(result).toMatchObject({ status: 'published', events: 6 });
    const keys = marquez.received.map((r) => `${r.body.run.runId}:${r.body.eventType}`);
    expect(new Set(keys).size).toBe(10);
    expect(keys).toHaveLength(10);
  });
});

describe("OpenMetadata's OpenLineage endpoint (transport: openlineage)", () => {
  it('POSTs the run as one batch with the bot JWT; the body matches openLineageBatchRequest', async () => {
    const om = await startFakeOpenMetadata('jwt-1');
    try {
      const cfg = sampleConfig({ sink: 'openmetadata', openmetadata: { url: om.url, transport: 'openlineage' } });
      const outcome = await createLineagePublisher(cfg, home, { OPENMETADATA_JWT_TOKEN: 'jwt-1' }).publish(sampleRun(), NO_CONTEXT);
      expect(outcome).toEqual({ status: 'published', events: 10 });
      expect(om.openLineageBatches).toHaveLength(1);
      expect(om.requests[0]!.authorization).toBe('Bearer jwt-1');
      expect(new OmContract().checkAll(om.requests)).toEqual({ 'api/lineage/openlineage/openLineageBatchRequest.json': 1 });
    } finally {
      await om.stop();
    }
  });
});
