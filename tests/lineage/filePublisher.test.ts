import { mkdtemp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLineagePublisher } from '../../src/lineage/index.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import { sampleConfig, sampleRun } from './fixtures.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'flywheel-lineage-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function lines(file: string): Promise<{ eventType: string; run: { runId: string } }[]> {
  return (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
}

describe('createLineagePublisher, sink: file', () => {
  it('appends the run as JSON lines to <home>/<lineage.file> and records it as published', async () => {
    const publisher = createLineagePublisher(sampleConfig({ sink: 'file', file: 'lineage/events.jsonl' }), home, {});
    const outcome = await publisher.publish(sampleRun(), NO_CONTEXT);
    expect(outcome).toEqual({ status: 'published', events: 10 });
    const events = await lines(path.join(home, 'lineage/events.jsonl'));
    expect(events).toHaveLength(10);
    expect(events[0]!.eventType).toBe('START');
    expect(await readdir(path.join(home, 'lineage/published'))).toHaveLength(1);
  });

  it('does not append a run twice (a retried activity), but appends a different run', async () => {
    const publisher = createLineagePublisher(sampleConfig({ sink: 'file' }), home, {});
    await publisher.publish(sampleRun(), NO_CONTEXT);
    expect(await publisher.publish(sampleRun(), NO_CONTEXT)).toMatchObject({ status: 'published' });
    expect(await lines(path.join(home, 'lineage/openlineage.jsonl'))).toHaveLength(10);
    await publisher.publish(sampleRun({ runId: 'second-run' }), NO_CONTEXT);
    expect(await lines(path.join(home, 'lineage/openlineage.jsonl'))).toHaveLength(20);
  });

  it('never throws when the file cannot be written: the run goes to the outbox with the reason', async () => {
    await mkdir(path.join(home, 'lineage/blocked.jsonl'), { recursive: true }); // a directory where the file should be
    const publisher = createLineagePublisher(sampleConfig({ sink: 'file', file: 'lineage/blocked.jsonl' }), home, {});
    const outcome = await publisher.publish(sampleRun(), NO_CONTEXT);
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^file: .*EISDIR/);
    const outbox = await readdir(path.join(home, 'lineage/outbox'));
    expect(outbox).toHaveLength(1);
    const record = JSON.parse(await readFile(path.join(home, 'lineage/outbox', outbox[0]!), 'utf8'));
    expect(record).toMatchObject({ status: 'failed', attempts: 1, sink: 'file', snapshotDt: '2026-10-01' });
  });
});

describe('createLineagePublisher, sink: none and bad config', () => {
  it('sink none → disabled, nothing written', async () => {
    const outcome = await createLineagePublisher(sampleConfig({ sink: 'none' }), home, {}).publish(sampleRun(), NO_CONTEXT);
    expect(outcome.status).toBe('disabled');
    expect(await readdir(home)).toEqual([]);
  });

  it('FLYWHEEL_LINEAGE_SINK overrides the configured sink', async () => {
    const publisher = createLineagePublisher(sampleConfig({ sink: 'file' }), home, { FLYWHEEL_LINEAGE_SINK: 'none' });
    expect((await publisher.publish(sampleRun(), NO_CONTEXT)).status).toBe('disabled');
  });

  it('an invalid lineage section does not throw: publish reports failed with the config problem', async () => {
    const publisher = createLineagePublisher(sampleConfig({ sink: 'openmetadata' }), home, {});
    const outcome = await publisher.publish(sampleRun(), NO_CONTEXT);
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('OPENMETADATA_URL');
  });
});
