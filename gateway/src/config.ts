import {
  bool,
  type EnvSpec,
  type EnvValues,
  type EnvVar,
  int,
  oneOf,
  readEnv,
  str,
  url,
} from '../../kit/config.ts';
import { FAULT_KINDS_TEXT, type OfflineFaults, parseOfflineFaults } from '../../kit/simulator.ts';
import { DEFAULT_USER_AGENT } from '../../kit/upstream.ts';
import { subgraphModules } from '../../subgraphs/index.ts';

/** Calls allowed per window, per agency. */
export type RateLimits = Record<string, { calls: number; windowMs: number }>;

/** `smhi=20/1,jobtech=10/1`: at most N calls per S seconds to that agency, across all its APIs. */
function rateLimits(opts: {
  description: string;
  default: string;
}): EnvVar<RateLimits> & { default: string } {
  return {
    ...opts,
    allowed:
      'a comma-separated list of agency=calls/seconds, e.g. "smhi=20/1,jobtech=10/1" (calls 1–10000, seconds 1–3600)',
    parse(raw) {
      const out: RateLimits = {};
      for (const part of raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^([a-z][a-z0-9-]*)=(\d+)\/(\d+)$/.exec(part);
        if (!m) return undefined;
        const calls = Number(m[2]);
        const seconds = Number(m[3]);
        if (calls < 1 || calls > 10_000 || seconds < 1 || seconds > 3600) return undefined;
        out[m[1]!] = { calls, windowMs: seconds * 1000 };
      }
      return out;
    },
  };
}

/**
 * `smhi=http://localhost:4001/graphql,scb=…`: each entry a subgraph name and an absolute http(s) URL.
 * The raw text is kept (gateway/src/subgraph-list.ts splits it); a malformed value stops start-up here.
 */
function subgraphUrls(opts: { description: string }): EnvVar<string> {
  return {
    ...opts,
    allowed:
      'comma-separated name=URL entries with absolute http: or https: URLs, e.g. "smhi=http://localhost:4001/graphql"',
    parse(raw) {
      const parts = raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (parts.length === 0) return undefined;
      for (const part of parts) {
        const eq = part.indexOf('=');
        if (eq <= 0 || !/^[a-z][a-z0-9-]*$/.test(part.slice(0, eq))) return undefined;
        try {
          const u = new URL(part.slice(eq + 1));
          if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
        } catch {
          return undefined;
        }
      }
      return raw;
    },
  };
}

/** `smhi=5000,scb=30000`: milliseconds per agency. */
function agencyMs(opts: { description: string }): EnvVar<Record<string, number>> {
  return {
    ...opts,
    allowed: 'a comma-separated list of agency=milliseconds (100–600000), e.g. "smhi=5000,scb=30000"',
    parse(raw) {
      const out: Record<string, number> = {};
      for (const part of raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
        if (!m) return undefined;
        const ms = Number(m[2]);
        if (ms < 100 || ms > 600_000) return undefined;
        out[m[1]!] = ms;
      }
      return out;
    },
  };
}

/** `scb=500,jobtech=timeout`: an injected failure per agency simulator (offline mode). */
function offlineFaults(opts: { description: string }): EnvVar<OfflineFaults> {
  return {
    ...opts,
    allowed: `a comma-separated list of agency=fault, where a fault is ${FAULT_KINDS_TEXT}, e.g. "scb=500,jobtech=timeout"`,
    parse: parseOfflineFaults,
  };
}

/** The gateway's own environment variables. Subgraphs add theirs (see each subgraph's `env`). */
export const gatewayEnv = {
  PORT: int({ description: 'HTTP port of the gateway', default: '4000', min: 0, max: 65535 }),
  HOST: str({ description: 'Interface to listen on', default: '0.0.0.0' }),
  UPSTREAM_MODE: oneOf({
    description:
      '`live` calls the agencies; `offline` answers every request from the agency simulators (what `npm run demo` uses) and never touches the network; `snapshot` replays exact recorded responses (tests); `record` calls live and saves responses into the snapshot',
    default: 'live',
    values: ['live', 'offline', 'snapshot', 'record'] as const,
  }),
  OFFLINE_FAULTS: offlineFaults({
    description:
      'Offline mode only: make agency simulators fail the way real APIs fail, e.g. `scb=500,jobtech=timeout,smhi=429`, to rehearse failures',
  }),
  SNAPSHOT_DIR: str({ description: 'Directory of recorded upstream responses', default: 'snapshot' }),
  CACHE_URL: url({
    description:
      'Shared upstream cache: `redis://host:6379` (several replicas share it); unset = in-memory LRU per process',
    protocols: ['redis:', 'rediss:'],
  }),
  CACHE_PREFIX: {
    description:
      'First part of every key the gateway writes to Redis (`sodg:smhi:v1:live:GET …`, `sodg:apq:…`): give each deployment sharing one Redis its own',
    default: 'sodg',
    allowed: '1–40 characters: letters, digits, "-" and "_"',
    parse: (raw: string) => (/^[A-Za-z0-9_-]{1,40}$/.test(raw) ? raw : undefined),
  } as EnvVar<string> & { default: string },
  CACHE_MAX_ENTRIES: int({
    description: 'Entries of the in-memory LRU cache',
    default: '10000',
    min: 100,
    max: 10_000_000,
  }),
  RESPONSE_CACHE: oneOf({
    description:
      'Whole-response cache (`on`/`off`): answers to queries whose every field is cacheable and public are kept for the smallest `@cacheControl` maxAge (never longer than the agency answers they were built from stay fresh; a new data version drops them), in Redis at CACHE_URL, else in memory, and identical queries in flight at once run once. Never kept: answers with errors, a stale agency or a PRIVATE (personal-data) field, and requests with `x-upstream-stats: 1`. `off` executes every operation',
    default: 'on',
    values: ['on', 'off'] as const,
  }),
  SUBGRAPH_EXECUTOR: oneOf({
    description:
      'How subgraphs in this process execute their part of an operation: `jit` compiles each planned subgraph operation once into a JavaScript function (graphql-jit; about 1.35× the req/s of `graphql-js` on entity fetches of hundreds of entities), `graphql-js` interprets it with the reference implementation. Answers are the same; `graphql-js` is the fallback should a compiled operation ever misbehave',
    default: 'jit',
    values: ['jit', 'graphql-js'] as const,
  }),
  RESPONSE_CACHE_MAX_ENTRIES: int({
    description:
      "Answers the whole-response cache keeps in this process's memory (all of them without CACHE_URL; with it, the ones read most recently, in front of Redis)",
    default: '2000',
    min: 10,
    max: 1_000_000,
  }),
  RESPONSE_CACHE_MAX_BYTES: int({
    description:
      'Largest answer the whole-response cache keeps (characters of JSON); larger answers are executed every time',
    default: String(1024 * 1024),
    min: 1024,
    max: 64 * 1024 * 1024,
  }),
  RESPONSE_CACHE_REPLAY_BYTES: int({
    description:
      "Bytes of sent response-cache hits (their UTF-8 bodies, request keys and, once a client accepting gzip asked, their gzip) this process keeps to send again, as they were sent, for identical POST requests (same body text, content-type and accept) without running Apollo Server's request pipeline; the client's cost is charged and usage counted as for the hit. `0` sends every hit through the pipeline",
    default: String(32 * 1024 * 1024),
    min: 0,
    max: 1024 * 1024 * 1024,
  }),
  RESPONSE_COMPRESSION: oneOf({
    description:
      'Compress responses (`on`/`off`) for clients that accept it (`Accept-Encoding`: browsers, `fetch`, Apollo Client): Brotli (quality 4) when accepted, else gzip; only compressible types (JSON, CSV, GeoJSON, text) of at least RESPONSE_COMPRESSION_MIN_BYTES, never an incremental (`@defer`) response. JSON answers shrink to about a quarter (all 290 municipal outlines: 790 kB, 222 kB with Brotli, 260 kB with gzip), which counts on a slow or shared network',
    default: 'on',
    values: ['on', 'off'] as const,
  }),
  RESPONSE_COMPRESSION_MIN_BYTES: int({
    description: 'Smallest response body that is compressed (bytes); smaller ones are sent as they are',
    default: '1024',
    min: 0,
    max: 64 * 1024 * 1024,
  }),
  SUBGRAPHS_FILE: str({
    description: 'The subgraph list (in-process or remote)',
    default: 'schema/subgraphs.json',
  }),
  SUBGRAPH_URLS: subgraphUrls({
    description:
      'Run listed subgraphs remotely: `smhi=http://localhost:4001/graphql,scb=…` (overrides the list)',
  }),
  SUPERGRAPH_FILE: str({
    description: 'Composed supergraph SDL; reloaded when the file changes',
    default: 'schema/supergraph.graphql',
  }),
  SUBGRAPH_TIMEOUT_MS: int({
    description: 'Timeout of a call to a remote subgraph (ms)',
    default: '30000',
    min: 100,
    max: 300_000,
  }),
  MAX_QUERY_DEPTH: int({
    description:
      'Deepest field nesting an operation may have; deeper operations are rejected before any agency is called',
    default: '12',
    min: 2,
    max: 100,
  }),
  MAX_QUERY_COST: int({
    description:
      'Largest estimated cost of one operation (about one unit per value in the answer, times list sizes, plus 10 per upstream call); costlier operations are refused with QUERY_TOO_EXPENSIVE before any agency is called',
    default: '100000',
    min: 100,
    max: 100_000_000,
  }),
  MAX_UPSTREAM_CALLS: int({
    description:
      'Most calls one request may make to one agency: estimated before execution (refused with QUERY_TOO_EXPENSIVE) and counted while it runs',
    default: '50',
    min: 1,
    max: 100_000,
  }),
  MAX_ALIASES: int({
    description: 'Most aliased fields one operation may have',
    default: '100',
    min: 1,
    max: 100_000,
  }),
  MAX_ROOT_FIELDS: int({
    description: 'Most root fields (top-level selections) one operation may have',
    default: '50',
    min: 1,
    max: 100_000,
  }),
  MAX_RESPONSE_ITEMS: int({
    description:
      'Most list items one request may build while it runs (the cost analysis refuses most such requests before; this holds what it could not foresee); lists past it are null with RESPONSE_TOO_LARGE',
    default: '100000',
    min: 100,
    max: 100_000_000,
  }),
  CLIENT_ID_HEADER: str({
    description:
      'Request header that names a client for the per-client limits (any string a team chooses, e.g. its name; the explorer sends one per browser); `none` = clients are told apart by IP only. Fairness, not security: a key is not checked',
    default: 'x-api-key',
  }),
  TRUST_PROXY_HOPS: int({
    description:
      "Proxies (load balancers) in front of the gateway whose `X-Forwarded-For` entries are trusted to find a client's IP; 0 = the socket's address",
    default: '0',
    min: 0,
    max: 10,
  }),
  CLIENT_REQUESTS_PER_MINUTE: int({
    description:
      'GraphQL requests per minute one client may send (a token bucket, refilled continuously); more answer HTTP 429 with Retry-After; 0 = no limit',
    default: '1200',
    min: 0,
    max: 10_000_000,
  }),
  CLIENT_REQUEST_BURST: int({
    description:
      'Requests one client may send at once before CLIENT_REQUESTS_PER_MINUTE applies (the bucket size)',
    default: '100',
    min: 1,
    max: 10_000_000,
  }),
  CLIENT_COST_PER_MINUTE: int({
    description:
      'Estimated query cost (see MAX_QUERY_COST) one client may spend per minute; an operation over what is left answers HTTP 429 with Retry-After before any agency is called; 0 = no limit',
    default: '1000000',
    min: 0,
    max: 1_000_000_000,
  }),
  CLIENT_COST_BURST: int({
    description:
      'Cost one client may spend at once (the bucket size); at least MAX_QUERY_COST, so that every allowed query can run',
    default: '200000',
    min: 100,
    max: 1_000_000_000,
  }),
  REQUEST_DEADLINE_MS: int({
    description:
      'Longest time one GraphQL request may spend on agency calls (ms); calls still pending then fail as UPSTREAM_TIMEOUT and the rest of the answer is sent',
    default: '20000',
    min: 100,
    max: 600_000,
  }),
  UPSTREAM_TIMEOUTS: agencyMs({
    description:
      'Whole-call deadline per agency including retries (ms), e.g. `smhi=5000,scb=30000`; unset agencies keep their defaults (25 s; SCB 60 s while queued for its limit)',
  }),
  BREAKER_THRESHOLD: int({
    description:
      'Consecutive failures of one agency API that open its circuit breaker (calls then fail at once with UPSTREAM_UNAVAILABLE and `retryAfter` until a probe succeeds)',
    default: '5',
    min: 1,
    max: 1000,
  }),
  BREAKER_OPEN_MS: int({
    description:
      'How long an open circuit breaker waits before its first probe (ms); doubles after each failed probe, up to 5 minutes',
    default: '15000',
    min: 100,
    max: 3_600_000,
  }),
  RATE_LIMITS: rateLimits({
    description:
      'Most calls per time window to each agency (all its APIs together), queued rather than refused. SCB reads its own published limit from its /config; an `scb=` entry replaces that',
    default: 'smhi=20/1,jobtech=10/1,sgu=10/1,lantmateriet=10/1',
  }),
  UPSTREAM_USER_AGENT: str({
    description:
      "User-Agent sent to every agency; add your deployment's URL or a contact address, e.g. `sweden-open-data-graph/0.1 (+https://example.org; ops@example.org)`, so that an agency can reach whoever runs it",
    default: DEFAULT_USER_AGENT,
  }),
  UPSTREAM_MAX_BYTES: int({
    description:
      'Largest agency response body the gateway reads, compressed and after decompression (bytes); a larger one is cut off and fails as UPSTREAM_BAD_RESPONSE',
    default: String(32 * 1024 * 1024),
    min: 1024,
    max: 1024 * 1024 * 1024,
  }),
  PERSISTED_QUERIES_MANIFEST: str({
    description:
      'An Apollo persisted query manifest (JSON, `npm run persisted:manifest` writes one from the examples): its operations can be sent by id in `extensions.persistedQuery.sha256Hash`; unset = only automatic persisted queries',
  }),
  PERSISTED_QUERIES_ONLY: bool({
    description:
      'Allow-list mode: serve only the operations of PERSISTED_QUERIES_MANIFEST; any other document is refused with HTTP 403 and OPERATION_NOT_ALLOWED before any agency is called',
    default: 'false',
  }),
  CORS_ORIGIN: str({ description: 'Value of Access-Control-Allow-Origin', default: '*' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({
    description:
      'OpenTelemetry: send traces over OTLP/HTTP to `<endpoint>/v1/traces`, e.g. `http://localhost:4318` (Jaeger, Tempo, an OpenTelemetry Collector); unset = no tracing, nothing registered',
  }),
  OTEL_SERVICE_NAME: str({
    description:
      'OpenTelemetry `service.name` of the traces (a subgraph run alone adds `-<subgraph>`, e.g. `sweden-open-data-graph-smhi`)',
    default: 'sweden-open-data-graph',
  }),
  LOG_LEVEL: oneOf({
    description: 'Log level',
    default: 'info',
    values: ['debug', 'info', 'warn', 'error', 'silent'] as const,
  }),
} satisfies EnvSpec;

/** Every variable the process reads: the gateway's plus each built-in subgraph's. */
export function fullEnvSpec(): EnvSpec {
  const spec: EnvSpec = { ...gatewayEnv };
  for (const module of subgraphModules) Object.assign(spec, module.env);
  return spec;
}

export type GatewayConfig = EnvValues<typeof gatewayEnv>;

export interface Config {
  gateway: GatewayConfig;
  /** Parsed values of every subgraph variable, by name. */
  subgraphs: Record<string, unknown>;
}

/** Reads the whole environment once; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const all = readEnv(fullEnvSpec(), env) as Record<string, unknown>;
  const gateway = Object.fromEntries(Object.keys(gatewayEnv).map((k) => [k, all[k]])) as GatewayConfig;
  return { gateway, subgraphs: all };
}
