import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface HistoryStats {
  workflowId: string;
  runId: string;
  workflowType: string;
  events: number;
  bytes: number;
  /** Largest single payload (data + metadata) and where it was. */
  largestPayloadBytes: number;
  largestPayloadAt: string;
}

/** Size of a payload-shaped object (`{ metadata, data }`), or undefined. */
function payloadSize(value: unknown): number | undefined {
  if (!value || typeof value !== 'object' || !('data' in value) || !('metadata' in value)) return undefined;
  const { data, metadata } = value as { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null };
  if (data !== undefined && data !== null && !(data instanceof Uint8Array)) return undefined;
  const meta = Object.entries(metadata ?? {}).reduce((sum, [k, v]) => sum + k.length + (v?.length ?? 0), 0);
  return (data?.length ?? 0) + meta;
}

/** The largest payload anywhere inside an event (activity input/result, signal, child input/result, marker…). */
function largestPayload(value: unknown, path: string, best: { bytes: number; at: string }): void {
  const size = payloadSize(value);
  if (size !== undefined) {
    if (size > best.bytes) Object.assign(best, { bytes: size, at: path });
    return;
  }
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  for (const [key, child] of Object.entries(value)) largestPayload(child, path ? `${path}.${key}` : key, best);
}

/** Events, encoded bytes and largest payload of one run's history, read in small pages (no 4 MB gRPC cap). */
export async function historyStats(client: Client, namespace: string, workflowId: string, runId: string, workflowType: string): Promise<HistoryStats> {
  let events = 0;
  let bytes = 0;
  const best = { bytes: 0, at: '' };
  let nextPageToken: Uint8Array | undefined;
  // Pages are counted in events, but gRPC caps a message at 4 MB (the client's 128 MB default is set under a key
  // grpc-js ignores): 200 events of batch results passed it at 5,000 tables, so a refused page is asked for again
  // at half the size.
  let pageSize = 200;
  for (;;) {
    const page = await client.workflowService
      .getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId }, maximumPageSize: pageSize, nextPageToken })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code === 8 && pageSize > 1) return undefined; // RESOURCE_EXHAUSTED
        throw error;
      });
    if (!page) {
      pageSize = Math.max(1, Math.floor(pageSize / 2));
      continue;
    }
    for (const event of (page.history?.events ?? []) as HistoryEvent[]) {
      events += 1;
      bytes += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'event';
      largestPayload(event, type.replace(/^EVENT_TYPE_/, ''), best);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    if (!nextPageToken) break;
  }
  return { workflowId, runId, workflowType, events, bytes, largestPayloadBytes: best.bytes, largestPayloadAt: best.at };
}

/** Every run (continue-as-new runs and children included) matching a visibility query. */
export async function historiesOf(client: Client, namespace: string, query: string): Promise<HistoryStats[]> {
  const runs: HistoryStats[] = [];
  for await (const wf of client.workflow.list({ query })) {
    runs.push(await historyStats(client, namespace, wf.workflowId, wf.runId, wf.type));
  }
  return runs;
}
