import { UpstreamError } from './errors.ts';
import type { FairQueue } from './fair-queue.ts';
import type { Logger } from './logger.ts';
import type { RequestTrace, UpstreamRequest } from './upstream.ts';
import { redactUrl } from './upstream.ts';
import type { RawResponse, Send } from './upstream-send.ts';

/**
 * The rate-limit and retry stages of an upstream (see `upstream.ts`): each attempt waits for the
 * client's turn in the agency's fair queue (a connection slot and a rate-limit token), then sends;
 * GETs (and reads the caller vouches for) are retried on network errors, 5xx and 429, honouring
 * `Retry-After`, with jittered exponential backoff, all within the agency's deadline cut short by
 * what is left of the request's.
 */

export interface RetryOptions {
  agency: string;
  send: Send;
  queue: FairQueue;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  totalTimeoutMs: number;
  retries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
}

export type SendWithRetries = <T>(
  req: UpstreamRequest<T>,
  url: string,
  trace: RequestTrace | undefined,
  onAttempt: (attempt: number) => void,
) => Promise<{ raw: RawResponse; attempts: number }>;

export function createSendWithRetries(options: RetryOptions): SendWithRetries {
  const {
    agency,
    send,
    queue,
    logger,
    now,
    sleep,
    random,
    totalTimeoutMs,
    retries,
    retryBaseMs,
    maxRetryAfterMs,
  } = options;
  /** Live call with retries (GET or vouched-idempotent POST only), honouring Retry-After, with jitter. */
  async function sendWithRetries<T>(
    req: UpstreamRequest<T>,
    url: string,
    trace: RequestTrace | undefined,
    onAttempt: (attempt: number) => void,
  ): Promise<{ raw: RawResponse; attempts: number }> {
    const method = req.method ?? 'GET';
    const canRetry = method === 'GET' || req.idempotent === true;
    // The agency's own deadline, cut short by what is left of the whole request's (REQUEST_DEADLINE_MS).
    const left = trace?.deadline === undefined ? totalTimeoutMs : trace.deadline - now();
    if (left <= 0) {
      throw new UpstreamError(
        'TIMEOUT',
        agency,
        `${agency} was not asked: the request's deadline had passed`,
      );
    }
    const signal = AbortSignal.timeout(Math.min(totalTimeoutMs, left));
    let attempt = 0;
    for (;;) {
      attempt += 1;
      onAttempt(attempt);
      let delay: number | undefined;
      let giveUp = false;
      let failure: UpstreamError;
      try {
        let release: () => void;
        try {
          release = await queue.acquire(trace?.client, signal);
        } catch (err) {
          // Still queued behind the agency's rate limit when our deadline passed.
          throw new UpstreamError(
            'TIMEOUT',
            agency,
            `${agency} did not answer in time (still queued for its rate limit)`,
            {
              cause: err,
            },
          );
        }
        if (trace) trace.upstreamCalls += 1;
        let raw: RawResponse;
        try {
          raw = await send(method, url, req.body, req.headers ?? {}, signal);
        } finally {
          release();
        }
        if (raw.status < 500 && raw.status !== 429) return { raw, attempts: attempt };
        failure = statusError(agency, raw.status, url);
        if (raw.status === 429 || raw.status === 503) {
          const retryAfter = parseRetryAfter(raw.headers['retry-after'], now());
          if (retryAfter !== undefined) {
            // The agency asked for a longer pause than we wait: fail now, and do not retry
            // earlier than it asked (a backoff retry would ignore its Retry-After).
            if (retryAfter > maxRetryAfterMs) giveUp = true;
            else delay = retryAfter;
          }
        }
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        if (signal.aborted)
          throw new UpstreamError('TIMEOUT', agency, `${agency} did not answer in time`, { cause: err });
        failure = err;
        if (
          failure.kind !== 'CONNECT' &&
          failure.kind !== 'TIMEOUT' &&
          !(failure.kind === 'HTTP_STATUS' && (failure.status ?? 0) >= 500)
        ) {
          throw failure;
        }
      }
      if (giveUp || !canRetry || attempt > retries) throw failure;
      const backoff = delay ?? Math.round(random() * retryBaseMs * 2 ** (attempt - 1));
      logger.debug(
        { agency, url: redactUrl(url), attempt, backoff, kind: failure.kind },
        'retrying upstream request',
      );
      await sleep(backoff);
      if (signal.aborted) throw new UpstreamError('TIMEOUT', agency, `${agency} did not answer in time`);
    }
  }

  return sendWithRetries;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now. */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The URL's path, without the query string (queries can hold personal data or keys). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export function statusError(agency: string, status: number, url: string): UpstreamError {
  const path = pathOf(url);
  if (status === 429)
    return new UpstreamError('RATE_LIMITED', agency, `${agency} is rate-limiting requests (HTTP 429)`, {
      status,
    });
  if (status === 401 || status === 403) {
    return new UpstreamError('AUTH_REQUIRED', agency, `${agency} refused the credentials (HTTP ${status})`, {
      status,
    });
  }
  if (status === 404)
    return new UpstreamError(
      'HTTP_STATUS',
      agency,
      `${agency} answered HTTP 404 for ${path}, an endpoint this graph expects to exist: the API has moved or its base URL is misconfigured`,
      { status },
    );
  return new UpstreamError('HTTP_STATUS', agency, `${agency} answered HTTP ${status} for ${path}`, {
    status,
  });
}
