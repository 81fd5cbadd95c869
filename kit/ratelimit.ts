/** Waits until a call may be made. Shared per origin; FIFO, so callers queue rather than fail. */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Options of the sliding-window limiter. */
export interface RateLimitOptions {
  /** Calls allowed per window. */
  calls: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Clock (default `Date.now`). */
  now?: () => number;
  /** Sleep (default a real timer); tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `sleep(ms)`, cut short when `signal` aborts (then it rejects with the signal's reason): a caller
 * whose deadline passes while it waits for the next window stops waiting at once.
 */
export function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([sleep(ms), aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

/**
 * Sliding-window log: at most `calls` acquisitions in any `windowMs`. Waiters are served in order;
 * the log only holds `calls` timestamps, so memory is bounded.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const stamps: number[] = [];
  let chain: Promise<void> = Promise.resolve();

  const take = async (signal: AbortSignal | undefined): Promise<void> => {
    for (;;) {
      // A caller whose deadline passed while it waited must not spend a token the next one needs.
      signal?.throwIfAborted();
      const t = now();
      while (stamps.length > 0 && t - stamps[0]! >= options.windowMs) stamps.shift();
      if (stamps.length < options.calls) {
        stamps.push(t);
        return;
      }
      await sleepUnlessAborted(sleep, options.windowMs - (t - stamps[0]!) + 1, signal);
    }
  };

  return {
    acquire(signal) {
      const turn = chain.then(() => take(signal));
      // The next waiter starts after this one, whether it succeeded or not.
      chain = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** A limiter that never waits (agencies with no published limit get a concurrency bound instead). */
export const unlimited: RateLimiter = { acquire: async () => undefined };

/** One sliding-window limiter per agency from `{ agency: { calls, windowMs } }` (the RATE_LIMITS setting). */
export function createRateLimiters(
  limits: Record<string, { calls: number; windowMs: number }>,
  clock: Pick<RateLimitOptions, 'now' | 'sleep'> = {},
): Record<string, RateLimiter> {
  return Object.fromEntries(
    Object.entries(limits).map(([agency, limit]) => [agency, createRateLimiter({ ...limit, ...clock })]),
  );
}
