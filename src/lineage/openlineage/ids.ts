import { createHash } from 'node:crypto';

/** Namespace UUID for Flywheel run ids (random, fixed forever: changing it would re-key every published run). */
const FLYWHEEL_NAMESPACE = '4f2b8c1e-6a3d-4e7f-9b0c-2d1e5a7f8c3b';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 name-based UUID v5 (SHA-1). Same name → same id, so republishing a run never duplicates it. */
export function uuidV5(name: string, namespace: string = FLYWHEEL_NAMESPACE): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Run id of one stage of one table within one workflow run (table omitted for the workflow run itself). */
export function lineageRunId(workflowId: string, runId: string, stage: string, table?: string): string {
  return uuidV5(JSON.stringify([workflowId, runId, stage, table ?? null]));
}
