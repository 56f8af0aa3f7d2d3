import { setTimeout as sleep } from 'node:timers/promises';
import { SinkError } from '../errors.js';
import type { CircuitBreaker } from './breaker.js';

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Extra attempts on outage-like failures. */
  retries: number;
  retryBaseMs: number;
  breaker: CircuitBreaker;
  /** Says where the credential came from, for 401/403 messages (never the credential itself). */
  authHint: string;
}

export interface HttpResponse<T = unknown> {
  status: number;
  body: T | undefined;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Authorization header value, if the call needs one. */
  authorization?: string;
  signal?: AbortSignal;
}

const OUTAGE_STATUS = (status: number) => status >= 500 || status === 429 || status === 408;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** Names the transport failure (refused, DNS, reset) instead of undici's bare "fetch failed". */
function networkReason(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'fetch failed'} (${cause})` : (err.message ?? String(error));
}

/**
 * JSON over HTTP with a per-attempt timeout, bounded retries with exponential backoff on outages,
 * and the endpoint's circuit breaker. Every failure becomes a SinkError whose kind drives the outcome.
 */
export class HttpClient {
  constructor(private readonly options: HttpClientOptions) {}

  url(path: string): string {
    return `${this.options.baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const what = `${method} ${path}`;
    this.options.breaker.before(this.options.baseUrl);
    let last: SinkError | undefined;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) {
        const delay = this.options.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        try {
          await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
        } catch {
          break;
        }
      }
      if (options.signal?.aborted) {
        last = new SinkError('outage', `${what}: publishing was cancelled`);
        break;
      }
      try {
        const response = await this.once<T>(method, path, options);
        this.options.breaker.success();
        return response;
      } catch (error) {
        last = error as SinkError;
        if (last.kind !== 'outage') {
          this.options.breaker.success();
          throw last;
        }
      }
    }
    this.options.breaker.failure();
    const attempts = this.options.retries + 1;
    throw new SinkError('outage', `${last?.message ?? what} (after ${attempts} attempt${attempts > 1 ? 's' : ''})`, last?.httpStatus);
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<HttpResponse<T>> {
    const what = `${method} ${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.authorization) headers.Authorization = options.authorization;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url(path), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted ? `timed out after ${this.options.timeoutMs} ms` : networkReason(error);
      throw new SinkError('outage', `${what} to ${this.options.baseUrl}: ${reason}`);
    }
    const { status } = response;
    if (status === 401 || status === 403) {
      throw new SinkError('auth', `${what} answered ${status}: authentication failed; check the token in ${this.options.authHint}`, status);
    }
    if (OUTAGE_STATUS(status)) throw new SinkError('outage', `${what} answered ${status} ${snippet(text)}`.trim(), status);
    if (status < 200 || status >= 300) throw new SinkError('contract', `${what} answered ${status} ${snippet(text)}`.trim(), status);
    let body: T | undefined;
    if (text.trim()) {
      try {
        body = JSON.parse(text) as T;
      } catch {
        body = undefined;
      }
    }
    return { status, body, headers: response.headers };
  }
}
