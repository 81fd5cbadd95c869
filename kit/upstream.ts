import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { Agent, type Dispatcher } from 'undici';
import { type BreakerOptions, type BreakerSnapshot, createBreaker } from './breaker.ts';
import { cacheGet, cacheSet, deepFreeze } from './cache.ts';
import { UpstreamError } from './errors.ts';
import { createFairQueue } from './fair-queue.ts';
import type { Logger } from './logger.ts';
import { type RateLimiter, realSleep, unlimited } from './ratelimit.ts';
import { type SnapshotStore, snapshotKey } from './snapshot.ts';
import { createSendWithRetries, parseRetryAfter, pathOf, statusError } from './upstream-retry.ts';
import { createSend, DEFAULT_MAX_BODY_BYTES, type RawResponse } from './upstream-send.ts';
import { ShapeError } from './validate.ts';

export { parseRetryAfter };

/**
 * How upstream calls are made. `live` calls the agencies; `offline` sends the same requests to the
 * agency simulators (the dispatcher the gateway plugs in) and never touches the network; `snapshot`
 * replays exact recorded responses (tests); `record` calls live and saves.
 */
export type UpstreamMode = 'live' | 'offline' | 'snapshot' | 'record';

/** What happened on one upstream request, for metrics and per-request traces. */
export interface UpstreamEvent {
  agency: string;
  /** `hit` fresh cache; `miss` went upstream and succeeded; `stale` served stale after a failure; `error` failed. */
  outcome: 'hit' | 'miss' | 'stale' | 'error';
  /** Upstream round-trip time including retries (misses and errors only). */
  ms?: number;
  /** Attempts made upstream (0 for hits). */
  attempts: number;
  errorKind?: string;
  /**
   * A versioned request (`UpstreamRequest.version`) found its cached entry under another data
   * version: the agency published new data (an SCB table's new `updated` stamp).
   */
  newVersion?: boolean;
  /** The request's method and URL, credentials and personal-data query strings removed. */
  method?: string;
  url?: string;
  /** The GraphQL request this call served (for per-request traces and spans). */
  trace?: RequestTrace | undefined;
}

/** Per-request bookkeeping, filled by every upstream call made on behalf of one GraphQL request. */
export interface RequestTrace {
  /** Agencies that answered from a stale cache entry because the upstream failed. */
  stale: Set<string>;
  /** Upstream HTTP requests actually sent (cache hits and single-flight joins excluded). */
  upstreamCalls: number;
  /** Cache hits. */
  cacheHits: number;
  /** Agencies whose answers (fresh or cached) came from an offline simulator. */
  offline: Set<string>;
  /** Upstream calls made so far per agency (the per-request budget, MAX_UPSTREAM_CALLS). */
  callsByAgency?: Map<string, number>;
  /** When the whole GraphQL request must be answered (epoch ms, REQUEST_DEADLINE_MS). */
  deadline?: number;
  /** Who asked (an opaque client id): agency queues serve clients in turn, not first come first served. */
  client?: string;
  /**
   * Distinct things one request was allowed, by kind (SMHI's forecast points): shared by every
   * subgraph fetch of the request, also when the subgraph runs as its own service.
   */
  admitted?: Map<string, Set<string>>;
  /** List items built so far for this request (MAX_RESPONSE_ITEMS), shared by all its fetches. */
  items?: { count: number };
  /**
   * The earliest moment (epoch ms, on the upstreams' clock) at which an upstream answer this request
   * used stops being fresh: the end of a cache entry's freshness (a data-version check's included),
   * or now for an answer that may not be kept (no-store, not cached) or a call that failed. A
   * whole-response cache keeps the answer no longer than this; unset = no upstream answer was used.
   */
  freshUntil?: number;
}

/** Notes that this request used an upstream answer that is fresh until `until` (see `freshUntil`). */
export function noteFreshUntil(trace: RequestTrace | undefined, until: number): void {
  if (trace && !(trace.freshUntil !== undefined && trace.freshUntil <= until)) trace.freshUntil = until;
}

export function createTrace(): RequestTrace {
  return { stale: new Set(), upstreamCalls: 0, cacheHits: 0, offline: new Set() };
}

/** The set of `kind` things this request was allowed so far (created on first use). */
export function admittedSet(trace: RequestTrace, kind: string): Set<string> {
  trace.admitted ??= new Map();
  let set = trace.admitted.get(kind);
  if (!set) {
    set = new Set();
    trace.admitted.set(kind, set);
  }
  return set;
}

/**
 * Headers by which the gateway tells a subgraph service which request a fetch belongs to, so that
 * per-request budgets (MAX_UPSTREAM_CALLS, SMHI's forecast points), the deadline and the client's
 * turn in the agency queues hold per gateway request in every topology.
 */
export const EXECUTION_HEADERS = {
  id: 'x-sodg-execution',
  client: 'x-sodg-client',
  deadlineMs: 'x-sodg-deadline-ms',
} as const;

/** Options of one agency origin's upstream. Every field documents its default. */
export interface UpstreamOptions {
  /** Agency id used in errors, cache keys and metrics, e.g. `smhi`. */
  agency: string;
  /** Base URL; paths are appended. */
  baseUrl: string;
  /** Shared cache (keyv). */
  cache: Keyv;
  logger: Logger;
  /** Default `live`. */
  mode?: UpstreamMode;
  /** Required for `snapshot` and `record` modes. */
  snapshot?: SnapshotStore | undefined;
  /** Default: an undici Agent for this origin (keep-alive, `connections` bound, connect timeout). */
  dispatcher?: Dispatcher;
  /** Clock, default `Date.now`. */
  now?: () => number;
  /** Sleep used for backoff, default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Default TTL of cached responses when the upstream sends no `Cache-Control: max-age` (default 5 min). */
  defaultTtlMs?: number;
  /** How long after expiry an entry may be served if the upstream fails (default 24 h). */
  staleTtlMs?: number;
  /** Time to receive response headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time between body chunks (default 15 s). */
  bodyTimeoutMs?: number;
  /** TCP/TLS connect timeout of the default dispatcher (default 5 s). */
  connectTimeoutMs?: number;
  /** Whole-request deadline including retries (default 25 s). */
  totalTimeoutMs?: number;
  /**
   * Calls in flight at once to this API (default 8), also the socket bound of the default
   * dispatcher. Waiting calls queue fairly between clients (`fair-queue.ts`).
   */
  connections?: number;
  /** Retries after the first attempt, GET only (default 2). */
  retries?: number;
  /** Base of exponential backoff with full jitter (default 200 ms). */
  retryBaseMs?: number;
  /** Longest `Retry-After` we are willing to wait; longer means fail now (default 10 s). */
  maxRetryAfterMs?: number;
  /** Per-origin rate limiter (default none). */
  rateLimiter?: RateLimiter;
  /**
   * Extra request headers, e.g. an API key; a function is called per attempt (tokens), with the
   * attempt's abort signal (a token fetch must not outlive the request's deadline).
   */
  headers?: Record<string, string> | ((signal?: AbortSignal) => Promise<Record<string, string>>);
  /** A cache or Redis slower than this is treated as a miss (default 250 ms). */
  cacheTimeoutMs?: number;
  /** Observer of every request outcome (metrics). */
  onEvent?: (event: UpstreamEvent) => void;
  /**
   * Largest response body accepted, compressed and decompressed alike (default 32 MiB). A larger
   * body is cut off while it streams in and fails as a bad response: one agency answer (or a
   * gzip bomb) can never exhaust the process's memory.
   */
  maxBodyBytes?: number;
  /** Random source for jitter (default Math.random). */
  random?: () => number;
  /** Most calls one GraphQL request may make to this agency (default unlimited); more fail as FAN_OUT. */
  maxCallsPerRequest?: number;
  /** The circuit breaker of this API (thresholds; default on), or `false` for none. */
  breaker?: BreakerOptions | false;
  /** The User-Agent sent to the agency (default `DEFAULT_USER_AGENT`; UPSTREAM_USER_AGENT). */
  userAgent?: string;
}

/**
 * What the gateway calls itself towards the agencies: the project and its version. A deployment
 * adds its own URL or contact address with UPSTREAM_USER_AGENT, so that an agency can reach whoever
 * runs it.
 */
export const DEFAULT_USER_AGENT =
  "sweden-open-data-graph/0.1 (open-data GraphQL gateway over Swedish agencies' APIs)";

/** One request to make. */
export interface UpstreamRequest<T> {
  method?: 'GET' | 'POST';
  /** Path appended to the base URL, or an absolute URL on the same origin (followed `next` links). */
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /** JSON body (POST). */
  body?: unknown;
  /**
   * Checks and narrows the parsed JSON; throw to reject it (becomes UPSTREAM_BAD_RESPONSE).
   * The cache and single-flight share the *parsed* result by method + URL + body, so one URL must
   * always be requested with the same `parse` (derive any parameters of `parse` from the URL).
   */
  parse: (json: unknown) => T;
  /** TTL for this endpoint when the upstream sends no max-age. */
  ttlMs?: number;
  /** Ignore the upstream's Cache-Control and always use `ttlMs`. */
  forceTtl?: boolean;
  /**
   * 404 → `null`: set it only where a 404 means "the agency has no such thing" (one ad, one table,
   * one station's period). Default false: a 404 from an endpoint the gateway expects to exist (a
   * search, a list, a collection) is a moved or misconfigured API, reported as UPSTREAM_BAD_RESPONSE
   * naming the URL path, never a null that reads as "no data".
   */
  notFoundIsNull?: boolean;
  /** POST requests are not retried unless the caller vouches they are idempotent reads (SCB data). */
  idempotent?: boolean;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
  /** The GraphQL request this call serves. */
  trace?: RequestTrace | undefined;
  /** Cache this response (default true). */
  cache?: boolean;
  /**
   * The data version the answer must have been fetched under (e.g. an SCB table's `updated`
   * stamp): a cached entry of another version is not served as fresh (a newer publication replaces
   * it at once), but may still be served stale if the agency fails. `null`/unset: any version.
   */
  version?: string | null;
  /**
   * The cache and single-flight key of this request, instead of method + URL + body: for requests
   * that mean the same thing in several spellings (e.g. a selection's order). Same mode prefix.
   */
  cacheKey?: string;
  /**
   * Record mode only: transforms the body before it is written to the snapshot, to keep personal data
   * (names, phone numbers) out of recordings. The live answer itself is not changed.
   */
  redactForRecording?: (body: unknown) => unknown;
  /** Status codes (besides 2xx and 404) whose JSON body is returned to `onErrorBody` instead of thrown. */
  onErrorStatus?: (status: number, body: unknown) => UpstreamError | undefined;
}

/** The outcome of a request. */
export interface UpstreamResult<T> {
  data: T | null;
  /** Served from an expired cache entry because the upstream failed. */
  stale: boolean;
  /** Served from cache without an upstream call. */
  cached: boolean;
}

/** The only surface agency clients use. */
export interface Upstream {
  readonly agency: string;
  readonly baseUrl: string;
  /**
   * Whose answers these are, for a client that keeps a cache of its own next to the kit's:
   * `live`, `offline` or `snapshot` (record mode's answers are live). Part of every cache key.
   */
  readonly dataMode: 'live' | 'offline' | 'snapshot';
  /** Marks a request as served by this upstream's mode without a call (a client's own cache hit). */
  noteServed(trace: RequestTrace | undefined): void;
  request<T>(req: UpstreamRequest<T>): Promise<UpstreamResult<T>>;
  /** Convenience: `request` and return only the data. */
  get<T>(req: Omit<UpstreamRequest<T>, 'method'>): Promise<T | null>;
  /** Builds the absolute URL of a request (for logs and snapshot keys). */
  urlFor(path: string, query?: UpstreamRequest<unknown>['query']): string;
  /** The state of this API's circuit breaker (for /ready). */
  health(): BreakerSnapshot;
  close(): Promise<void>;
}

interface CacheEntry {
  body: unknown;
  status: number;
  /** Epoch ms until which the entry is fresh. */
  freshUntil: number;
  /** The data version it was fetched under (`UpstreamRequest.version`), if any. */
  version?: string | null;
}

const CACHE_VERSION = 'v1';

/** What the cache stage hands single-flight: the result, and until when it is fresh (`RequestTrace.freshUntil`). */
interface Fetched<T> {
  result: UpstreamResult<T>;
  freshUntil: number;
}

/**
 * One agency API, as named stages from the outside in:
 *
 * 1. **single-flight** (`request`): identical concurrent requests share one call;
 * 2. **cache** (`fetchFresh`): a fresh entry of the same data version answers; else the stages
 *    below (or the snapshot store), then the entry is written; on failure a stale entry is served;
 *    the circuit breaker and the per-request call budget guard the way down;
 * 3. **rate limit and retries** (`upstream-retry.ts`): the client's turn in the fair queue, then
 *    attempts with backoff and `Retry-After` within the deadline;
 * 4. **send and decode** (`upstream-send.ts`): one HTTP exchange, streamed with a size cap and
 *    decompressed off the event loop.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const {
    agency,
    cache,
    logger,
    mode = 'live',
    snapshot,
    now = Date.now,
    sleep = realSleep,
    defaultTtlMs = 5 * 60_000,
    staleTtlMs = 24 * 60 * 60_000,
    headersTimeoutMs = 10_000,
    bodyTimeoutMs = 15_000,
    connectTimeoutMs = 5_000,
    totalTimeoutMs = 25_000,
    connections = 8,
    retries = 2,
    retryBaseMs = 200,
    maxRetryAfterMs = 10_000,
    rateLimiter = unlimited,
    cacheTimeoutMs = 250,
    onEvent,
    random = Math.random,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    maxCallsPerRequest,
    userAgent = DEFAULT_USER_AGENT,
  } = options;
  const baseUrlForLogs = options.baseUrl.replace(/\/+$/, '');
  const breaker =
    options.breaker === false
      ? undefined
      : createBreaker({
          now,
          ...options.breaker,
          onChange: (state, info) =>
            (state === 'closed' ? logger.info : logger.warn)(
              { agency, api: redactUrl(baseUrlForLogs), state, failures: info.failures },
              state === 'open'
                ? `${agency}: circuit breaker open after repeated failures; failing fast until a probe succeeds`
                : state === 'half-open'
                  ? `${agency}: circuit breaker half-open; sending one probe`
                  : `${agency}: circuit breaker closed; the agency answers again`,
            ),
        });
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({
      connections,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: connectTimeoutMs },
      headersTimeout: headersTimeoutMs,
      bodyTimeout: bodyTimeoutMs,
    });
  if (mode === 'offline' && options.dispatcher === undefined) {
    // A default Agent would reach the network: offline mode needs the simulators' dispatcher.
    throw new Error(`upstream ${agency}: mode "offline" needs the simulators' dispatcher`);
  }
  if ((mode === 'snapshot' || mode === 'record') && !snapshot) {
    throw new Error(`upstream ${agency}: mode "${mode}" needs a snapshot store`);
  }
  const inFlight = new Map<string, Promise<Fetched<unknown>>>();
  // Slots and rate-limit tokens are handed to waiting clients in turn.
  const queue = createFairQueue({ slots: connections, limiter: rateLimiter });
  // `record` calls live: its answers are live data.
  const cacheMode: Upstream['dataMode'] = mode === 'record' ? 'live' : mode;

  /**
   * URLs built so far, by path and query: a request of a cached answer builds its URL on every
   * lookup, and WHATWG URL parsing with one re-serialisation per query parameter was 4 % of the CPU
   * of an executed "municipality at a glance". The same path and query always give the same URL.
   */
  const urls = new LRUCache<string, string>({ max: 2000 });
  function urlFor(path: string, query?: UpstreamRequest<unknown>['query']): string {
    const memo = query === undefined ? path : `${path}\u0000${JSON.stringify(query)}`;
    let url = urls.get(memo);
    if (url === undefined) {
      url = buildUrl(path, query);
      urls.set(memo, url);
    }
    return url;
  }
  function buildUrl(path: string, query?: UpstreamRequest<unknown>['query']): string {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(baseUrl + (path.startsWith('/') ? path : `/${path}`));
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.append(key, String(value));
    }
    return url.toString();
  }

  // The stages below the cache (see the module comment): send, then rate limit and retries around it.
  const send = createSend({
    agency,
    dispatcher,
    userAgent,
    headersTimeoutMs,
    bodyTimeoutMs,
    maxBodyBytes,
    headers: options.headers,
  });
  const sendWithRetries = createSendWithRetries({
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
  });

  /** The cache stage: a fresh entry, else the stages below (or the snapshot), then stale-if-error. */
  async function fetchFresh<T>(req: UpstreamRequest<T>, url: string, key: string): Promise<Fetched<T>> {
    const method = req.method ?? 'GET';
    const notFoundIsNull = req.notFoundIsNull ?? false;
    const started = now();
    // Events carry the URL without its query string: queries can hold personal data (addresses).
    const eventUrl = withoutQuery(url);
    const emit = (event: UpstreamEvent) => onEvent?.({ ...event, method, url: eventUrl, trace: req.trace });
    const useCache = req.cache !== false;
    if (mode === 'offline') req.trace?.offline.add(agency);
    const anyVersion = req.version === undefined || req.version === null;
    // A local (first-level) entry that is no longer fresh, or of another data version, is looked up
    // in Redis too: another replica may have refreshed it there.
    const cachedEntry = useCache
      ? await cacheGet<CacheEntry>(
          cache,
          key,
          cacheTimeoutMs,
          logger,
          (entry) => entry.freshUntil > now() && (anyVersion || entry.version === req.version),
        )
      : undefined;
    const sameVersion = anyVersion || cachedEntry?.version === req.version;
    if (cachedEntry && cachedEntry.freshUntil > now() && sameVersion) {
      if (req.trace) req.trace.cacheHits += 1;
      emit({ agency, outcome: 'hit', attempts: 0 });
      return {
        result: { data: cachedEntry.body as T | null, stale: false, cached: true },
        freshUntil: cachedEntry.freshUntil,
      };
    }
    // The agency published new data since the entry was fetched: say so (a whole-response cache
    // drops what it built from the old version).
    const newVersion = !anyVersion && cachedEntry?.version != null && cachedEntry.version !== req.version;
    let attempts = 0;
    try {
      let raw: RawResponse;
      if (mode === 'snapshot') {
        const recorded = await snapshot!.get(method, url, req.body);
        if (!recorded) {
          throw new UpstreamError(
            'SNAPSHOT_MISSING',
            agency,
            `No recorded ${agency} response for ${method} ${redactUrl(url)} (UPSTREAM_MODE=snapshot never calls the network; run "npm run record" with network access to add it)`,
          );
        }
        if (req.trace) req.trace.upstreamCalls += 1;
        raw = recorded.response;
        attempts = 1;
      } else {
        spendBudget(req.trace);
        if (breaker && !breaker.allow()) {
          const wait = breaker.retryAfterMs();
          throw new UpstreamError(
            'CIRCUIT_OPEN',
            agency,
            `${agency} failed repeatedly and is not being called for now (circuit breaker open); retry in ${Math.ceil(wait / 1000)} s`,
            { retryAfterMs: wait },
          );
        }
        // Counted as they happen, so a failure after retries still reports how many were made.
        let sent: { raw: RawResponse; attempts: number };
        try {
          sent = await sendWithRetries(req, url, req.trace, (n) => {
            attempts = n;
          });
        } catch (err) {
          // Nothing was sent (the request's deadline had already passed): no news about the agency.
          if (attempts === 0) throw err;
          if (breaker && err instanceof UpstreamError && unhealthy(err)) breaker.failure();
          else breaker?.success();
          throw err;
        }
        if (breaker) {
          if (sent.raw.status >= 500 || sent.raw.status === 429) breaker.failure();
          else if (
            sent.raw.status < 300 &&
            typeof sent.raw.body === 'string' &&
            sent.raw.body.length > 0 &&
            /^\s*</.test(sent.raw.body)
          )
            breaker.failure(); // a maintenance page instead of JSON
          else breaker.success();
        }
        raw = sent.raw;
        attempts = sent.attempts;
        if (mode === 'record' && (raw.status < 300 || raw.status === 404)) {
          await snapshot!.put({
            request: req.body === undefined ? { method, url } : { method, url, body: req.body },
            response: {
              status: raw.status,
              headers: pickHeaders(raw.headers),
              body: req.redactForRecording ? req.redactForRecording(structuredClone(raw.body)) : raw.body,
            },
            recordedAt: new Date(now()).toISOString(),
          });
        }
      }
      let data: T | null;
      if (raw.status === 404 && notFoundIsNull) {
        data = null;
      } else if (raw.status >= 200 && raw.status < 300) {
        try {
          // Frozen: every reader shares this value (the caller, single-flight joiners, cache hits).
          data = deepFreeze(req.parse(raw.body));
        } catch (err) {
          throw new UpstreamError(
            'BAD_PAYLOAD',
            agency,
            `${agency} sent a response in an unexpected shape for ${pathOf(url)}${shapeProblem(err)}`,
            { status: raw.status, cause: err },
          );
        }
      } else {
        throw req.onErrorStatus?.(raw.status, raw.body) ?? statusError(agency, raw.status, url);
      }
      const ttl = req.forceTtl
        ? (req.ttlMs ?? defaultTtlMs)
        : (maxAgeMs(raw.headers['cache-control']) ?? req.ttlMs ?? defaultTtlMs);
      if (useCache && ttl > 0) {
        await cacheSet(
          cache,
          key,
          {
            body: data,
            status: raw.status,
            freshUntil: now() + ttl,
            ...(req.version !== undefined ? { version: req.version } : {}),
          } satisfies CacheEntry,
          ttl + staleTtlMs,
          cacheTimeoutMs,
          logger,
        );
      }
      emit({ agency, outcome: 'miss', attempts, ms: now() - started, ...(newVersion ? { newVersion } : {}) });
      // Not cached (no-store, `cache: false`): fresh for this request only.
      return { result: { data, stale: false, cached: false }, freshUntil: useCache ? now() + ttl : now() };
    } catch (err) {
      const error =
        err instanceof UpstreamError
          ? err
          : new UpstreamError('BAD_PAYLOAD', agency, `${agency} request failed`, { cause: err });
      // Stale-if-error: an answer the agency gave earlier beats no answer, but not for our own bad input.
      // A bad body (a maintenance page, truncated JSON) is the agency's failure too: serve the last good one.
      const staleAllowed =
        error.kind !== 'FAN_OUT' &&
        error.kind !== 'BAD_REQUEST' &&
        // Refused credentials must reach the client, which may refresh its token and retry.
        error.kind !== 'AUTH_REQUIRED' &&
        !(error.kind === 'HTTP_STATUS' && (error.status ?? 500) < 500 && error.status !== 429);
      if (cachedEntry && staleAllowed) {
        logger.warn(
          { agency, url: redactUrl(url), kind: error.kind },
          'upstream failed; serving stale cache entry',
        );
        req.trace?.stale.add(agency);
        emit({ agency, outcome: 'stale', attempts, ms: now() - started, errorKind: error.kind });
        return {
          result: { data: cachedEntry.body as T | null, stale: true, cached: true },
          freshUntil: now(),
        };
      }
      logger.warn(
        { agency, url: redactUrl(url), kind: error.kind, status: error.status },
        'upstream request failed',
      );
      emit({ agency, outcome: 'error', attempts, ms: now() - started, errorKind: error.kind });
      // A failure its caller swallows (an optional version check) still makes the answer one not to keep.
      noteFreshUntil(req.trace, now());
      throw error;
    }
  }

  /** The per-request budget of calls to this agency (MAX_UPSTREAM_CALLS), spent before each call. */
  function spendBudget(trace: RequestTrace | undefined) {
    if (!trace || maxCallsPerRequest === undefined) return;
    if (!trace.callsByAgency) trace.callsByAgency = new Map();
    const calls = trace.callsByAgency;
    const made = calls.get(agency) ?? 0;
    if (made >= maxCallsPerRequest) {
      throw new UpstreamError(
        'FAN_OUT',
        agency,
        `This request already made ${made} calls to ${agency}, the most one request may make (MAX_UPSTREAM_CALLS); ask for fewer items or split the query`,
      );
    }
    calls.set(agency, made + 1);
  }

  const upstream: Upstream = {
    agency,
    baseUrl,
    health: () => breaker?.snapshot() ?? { state: 'closed', failures: 0 },
    dataMode: cacheMode,
    noteServed(trace) {
      if (mode === 'offline') trace?.offline.add(agency);
    },
    urlFor,
    async request<T>(req: UpstreamRequest<T>): Promise<UpstreamResult<T>> {
      const method = req.method ?? 'GET';
      const url = urlFor(req.path, req.query);
      // The mode is part of the key: a live gateway sharing Redis with an offline or snapshot one
      // must never serve their synthetic or recorded answers as live data (nor the reverse).
      const key = `${agency}:${CACHE_VERSION}:${cacheMode}:${req.cacheKey ?? snapshotKey(method, url, req.body)}`;
      // Calls for different versions of the same data must not join each other.
      const flight = req.version ? `${key}@${req.version}` : key;
      const existing = inFlight.get(flight) as Promise<Fetched<T>> | undefined;
      if (existing) {
        let shared: Fetched<T>;
        try {
          shared = await existing;
        } catch (err) {
          noteFreshUntil(req.trace, now());
          throw err;
        }
        // Joined an in-flight call: the stale marker and the freshness still apply to this request.
        if (shared.result.stale) req.trace?.stale.add(agency);
        noteFreshUntil(req.trace, shared.freshUntil);
        return shared.result;
      }
      const promise = fetchFresh(req, url, key).finally(() => inFlight.delete(flight));
      inFlight.set(flight, promise as Promise<Fetched<unknown>>);
      const fetched = await promise;
      noteFreshUntil(req.trace, fetched.freshUntil);
      return fetched.result;
    },
    async get<T>(req: Omit<UpstreamRequest<T>, 'method'>): Promise<T | null> {
      return (await upstream.request<T>({ ...req, method: 'GET' })).data;
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
  return upstream;
}

function pickHeaders(headers: Record<string, string>): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control', 'last-modified', 'expires']) {
    if (headers[name] !== undefined) keep[name] = headers[name];
  }
  return keep;
}

/** `Cache-Control: max-age=N` (or s-maxage) in ms; `no-store`/`no-cache` → 0. */
export function maxAgeMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  if (/no-store|no-cache/i.test(header)) return 0;
  const match = /(?:s-maxage|max-age)\s*=\s*(\d+)/i.exec(header);
  return match ? Number(match[1]) * 1000 : undefined;
}

/** Failures that say the agency itself is unwell (not our request): they count towards its breaker. */
function unhealthy(error: UpstreamError): boolean {
  return (
    error.kind === 'CONNECT' ||
    error.kind === 'TIMEOUT' ||
    error.kind === 'RATE_LIMITED' ||
    error.kind === 'BAD_PAYLOAD' ||
    (error.kind === 'HTTP_STATUS' && ((error.status ?? 500) >= 500 || error.status === 429))
  );
}

/** Origin and path only (no query string, no credentials); the same URL is parsed once. */
function withoutQuery(url: string): string {
  let bare = bareUrls.get(url);
  if (bare === undefined) {
    try {
      const u = new URL(url);
      bare = `${u.origin}${u.pathname}`;
    } catch {
      bare = '(unparseable URL)';
    }
    bareUrls.set(url, bare);
  }
  return bare;
}
const bareUrls = new LRUCache<string, string>({ max: 2000 });

/** Drops query values that look like credentials before a URL is logged or shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret|password|auth/i.test(key)) u.searchParams.set(key, 'redacted');
    }
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * What a parser found wrong, for the client: the messages of our own parsers name the JSON path and
 * what was expected (`ShapeError`, or a plain Error thrown by a parser), never upstream values beyond
 * a type. Anything else (a TypeError from a parser bug) is not described.
 */
function shapeProblem(err: unknown): string {
  if (!(err instanceof ShapeError) && !(err instanceof Error && err.constructor === Error)) return '';
  const message = err.message.length > 200 ? `${err.message.slice(0, 199)}…` : err.message;
  return `: ${message}`;
}
