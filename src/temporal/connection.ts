/**
 * Small helper to get a Temporal `Client` for a dev server, a self-hosted cluster or Temporal Cloud.
 * Secrets are referenced by the NAME of an environment variable (as in the config schema), never passed literally.
 */
import { Client, Connection, type TLSConfig } from '@temporalio/client';

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

/** Connects (eagerly, so a wrong address fails here) and returns a Client. Close it with `client.connection.close()`. */
export async function connectClient(opts: ConnectClientOptions): Promise<Client> {
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
  const connection = await Connection.connect({
    address: opts.address,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
  });
  return new Client({ connection, namespace: opts.namespace });
}
