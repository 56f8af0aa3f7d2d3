import type { NativeConnection } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../workflows/searchAttributes.js';

const INDEXED_TYPES = {
  Keyword: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/**
 * Registers Flywheel's search attributes when the namespace lacks them. A workflow that upserts an
 * unknown attribute fails its workflow task, so the worker checks before it polls. Works on the dev
 * server; in production the worker's identity may lack operator rights — then register them once by
 * hand (README) and this only verifies.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = Object.entries(FLYWHEEL_SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_TYPES[type]])),
  });
  return missing.map(([name]) => name);
}
