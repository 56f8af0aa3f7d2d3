import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunEvent } from './types.js';

/** Resolves `lineage.file` against the state folder (absolute paths are kept). */
export function lineageFilePath(home: string, file: string): string {
  return path.resolve(home, file);
}

/**
 * Appends events as JSON lines in one write, so a crash never leaves half a run's events interleaved
 * with another writer's. Consumers dedupe by (runId, eventType): run ids are deterministic.
 */
export async function appendEvents(filePath: string, events: RunEvent[]): Promise<void> {
  if (!events.length) return;
  await mkdir(path.dirname(filePath), { recursive: true });
  await appendFile(filePath, events.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
}
