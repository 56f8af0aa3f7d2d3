import { SinkError } from '../errors.js';

export interface BreakerSettings {
  failureThreshold: number;
  cooldownMs: number;
}

type State = 'closed' | 'open' | 'half-open';

/**
 * Circuit breaker per sink endpoint. After `failureThreshold` consecutive outage failures it opens and
 * calls fail fast (no request) for `cooldownMs`; then one probe is let through (half-open): success
 * closes it, failure re-opens it for another cool-down. Why: during an outage every data run would
 * otherwise spend timeouts × retries on lineage before reporting it pending.
 */
export class CircuitBreaker {
  private state: State = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws an outage SinkError without calling when open; marks the probe when half-open. */
  before(what: string): void {
    if (this.state === 'open') {
      const wait = this.openedAt + this.settings.cooldownMs - this.now();
      if (wait > 0) {
        throw new SinkError('outage', `circuit open after ${this.failures} consecutive failures of ${what}; next attempt allowed in ${Math.ceil(wait / 1000)}s`);
      }
      this.state = 'half-open';
    }
    if (this.state === 'half-open') {
      if (this.probing) throw new SinkError('outage', `circuit half-open for ${what}: a probe is already in flight`);
      this.probing = true;
    }
  }

  /** The endpoint answered (even 4xx: it is up). */
  success(): void {
    this.state = 'closed';
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.failures += 1;
    this.probing = false;
    if (this.state === 'half-open' || this.failures >= this.settings.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }

  get current(): State {
    return this.state;
  }
}

/**
 * Breakers live as long as the worker process and are shared by every publisher aimed at the same
 * endpoint, because activities typically build a new publisher per call.
 */
const registry = new Map<string, CircuitBreaker>();

export function breakerFor(key: string, settings: BreakerSettings): CircuitBreaker {
  const existing = registry.get(key);
  if (existing && existing.settings.failureThreshold === settings.failureThreshold && existing.settings.cooldownMs === settings.cooldownMs) {
    return existing;
  }
  const breaker = new CircuitBreaker(settings);
  registry.set(key, breaker);
  return breaker;
}

/** Tests only: forget every breaker. */
export function resetBreakers(): void {
  registry.clear();
}
