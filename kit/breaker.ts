/**
 * A circuit breaker per agency API: after `threshold` consecutive failures it opens for a backoff
 * and every call fails at once (the client gets UPSTREAM_UNAVAILABLE with `retryAfter` instead of
 * waiting for timeouts and retries); when the backoff has passed, one probe goes through
 * (half-open): success closes it, failure opens it again for twice as long (up to `maxOpenMs`).
 *
 * Why our own: the breaker must share the kit's clock, error kinds and per-request trace, and it is
 * some forty lines; the libraries (opossum, cockatiel) wrap a function with their own timers and
 * error model, which the kit already has.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  threshold?: number;
  /** First open period (default 15 s); doubles after each failed probe. */
  openMs?: number;
  /** Longest open period (default 5 min). */
  maxOpenMs?: number;
  now?: () => number;
  /** Told once per state change (a log line, not one per call). */
  onChange?: (state: BreakerState, info: { failures: number; retryAt?: number }) => void;
}

export interface BreakerSnapshot {
  state: BreakerState;
  failures: number;
  /** When an open breaker lets its probe through (epoch ms). */
  retryAt?: number;
}

export interface CircuitBreaker {
  /** Whether a call may go out now; `false` while open (or while the half-open probe is out). */
  allow(): boolean;
  /** Milliseconds until the next probe is allowed (0 when closed). */
  retryAfterMs(): number;
  success(): void;
  failure(): void;
  snapshot(): BreakerSnapshot;
}

export function createBreaker(options: BreakerOptions = {}): CircuitBreaker {
  const threshold = options.threshold ?? 5;
  const baseOpenMs = options.openMs ?? 15_000;
  const maxOpenMs = options.maxOpenMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openMs = baseOpenMs;
  let retryAt = 0;
  let probing = false;

  const change = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    options.onChange?.(state, state === 'open' ? { failures, retryAt } : { failures });
  };

  return {
    allow() {
      if (state === 'closed') return true;
      if (state === 'open' && now() >= retryAt) {
        change('half-open');
        probing = false;
      }
      if (state === 'half-open' && !probing) {
        probing = true;
        return true;
      }
      return false;
    },
    retryAfterMs() {
      return state === 'closed' ? 0 : Math.max(0, retryAt - now());
    },
    success() {
      failures = 0;
      openMs = baseOpenMs;
      probing = false;
      change('closed');
    },
    failure() {
      failures += 1;
      if (state === 'half-open') {
        // The probe failed: back off longer.
        openMs = Math.min(maxOpenMs, openMs * 2);
        retryAt = now() + openMs;
        probing = false;
        state = 'closed'; // so that change() reports the transition
        change('open');
        return;
      }
      if (state === 'closed' && failures >= threshold) {
        retryAt = now() + openMs;
        change('open');
      }
    },
    snapshot() {
      return state === 'closed' ? { state, failures } : { state, failures, retryAt };
    },
  };
}
