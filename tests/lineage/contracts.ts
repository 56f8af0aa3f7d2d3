/**
 * Loads the official OpenLineage and OpenMetadata JSON Schemas vendored in `contracts/` (see contracts/README.md)
 * into Ajv validators. They travel with the repository, so the contract tests run on every clone; a missing file
 * is an error (the test fails), never a skip.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
// CommonJS default exports; createRequire sidesteps the ESM/CJS default-import mismatch of ajv's typings.
const Ajv = require('ajv') as typeof import('ajv').default;
const Ajv2020 = require('ajv/dist/2020') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CONTRACTS_DIR = path.join(REPO_ROOT, 'contracts');
const OPENLINEAGE_DIR = path.join(CONTRACTS_DIR, 'openlineage', 'spec');
const OPENMETADATA_DIR = path.join(CONTRACTS_DIR, 'openmetadata', 'schema');
const PROJECT_FACETS_DIR = path.join(REPO_ROOT, 'src', 'lineage', 'openlineage', 'schemas');

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export const OPENLINEAGE_RUN_EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** OpenLineage 2-0-2 (JSON Schema 2020-12): core spec first, then the facets, which $ref it by absolute URI. */
export function openLineageAjv(): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(readJson(path.join(OPENLINEAGE_DIR, 'OpenLineage.json')));
  for (const name of readdirSync(path.join(OPENLINEAGE_DIR, 'facets')).filter((n) => n.endsWith('.json'))) {
    ajv.addSchema(readJson(path.join(OPENLINEAGE_DIR, 'facets', name)));
  }
  // Flywheel's custom facets: their schemas are the project's own (src/lineage/openlineage/schemas).
  for (const name of readdirSync(PROJECT_FACETS_DIR).filter((n) => n.endsWith('.json'))) {
    ajv.addSchema(readJson(path.join(PROJECT_FACETS_DIR, name)));
  }
  return ajv;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(full).isDirectory() ? walk(full, rel) : name.endsWith('.json') ? [rel] : [];
  });
}

export const OM_BASE = 'https://open-metadata.org/schema/';

/**
 * OpenMetadata's patterns are Java regexes: `type/basic.json#/definitions/entityLink` starts with the Java flag
 * `(?U)` (UNICODE_CHARACTER_CLASS: `\w` matches any letter or digit), which JavaScript has no syntax for. It is
 * read as that flag here: dropped, and `\w` widened to `[\p{L}\p{N}_]` under the `u` flag. Other patterns pass as they are.
 */
const javaPatterns = Object.assign(
  (pattern: string, flags: string) =>
    pattern.startsWith('(?U)') ? new RegExp(pattern.slice(4).replace(/\\w/g, '[\\p{L}\\p{N}_]'), flags.includes('u') ? flags : `${flags}u`) : new RegExp(pattern, flags),
  { code: 'new RegExp' },
);

/**
 * OpenMetadata 1.13 (draft-07), per contracts/openmetadata/SOURCE.md: strict off, ajv-formats plus no-op
 * OM-only formats, and every `$id` replaced by its path-derived URI (7 upstream ids do not match their path).
 */
export function openMetadataAjv(): InstanceType<typeof Ajv> {
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: javaPatterns } });
  addFormats(ajv);
  for (const format of ['utc-millisec', 'url', 'timezone', 'queryBuilder', 'password', 'string']) ajv.addFormat(format, true);
  for (const rel of walk(OPENMETADATA_DIR)) {
    const schema = readJson(path.join(OPENMETADATA_DIR, rel));
    schema.$id = OM_BASE + rel;
    ajv.addSchema(schema);
  }
  return ajv;
}

export function compileRef(ajv: { compile(schema: object): ValidateFunction }, ref: string): ValidateFunction {
  return ajv.compile({ $ref: ref });
}

export function explain(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors ?? [], null, 2);
}
