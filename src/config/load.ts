import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
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

export function formatZodIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    // A rejected record key carries the key schema's own reason one level down.
    const nested = 'issues' in issue && Array.isArray(issue.issues) ? (issue.issues as { message: string }[]) : [];
    const reason = nested.length ? nested.map((n) => n.message).join('; ') : issue.message;
    return `  - ${where}: ${reason}`;
  });
  return `${source} is invalid:\n${lines.join('\n')}`;
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
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  return parseConfig(document, file, env);
}
