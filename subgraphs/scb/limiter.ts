import { createRateLimiter, type RateLimiter, realSleep } from '../../kit/ratelimit.ts';

/** SCB's call limit, as read from `/config` (or the fallback). */
export interface CallLimit {
  calls: number;
  windowMs: number;
}

/** Used until `/config` has answered, and whenever it fails: 3 calls per second satisfies both recorded settings. */
export const FALLBACK_LIMIT: CallLimit = { calls: 3, windowMs: 1000 };

/** A rate limiter whose limit can be changed when SCB's `/config` says so. */
export interface AdaptiveRateLimiter extends RateLimiter {
  configure(limit: CallLimit): void;
  current(): CallLimit;
}

export interface AdaptiveLimiterOptions {
  /** Starting limit (default {@link FALLBACK_LIMIT}). */
  initial?: CallLimit;
  /** Added to every window so that network jitter cannot push two calls into one SCB window (default 100 ms). */
  marginMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The kit's sliding-window limiter, rebuilt when the limit changes. The calls made in the last window
 * are carried over into the new limiter (as if made now: conservative), so a change of limit never
 * lets a burst through. Every call to SCB (`/config` included) passes through `acquire`.
 */
export function createAdaptiveRateLimiter(options: AdaptiveLimiterOptions = {}): AdaptiveRateLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const margin = options.marginMs ?? 100;
  let limit = options.initial ?? FALLBACK_LIMIT;
  const build = (l: CallLimit) =>
    createRateLimiter({ calls: l.calls, windowMs: l.windowMs + margin, now, sleep });
  let inner = build(limit);
  /** Times of recent acquisitions, bounded by the largest `calls` seen. */
  const recent: number[] = [];
  let keep = limit.calls;

  return {
    async acquire(signal) {
      // A caller that queued under a limit that has since changed queues again under the new one.
      for (;;) {
        const used = inner;
        await used.acquire(signal);
        if (used === inner) break;
      }
      recent.push(now());
      while (recent.length > keep) recent.shift();
    },
    configure(next) {
      if (next.calls === limit.calls && next.windowMs === limit.windowMs) return;
      const t = now();
      const horizon = Math.max(limit.windowMs, next.windowMs) + margin;
      const carried = recent.filter((stamp) => t - stamp < horizon).length;
      limit = next;
      keep = Math.max(keep, next.calls);
      inner = build(next);
      // Occupy the new window with the calls already made; queued before any new caller (FIFO).
      for (let i = 0; i < carried; i++) void inner.acquire().catch(() => undefined);
    },
    current: () => limit,
  };
}
