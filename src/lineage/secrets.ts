import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SinkError } from './errors.js';

export interface TokenSource {
  /** Name of the environment variable holding the token. */
  envVar: string;
  /** Optional secret file (relative to the state folder unless absolute), read when the variable is unset. */
  file?: string;
}

/** Where a token is looked up, for messages. Never includes the token. */
export function describeTokenSource(source: TokenSource): string {
  return source.file ? `environment variable ${source.envVar} or secret file ${source.file}` : `environment variable ${source.envVar}`;
}

/**
 * Reads a token at publish time only, so it never lands in config, workflow input, the outbox or a
 * returned value. `required: false` returns undefined when neither source is set.
 */
export async function resolveToken(source: TokenSource, env: NodeJS.ProcessEnv, home: string, required: boolean): Promise<string | undefined> {
  const fromEnv = env[source.envVar]?.trim();
  if (fromEnv) return fromEnv;
  if (source.file) {
    const file = path.resolve(home, source.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new SinkError('auth', `cannot read the token: ${source.envVar} is not set and secret file ${file} is unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (text.trim()) return text.trim();
    throw new SinkError('auth', `cannot read the token: ${source.envVar} is not set and secret file ${file} is empty`);
  }
  if (required) throw new SinkError('auth', `no token: set the environment variable ${source.envVar}`);
  return undefined;
}
