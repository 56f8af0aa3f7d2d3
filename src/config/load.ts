import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isScalar, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { FlywheelConfigSchema, metricsAddress, type FlywheelConfig } from './schema.js';

/** A config problem: names the file, the field path and the reason. The CLI maps it to exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG_PATH = 'config/local.yaml';

/** `--config` wins, then FLYWHEEL_CONFIG, then config/local.yaml (relative to the current directory). */
export function resolveConfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(explicit ?? env.FLYWHEEL_CONFIG ?? DEFAULT_CONFIG_PATH);
}

/** A config file is a few KB; anything this large is not one (and would take long to parse). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Problems listed at most, and characters per problem: the message stays readable whatever the file holds. */
const MAX_ISSUES = 20;
const MAX_ISSUE_CHARS = 300;
const MAX_KEYS_NAMED = 10;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function issueReason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.slice(0, MAX_KEYS_NAMED).map((k) => JSON.stringify(clip(k, 60)));
    const more = issue.keys.length > MAX_KEYS_NAMED ? `, … (${issue.keys.length.toLocaleString('en-US')} unknown keys in all)` : '';
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${named.join(', ')}${more}`;
  }
  // A rejected record key carries the key schema's own reason one level down.
  const nested = 'issues' in issue && Array.isArray(issue.issues) ? (issue.issues as { message: string }[]) : [];
  return nested.length ? nested.map((n) => n.message).join('; ') : issue.message;
}

export function formatZodIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return clip(`  - ${where}: ${issueReason(issue)}`, MAX_ISSUE_CHARS);
  });
  if (error.issues.length > MAX_ISSUES) lines.push(`  … and ${error.issues.length - MAX_ISSUES} more problems`);
  return `${source} is invalid:\n${lines.join('\n')}`;
}

/**
 * YAML → plain data in linear time. The `yaml` package's own duplicate-key check is quadratic in the keys of a
 * mapping (40,000 keys: ~2 minutes), so it is off and duplicates are found here with one set per mapping.
 */
export function parseConfigYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { uniqueKeys: false });
  if (document.errors.length > 0) throw new ConfigError(`${source} is not valid YAML: ${clip(document.errors[0]!.message, 500)}`);
  let duplicate: string | undefined;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : String(pair.key);
        if (seen.has(key)) {
          duplicate = clip(String(key), 80);
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  if (duplicate !== undefined) throw new ConfigError(`${source} is not valid YAML: the key ${JSON.stringify(duplicate)} appears twice in one mapping`);
  return document.toJS();
}

/** Parses an already-read config document (used by tests and by loadConfig). */
export function parseConfig(document: unknown, source: string, env: NodeJS.ProcessEnv = process.env): FlywheelConfig {
  const result = FlywheelConfigSchema.safeParse(document);
  if (!result.success) throw new ConfigError(formatZodIssues(source, result.error));
  return applyEnvironmentOverrides(result.data, env);
}

/**
 * `FLYWHEEL_METRICS_ADDRESS` (host:port, or `off`) over `observability.metricsAddress`: one config
 * file serves hosts whose scrape port differs, or that must not open one. Empty means "not set".
 */
function metricsAddressOverride(config: FlywheelConfig, env: NodeJS.ProcessEnv): string | undefined {
  const value = env.FLYWHEEL_METRICS_ADDRESS?.trim();
  if (!value) return config.observability.metricsAddress;
  if (value.toLowerCase() === 'off') return undefined;
  const parsed = metricsAddress.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(`FLYWHEEL_METRICS_ADDRESS ${JSON.stringify(value)} is invalid: ${parsed.error.issues[0]!.message} (or "off")`);
  }
  return parsed.data;
}

/**
 * Environment variables over the file: Temporal's standard ones, so the same config works against a
 * dev server, a self-hosted cluster or Temporal Cloud, and the worker's metrics address.
 */
export function applyEnvironmentOverrides(config: FlywheelConfig, env: NodeJS.ProcessEnv): FlywheelConfig {
  return {
    ...config,
    temporal: {
      ...config.temporal,
      address: env.TEMPORAL_ADDRESS || config.temporal.address,
      namespace: env.TEMPORAL_NAMESPACE || config.temporal.namespace,
    },
    observability: { ...config.observability, metricsAddress: metricsAddressOverride(config, env) },
  };
}

export function loadConfig(configPath?: string, env: NodeJS.ProcessEnv = process.env): FlywheelConfig {
  const file = resolveConfigPath(configPath, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    throw new ConfigError(`${file} is ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB: a config file is at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB`);
  }
  return parseConfig(parseConfigYaml(text, file), file, env);
}
