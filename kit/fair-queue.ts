import type { RateLimiter } from './ratelimit.ts';

/**
 * The queue in front of one agency API, fair between clients.
 *
 * Calls wait here for a connection slot and a token of the agency's rate limiter. Waiting calls are
 * grouped by client and the clients are served in turn, one call each, so one client's hundreds of
 * queued calls delay another client's first call by at most the one call already being let through,
 * instead of by all of them (a plain first-come-first-served queue). A client that starts waiting
 * goes to the front of the rotation; a client that was just served goes to its end.
 *
 * Why our own: the scheduling needs the kit's rate limiter, the request's abort signal and a client
 * id carried by the per-request trace; a generic queue library (p-queue) has priorities, not turns.
 */
export interface FairQueue {
  /**
   * Waits for this client's turn, a free slot and a rate-limit token; resolves with the function
   * that frees the slot (call it once the response is read). Rejects if `signal` aborts first.
   */
  acquire(client: string | undefined, signal?: AbortSignal): Promise<() => void>;
  /** Calls waiting (not yet let through). */
  waiting(): number;
}

export interface FairQueueOptions {
  /** Calls in flight at once (the API's connection bound). */
  slots: number;
  /** The agency's limiter (shared by its APIs); each call takes one token. */
  limiter: RateLimiter;
}

interface Waiter {
  client: string;
  signal: AbortSignal | undefined;
  resolve(release: () => void): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

/** Calls without a client (tests, start-up reads) share one. */
const ANONYMOUS = '';

export function createFairQueue(options: FairQueueOptions): FairQueue {
  const { slots, limiter } = options;
  /** Waiting calls by client; the Map's order is the rotation (first = next to be served). */
  let queues = new Map<string, Waiter[]>();
  let count = 0;
  let active = 0;
  let pumping = false;

  function next(): Waiter | undefined {
    const first = queues.entries().next();
    if (first.done) return undefined;
    const [client, waiters] = first.value;
    const waiter = waiters.shift()!;
    queues.delete(client);
    if (waiters.length > 0) queues.set(client, waiters); // back of the rotation
    count -= 1;
    return waiter;
  }

  function remove(waiter: Waiter) {
    const waiters = queues.get(waiter.client);
    const at = waiters?.indexOf(waiter) ?? -1;
    if (!waiters || at < 0) return false;
    waiters.splice(at, 1);
    if (waiters.length === 0) queues.delete(waiter.client);
    count -= 1;
    return true;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (active < slots) {
        const waiter = next();
        if (!waiter) break;
        try {
          await limiter.acquire(waiter.signal);
        } catch (err) {
          if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
          waiter.reject(err);
          continue;
        }
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        active += 1;
        let released = false;
        waiter.resolve(() => {
          if (released) return;
          released = true;
          active -= 1;
          void pump();
        });
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire(client, signal) {
      return new Promise<() => void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const id = client ?? ANONYMOUS;
        const waiter: Waiter = { client: id, signal, resolve, reject };
        if (signal) {
          waiter.onAbort = () => {
            // Still queued: leave the queue. Already handed to the limiter: the pump rejects it.
            if (remove(waiter)) reject(signal.reason);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        const waiters = queues.get(id);
        if (waiters) waiters.push(waiter);
        else queues = new Map([[id, [waiter]], ...queues]); // a newly waiting client goes first
        count += 1;
        void pump();
      });
    },
    waiting: () => count,
  };
}
