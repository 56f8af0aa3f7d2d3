import type { OperationContext } from '../../ports/context.js';
import type { LineageRun } from '../../ports/lineage.js';
import { SinkError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { resolveToken, type TokenSource } from '../secrets.js';
import type { LineageSink } from '../sink.js';
import { buildRunEvents, type EventOptions } from './events.js';
import type { RunEvent } from './types.js';

const eventKey = (e: RunEvent) => `ol:${e.run.runId}:${e.eventType}`;

/**
 * `sink: openlineage`: one POST per event (Marquez has no batch endpoint) to `<url>/<endpoint>`,
 * Bearer API key optional. Marquez answers 201 (its openapi says 200): any 2xx counts.
 */
export class OpenLineageHttpSink implements LineageSink {
  readonly name = 'openlineage';

  constructor(
    private readonly client: HttpClient,
    private readonly endpoint: string,
    private readonly events: EventOptions,
    private readonly apiKey: TokenSource,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  async publish(run: LineageRun, ctx: OperationContext, done: Set<string>): Promise<{ events: number }> {
    const key = await resolveToken(this.apiKey, this.env, this.home, false);
    let sent = 0;
    for (const event of buildRunEvents(run, this.events)) {
      if (done.has(eventKey(event))) continue;
      await this.client.request('POST', this.endpoint, { body: event, signal: ctx.signal, ...(key ? { authorization: `Bearer ${key}` } : {}) });
      done.add(eventKey(event));
      sent += 1;
      ctx.heartbeat({ lineage: eventKey(event) });
    }
    return { events: sent };
  }
}

interface OmOpenLineageResponse {
  status?: string;
  message?: string;
  failedEvents?: { index: number; reason: string; retriable?: boolean }[];
}

/**
 * `sink: openmetadata` with `transport: openlineage`: the same events to OpenMetadata's native endpoint
 * (`POST /api/v1/openlineage/lineage/batch`, bot JWT). It answers 200 with a status that can still
 * report failed events, so the body is read, not just the HTTP status.
 */
export class OpenMetadataOpenLineageSink implements LineageSink {
  readonly name = 'openmetadata-openlineage';

  constructor(
    private readonly client: HttpClient,
    private readonly events: EventOptions,
    private readonly token: TokenSource,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  async publish(run: LineageRun, ctx: OperationContext, done: Set<string>): Promise<{ events: number }> {
    const authorization = `Bearer ${await resolveToken(this.token, this.env, this.home, true)}`;
    const pending = buildRunEvents(run, this.events).filter((e) => !done.has(eventKey(e)));
    if (!pending.length) return { events: 0 };
    const response = await this.client.request<OmOpenLineageResponse>('POST', '/api/v1/openlineage/lineage/batch', {
      body: { events: pending },
      authorization,
      signal: ctx.signal,
    });
    ctx.heartbeat({ lineage: 'openlineage batch' });
    const failed = response.body?.failedEvents ?? [];
    const failedIndexes = new Set(failed.map((f) => f.index));
    // A `failure` status delivered nothing; otherwise everything but the listed failures arrived.
    if (response.body?.status !== 'failure') pending.forEach((e, i) => failedIndexes.has(i) || done.add(eventKey(e)));
    if (response.body?.status === 'failure' || failed.length) {
      const reasons = failed.slice(0, 3).map((f) => `#${f.index}: ${f.reason}`).join('; ');
      const retriable = failed.length > 0 && failed.every((f) => f.retriable);
      throw new SinkError(retriable ? 'outage' : 'contract', `OpenMetadata rejected ${failed.length || pending.length} event(s): ${reasons || response.body?.message || 'status failure'}`);
    }
    return { events: pending.length };
  }
}
