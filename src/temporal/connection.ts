/**
 * Small helper to get a Temporal `Client` for a dev server, a self-hosted cluster or Temporal Cloud.
 * Secrets are referenced by the NAME of an environment variable (as in the config schema), never passed literally.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { FlywheelConfig } from '../config/schema.js';

export interface ConnectClientOptions {
  /** `host:port` of the frontend. */
  address: string;
  namespace: string;
  /** `true` for TLS with system roots (Temporal Cloud), or an mTLS / custom-CA config. Default: plaintext. */
  tls?: boolean | TLSConfig;
  /**
   * NAME of the environment variable holding an API key (e.g. `TEMPORAL_API_KEY`). Implies TLS unless `tls` is
   * set explicitly. The variable must be set and non-empty.
   */
  apiKeyEnv?: string;
  /** Environment to read `apiKeyEnv` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Connect timeout in ms (default 10 s). */
  connectTimeoutMs?: number;
}

const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

export interface ConnectionSettings {
  address: string;
  tls?: boolean | TLSConfig;
  apiKey?: string;
}

/** Resolves the API key from its environment variable and decides TLS (an API key implies TLS). */
export function resolveConnection(opts: Omit<ConnectClientOptions, 'namespace'>): ConnectionSettings {
  const env = opts.env ?? process.env;
  let apiKey: string | undefined;
  if (opts.apiKeyEnv !== undefined) {
    if (!ENV_VAR_NAME.test(opts.apiKeyEnv)) {
      throw new TypeError('apiKeyEnv must be the NAME of an environment variable (upper case), not the key itself');
    }
    apiKey = env[opts.apiKeyEnv];
    if (!apiKey) throw new Error(`environment variable ${opts.apiKeyEnv} (Temporal API key) is not set`);
  }
  const tls = opts.tls ?? (apiKey ? true : undefined);
  return { address: opts.address, ...(tls !== undefined ? { tls } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** Connects (eagerly, so a wrong address fails here) and returns a Client. Close it with `client.connection.close()`. */
export async function connectClient(opts: ConnectClientOptions): Promise<Client> {
  const connection = await Connection.connect({ ...resolveConnection(opts), connectTimeout: opts.connectTimeoutMs ?? 10_000 });
  return new Client({ connection, namespace: opts.namespace });
}

/** The worker-side (native) connection with the same settings. */
export async function connectWorker(opts: Omit<ConnectClientOptions, 'namespace'>): Promise<NativeConnection> {
  return NativeConnection.connect(resolveConnection(opts));
}

/**
 * Connection options from config: plaintext for the dev server, TLS (optionally mTLS or a custom
 * CA, read from the files config names) for self-hosted clusters, TLS + API key for Temporal Cloud.
 */
export function connectOptionsFromConfig(
  temporal: FlywheelConfig['temporal'],
  env: NodeJS.ProcessEnv = process.env,
): ConnectClientOptions {
  const mtls = temporal.clientCertFile && temporal.clientKeyFile;
  const files: TLSConfig | undefined =
    mtls || temporal.serverRootCaFile
      ? {
          ...(mtls ? { clientCertPair: { crt: readFileSync(temporal.clientCertFile!), key: readFileSync(temporal.clientKeyFile!) } } : {}),
          ...(temporal.serverRootCaFile ? { serverRootCACertificate: readFileSync(temporal.serverRootCaFile) } : {}),
        }
      : undefined;
  const tls = files ?? (temporal.tls ? true : undefined);
  return {
    address: temporal.address,
    namespace: temporal.namespace,
    env,
    ...(tls !== undefined ? { tls } : {}),
    ...(temporal.apiKeyEnv ? { apiKeyEnv: temporal.apiKeyEnv } : {}),
  };
}
