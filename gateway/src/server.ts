import { randomUUID } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApolloGateway, type SupergraphSdlHook } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import compression from 'compression';
import { GraphQLError } from 'graphql';
import type Keyv from 'keyv';
import Negotiator from 'negotiator';
import { Counter } from 'prom-client';
import { type Agent, type Dispatcher, request as undiciRequest } from 'undici';
import { cacheState, closeCache, createCache } from '../../kit/cache.ts';
import { ConfigError } from '../../kit/config.ts';
import { readBody } from '../../kit/http.ts';
import { type Logger, requestIdFrom, withLogContext } from '../../kit/logger.ts';
import { createAgencyRateLimiters } from '../../kit/ratelimit-redis.ts';
import { createOfflineMode, type OfflineSource } from '../../kit/simulator.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createTrace, type RequestTrace, redactUrl, type UpstreamEvent } from '../../kit/upstream.ts';
import { clientIdOf, createClientLimits } from './clients.ts';
import type { Config } from './config.ts';
import { costPlugin } from './cost.ts';
import {
  createSubgraphAgent,
  type GatewayContext,
  InProcessDataSource,
  UndiciRemoteDataSource,
} from './datasources.ts';
import { clientErrorsPlugin, finiteNumbers, formatError, shorten } from './errors.ts';
import { loadExamples } from './explorer/examples.ts';
import { createExplorerRoute } from './explorer/index.ts';
import { columnsOf, EXPORT_FORMATS, type ExportFormat, flatten, rowsOf, toCsv, toGeoJson } from './export.ts';
import { depthLimit } from './limits.ts';
import { createPersistedQueries } from './persisted.ts';
import { createResponseCache, RESPONSE_CACHE_HEADER } from './response-cache.ts';
import { loadSubgraphList, parseUrlOverrides, type ResolvedSubgraph } from './subgraph-list.ts';
import { supergraphMismatches } from './supergraph-check.ts';
import type { Telemetry } from './telemetry.ts';
import { createUsageInsights, type UsageInsights } from './usage/index.ts';

/** Injection points for tests; production uses the defaults. */
export interface GatewayDeps {
  config: Config;
  logger: Logger;
  /** Replaces every agency upstream's dispatcher (tests: an undici MockAgent). */
  dispatcher?: Dispatcher;
  cache?: Keyv;
  now?: () => number;
  onUpstreamEvent?: (event: UpstreamEvent) => void;
  /** OpenTelemetry tracing (`setupTelemetry`); default none: no spans of ours, nothing exported. */
  telemetry?: Telemetry | undefined;
  /** Extra Apollo Server plugins (metrics, usage insights). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Extra HTTP routes, checked before GraphQL: return true when handled. */
  routes?: Array<(req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean>;
}

export interface GatewayApp {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly subgraphs: readonly ResolvedSubgraph[];
  readonly runtimes: ReadonlyMap<string, SubgraphRuntime>;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Supergraph loaded and every remote subgraph answering. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  stop(): Promise<void>;
  /** Number of supergraph (re)loads so far. */
  readonly schemaLoads: number;
  /** Usage insights served at /usage and /metrics. */
  readonly usage: UsageInsights;
}

/** Builds the gateway: subgraph runtimes, Apollo Gateway over the supergraph file, HTTP server. */
export async function createGatewayApp(deps: GatewayDeps): Promise<GatewayApp> {
  const { config, logger } = deps;
  const g = config.gateway;
  // @apollo/gateway sends anonymous usage metrics to Apollo unless this is set: nothing calls home.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';

  // A list or supergraph the gateway cannot use is a configuration problem: name the variable.
  let subgraphs: ResolvedSubgraph[];
  try {
    subgraphs = loadSubgraphList(g.SUBGRAPHS_FILE, parseUrlOverrides(g.SUBGRAPH_URLS));
  } catch (err) {
    const variable = /SUBGRAPH_URLS/.test((err as Error).message) ? 'SUBGRAPH_URLS' : 'SUBGRAPHS_FILE';
    throw new ConfigError([
      `${variable}=${JSON.stringify(variable === 'SUBGRAPH_URLS' ? g.SUBGRAPH_URLS : g.SUBGRAPHS_FILE)} cannot be used: ${(err as Error).message}`,
    ]);
  }
  try {
    readFileSync(g.SUPERGRAPH_FILE, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `SUPERGRAPH_FILE=${JSON.stringify(g.SUPERGRAPH_FILE)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a composed supergraph: run "npm run compose" or point SUPERGRAPH_FILE at one.`,
    ]);
  }
  // APQ store (Redis at CACHE_URL, else memory) and the manifest's allow-list; a bad manifest stops here.
  const persisted = createPersistedQueries({ config: g, logger, redisPrefix: `${g.CACHE_PREFIX}:apq:` });
  const cache =
    deps.cache ??
    createCache({ url: g.CACHE_URL, maxEntries: g.CACHE_MAX_ENTRIES, prefix: g.CACHE_PREFIX, logger });
  const snapshot =
    g.UPSTREAM_MODE === 'snapshot' || g.UPSTREAM_MODE === 'record'
      ? createFileSnapshotStore(g.SNAPSHOT_DIR)
      : undefined;
  // Offline mode: every agency API answered by its simulator, plugged in below the clients.
  const offline =
    g.UPSTREAM_MODE === 'offline'
      ? createOfflineMode(
          subgraphs.flatMap((s) => (s.module && !s.url ? [s.module] : [])),
          { config: config.subgraphs, now: deps.now ?? Date.now, faults: g.OFFLINE_FAULTS },
        )
      : undefined;
  const dispatcher = deps.dispatcher ?? offline?.dispatcher;
  // Usage insights (/usage, /metrics) see every upstream event; the caller's listener still gets them.
  const usage = createUsageInsights({ now: deps.now ?? Date.now });
  const inProcessFetches = new Counter({
    name: 'gateway_inprocess_fetches_total',
    help: 'Subgraph fetches executed in this process, by subgraph and executor (SUBGRAPH_EXECUTOR: jit, or graphql-js for operations not compiled yet or that graphql-jit could not compile)',
    labelNames: ['subgraph', 'executor'] as const,
    registers: [usage.registry],
  });
  // Whole answers (RESPONSE_CACHE): their own keys (`sodg:response:…` in Redis) and memory bound.
  const responseStore =
    g.RESPONSE_CACHE === 'on'
      ? createCache({
          url: g.CACHE_URL,
          maxEntries: g.RESPONSE_CACHE_MAX_ENTRIES,
          prefix: `${g.CACHE_PREFIX}:response`,
          logger,
          what: 'response cache',
        })
      : undefined;
  const responseCache = responseStore
    ? createResponseCache({
        store: responseStore,
        // The data mode, as in the upstream cache's keys: live, offline and snapshot answers never meet.
        scope: g.UPSTREAM_MODE === 'record' ? 'live' : g.UPSTREAM_MODE,
        logger,
        maxBytes: g.RESPONSE_CACHE_MAX_BYTES,
        // Other plugins (deps.plugins) expect to see every request: no replays past them.
        replayBytes: deps.plugins?.length ? 0 : g.RESPONSE_CACHE_REPLAY_BYTES,
        ...(deps.now ? { now: deps.now } : {}),
      })
    : undefined;
  const responseCacheRequests = new Counter({
    name: 'gateway_response_cache_requests_total',
    help: "GraphQL requests by what the whole-response cache did: hit (a kept answer), replayed (a hit sent again as it was sent, past Apollo Server's pipeline), joined (the answer of an identical request in flight), miss (executed)",
    labelNames: ['outcome'] as const,
    registers: [usage.registry],
  });
  /** The estimated cost each request charged its client: a replay of its answer charges it again. */
  const charged = new WeakMap<RequestTrace, number>();
  const onUpstreamEvent = (event: UpstreamEvent) => {
    responseCache?.onUpstreamEvent(event);
    usage.onUpstreamEvent(event);
    deps.telemetry?.onUpstreamEvent(event);
    deps.onUpstreamEvent?.(event);
  };
  // One limiter per agency, shared by all its subgraph's upstreams (RATE_LIMITS); none offline (SCB's
  // own limiter still runs there: it reads the simulator's /config like SCB's), and in Redis when
  // CACHE_URL is set, so that the limits hold for all replicas together.
  const agencyLimiters = createAgencyRateLimiters(g.RATE_LIMITS, {
    mode: g.UPSTREAM_MODE,
    redis: g.CACHE_URL ? { url: g.CACHE_URL, prefix: g.CACHE_PREFIX } : undefined,
    logger,
  });
  const rateLimiters = agencyLimiters.limiters;
  const runtimes = new Map<string, SubgraphRuntime>();
  for (const s of subgraphs) {
    if (s.module && !s.url) {
      runtimes.set(
        s.name,
        s.module.create({
          config: config.subgraphs as never,
          cache,
          logger,
          mode: g.UPSTREAM_MODE,
          snapshot,
          now: deps.now ?? Date.now,
          dispatcher,
          onUpstreamEvent,
          rateLimiters,
          maxBodyBytes: g.UPSTREAM_MAX_BYTES,
          maxCallsPerRequest: g.MAX_UPSTREAM_CALLS,
          maxResponseItems: g.MAX_RESPONSE_ITEMS,
          userAgent: g.UPSTREAM_USER_AGENT,
          redis: g.CACHE_URL ? { url: g.CACHE_URL, prefix: g.CACHE_PREFIX } : undefined,
          timeouts: g.UPSTREAM_TIMEOUTS,
          breaker: { threshold: g.BREAKER_THRESHOLD, openMs: g.BREAKER_OPEN_MS },
        }),
      );
    }
  }
  const remoteAgent = createSubgraphAgent();
  const clock = deps.now ?? Date.now;
  // Per-client request and cost buckets (Redis at CACHE_URL, else this process).
  const clientLimits = createClientLimits({
    requests: { perMinute: g.CLIENT_REQUESTS_PER_MINUTE, burst: g.CLIENT_REQUEST_BURST },
    // Never smaller than one allowed operation: a query under MAX_QUERY_COST must be able to run.
    cost: { perMinute: g.CLIENT_COST_PER_MINUTE, burst: Math.max(g.CLIENT_COST_BURST, g.MAX_QUERY_COST) },
    url: g.CACHE_URL,
    prefix: `${g.CACHE_PREFIX}:clients:`,
    logger,
    now: clock,
  });
  const clientIds = {
    header: g.CLIENT_ID_HEADER === 'none' ? undefined : g.CLIENT_ID_HEADER.toLowerCase(),
    trustProxyHops: g.TRUST_PROXY_HOPS,
  };
  // What each listed subgraph's fields cost (remote subgraphs of this repository declare it too).
  const fieldCosts = Object.assign({}, ...subgraphs.map((s) => s.module?.cost ?? {}));

  let schemaLoads = 0;
  let watcher: FSWatcher | undefined;
  const supergraphSdl: SupergraphSdlHook = async ({ update }) => {
    const file = g.SUPERGRAPH_FILE;
    let current = readFileSync(file, 'utf8');
    const mismatches = supergraphMismatches(current, runtimes);
    if (mismatches.length > 0)
      throw new Error(
        `${file} does not match the subgraphs this process runs (${describeMismatches(mismatches)}); run \`npm run compose\` to compose it from this checkout`,
      );
    // The last text the gateway refused: not retried (nor logged again) until the file changes.
    let rejected: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Watch the directory, not the file: editors and `npm run compose` replace files by rename, and
    // a Kubernetes ConfigMap swaps a `..data` symlink next to a file that itself never changes. So
    // any change in the directory re-reads the file; an unchanged text is ignored below.
    watcher = watch(dirname(file), () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        let next: string;
        try {
          next = readFileSync(file, 'utf8');
        } catch {
          return; // mid-rename; the next event brings the new file
        }
        if (next === current || next === rejected || next.trim() === '') return;
        let mismatches: string[];
        try {
          mismatches = supergraphMismatches(next, runtimes);
        } catch (err) {
          rejected = next;
          logger.error({ err, file }, 'new supergraph rejected (not parseable); keeping the previous one');
          return;
        }
        if (mismatches.length > 0) {
          // It would route fields to in-process subgraphs that do not have them: every such field
          // would fail. The running schema stays until a supergraph that matches arrives.
          rejected = next;
          logger.error(
            { file, mismatches: mismatches.slice(0, 20), count: mismatches.length },
            `new supergraph rejected: it does not match the subgraphs this process runs (${describeMismatches(mismatches)}); keeping the previous one`,
          );
          return;
        }
        try {
          // In-flight requests finish on the old schema; new ones get the new one.
          update(next);
          current = next;
          logger.info({ file }, 'supergraph reloaded');
        } catch (err) {
          rejected = next;
          logger.error({ err, file }, 'new supergraph rejected; keeping the previous one');
        }
      }, 100);
    });
    return {
      supergraphSdl: current,
      cleanup: async () => {
        clearTimeout(timer);
        watcher?.close();
      },
    };
  };

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: {
      debug: (m) => logger.debug({}, String(m)),
      info: (m) => logger.info({}, String(m)),
      warn: (m) => logger.warn({}, String(m)),
      error: (m) => logger.error({}, String(m)),
    },
    buildService: ({ name }) => {
      const entry = subgraphs.find((s) => s.name === name);
      const runtime = runtimes.get(name);
      if (runtime)
        return new InProcessDataSource(runtime, {
          executor: g.SUBGRAPH_EXECUTOR,
          onCompileError: (err) =>
            logger.warn(
              { subgraph: name, err: err instanceof Error ? err.message : String(err) },
              'graphql-jit could not compile a subgraph operation; it runs with graphql-js',
            ),
          onFetch: (executor) => inProcessFetches.inc({ subgraph: name, executor }),
        });
      if (!entry?.url) {
        // Say what is true: a subgraph added after this process started is in the list file now,
        // but its code is not loaded here.
        let listedNow = false;
        try {
          listedNow = loadSubgraphList(g.SUBGRAPHS_FILE, {}).some((s) => s.name === name);
        } catch {
          listedNow = false;
        }
        throw new Error(
          listedNow
            ? `Subgraph "${name}" was added to ${g.SUBGRAPHS_FILE} after this gateway started, so its code is not loaded: restart the gateway (npm run demo or npm start) to serve it. The previous supergraph keeps serving meanwhile.`
            : `Subgraph "${name}" is in the supergraph but not in ${g.SUBGRAPHS_FILE}: add it there (npm run new-subgraph does) or give its URL in SUBGRAPH_URLS, then restart the gateway. The previous supergraph keeps serving meanwhile.`,
        );
      }
      return new UndiciRemoteDataSource({
        name,
        url: entry.url,
        timeoutMs: g.SUBGRAPH_TIMEOUT_MS,
        dispatcher: remoteAgent,
        now: clock,
      });
    },
  });
  gateway.onSchemaLoadOrUpdate(() => {
    schemaLoads += 1;
    // A kept hit was checked against the previous schema's validation, costs and limits.
    responseCache?.forgetReplays();
  });

  const httpServer: Server = createServer();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT: it drains, closes Redis and exits with 0. Apollo's own handlers
    // would race it (stop, then re-raise the signal), which made shutdown with Redis hang and exit 1.
    stopOnTerminationSignals: false,
    formatError,
    persistedQueries: persisted.apollo,
    validationRules: [depthLimit(g.MAX_QUERY_DEPTH), finiteNumbers],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      upstreamExtensionsPlugin(offline?.sources),
      costPlugin({
        limits: {
          maxCost: g.MAX_QUERY_COST,
          maxCallsPerAgency: g.MAX_UPSTREAM_CALLS,
          maxAliases: g.MAX_ALIASES,
          maxRootFields: g.MAX_ROOT_FIELDS,
        },
        costs: () => fieldCosts,
        // The client's cost bucket is charged once the operation is known to be allowed.
        charge: async (report, context) => {
          if (!context.client) return undefined;
          charged.set(context.trace, report.cost);
          const allowance = await clientLimits.take(context.client, 'cost', report.cost);
          return allowance.ok ? undefined : tooManyRequests('cost', allowance.retryAfterMs);
        },
      }),
      usage.plugin,
      clientErrorsPlugin(),
      ...(deps.plugins ?? []),
      // Last: a hit's data is swapped for its kept JSON text once every other plugin has read it.
      ...(responseCache ? [responseCache.plugin] : []),
    ],
  });
  try {
    await apollo.start();
  } catch (err) {
    await Promise.all([...runtimes.values()].map((r) => r.close()));
    await remoteAgent.close();
    if (!deps.cache) await closeCache(cache);
    if (responseStore) await closeCache(responseStore);
    await persisted.close();
    await clientLimits.close();
    await agencyLimiters.close();
    throw new ConfigError([
      `SUPERGRAPH_FILE=${JSON.stringify(g.SUPERGRAPH_FILE)} could not be served: ${(err as Error).message}. Expected a supergraph composed from ${g.SUBGRAPHS_FILE} ("npm run compose").`,
    ]);
  }
  let stopping = false;

  async function readiness() {
    // Once shutdown has begun, a load balancer must stop sending new requests here.
    if (stopping) return { ready: false, checks: { gateway: 'stopping' } };
    const checks: Record<string, string> = { supergraph: schemaLoads > 0 ? 'loaded' : 'not loaded' };
    await Promise.all(
      subgraphs.map(async (s) => {
        if (!s.url) {
          checks[s.name] = 'in-process';
          return;
        }
        try {
          const res = await undiciRequest(s.url, {
            method: 'POST',
            dispatcher: remoteAgent,
            headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
            body: JSON.stringify({ query: '{ __typename }' }),
            headersTimeout: 2000,
            bodyTimeout: 2000,
          });
          await res.body.dump();
          checks[s.name] = res.statusCode === 200 ? 'reachable' : `HTTP ${res.statusCode}`;
        } catch {
          checks[s.name] = 'unreachable';
        }
      }),
    );
    const ready = Object.values(checks).every(
      (v) => v === 'loaded' || v === 'in-process' || v === 'reachable',
    );
    // Each agency API's circuit breaker: an open one does not make the gateway unready (it still
    // serves the other agencies, and cached answers of this one), but operators see it here.
    const agencies: Record<string, unknown[]> = {};
    for (const runtime of runtimes.values()) {
      for (const { agency, api, ...breaker } of runtime.health?.() ?? []) {
        const list = agencies[agency] ?? [];
        agencies[agency] = list;
        list.push({
          api: redactUrl(api),
          ...breaker,
          ...(breaker.retryAt ? { retryAt: new Date(breaker.retryAt).toISOString() } : {}),
        });
      }
    }
    // Redis, when used: `down` means this process serves from its own cache and limits meanwhile.
    const redis = g.CACHE_URL
      ? {
          cache: cacheState(cache),
          clientLimits: clientLimits.state(),
          persistedQueries: persisted.state(),
          ...(responseStore ? { responseCache: cacheState(responseStore) } : {}),
        }
      : undefined;
    return { ready, checks, agencies, ...(redis ? { redis } : {}) };
  }

  // GET / from a browser → the explorer; /usage and /metrics → usage insights.
  const routes = [
    ...(deps.routes ?? []),
    ...usage.routes,
    createExplorerRoute({
      logger,
      offline: offline
        ? [...offline.sources].map(([name, source]) => ({
            agency: subgraphs.find((s) => s.name === name)?.module?.agency ?? name,
            synthetic: source.synthetic,
          }))
        : undefined,
    }),
  ];
  // Brotli or gzip for clients that accept it (the `compression` middleware: negotiation, Vary, the
  // size threshold, compressible types only, streaming through zlib off the main thread). A request
  // without Accept-Encoding skips it: nothing could be compressed for it.
  const compress =
    g.RESPONSE_COMPRESSION === 'on'
      ? compression({ threshold: g.RESPONSE_COMPRESSION_MIN_BYTES })
      : undefined;
  httpServer.on('request', (req, res) => {
    // One id per request, echoed to the client, in every log line written while serving it
    // (AsyncLocalStorage carries it into subgraphs and upstream calls) and in extensions.requestId.
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    const go = () => withLogContext({ requestId }, () => serve(req, res, requestId));
    if (compress && req.headers['accept-encoding']) compress(req as never, res as never, go);
    else go();
  });

  function serve(req: IncomingMessage, res: ServerResponse, requestId: string) {
    handle(req, res, requestId).catch((err: unknown) => {
      // A client that disconnects mid-upload is not our failure: no error-level noise for it.
      if (req.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        logger.debug({}, 'client went away before its request was read');
        return;
      }
      logger.error({ err }, 'request handling failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          extensions: { requestId },
        });
      else res.end();
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('access-control-allow-origin', g.CORS_ORIGIN);
    res.setHeader('access-control-expose-headers', 'x-request-id');
    // Accept-Encoding too when responses may be compressed, also for a request that did not ask:
    // a shared cache must not give another client the form made for this one.
    res.setHeader('vary', compress ? 'origin, accept-encoding' : 'origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/ready') {
      const r = await readiness();
      return sendJson(res, r.ready ? 200 : 503, {
        status: r.ready ? 'ready' : 'not ready',
        checks: r.checks,
        ...('agencies' in r ? { agencies: r.agencies } : {}),
        ...('redis' in r ? { redis: r.redis } : {}),
      });
    }
    if (url.pathname === '/export' || url.pathname.startsWith('/export/')) {
      const client = await admit(req, res, requestId);
      if (client) await serveExport(req, res, url, requestId, client);
      return;
    }
    for (const route of routes) if (await route(req, res, url)) return;
    if (url.pathname !== '/graphql' && url.pathname !== '/') {
      return sendJson(res, 404, { error: `No route ${url.pathname}: GraphQL is served at /graphql` });
    }
    const client = await admit(req, res, requestId);
    if (!client) return;
    if (deps.telemetry)
      await deps.telemetry.traceRequest(req, res, requestId, () =>
        serveGraphQL(req, res, url, requestId, client),
      );
    else await serveGraphQL(req, res, url, requestId, client);
  }

  /**
   * One token of the client's request bucket, before the body is even read: the client id, or
   * undefined when the client is over its rate (answered 429 with Retry-After here).
   */
  async function admit(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const client = clientIdOf(req, clientIds);
    const allowance = await clientLimits.take(client, 'requests', 1);
    if (allowance.ok) return client;
    const refusal = tooManyRequests('requests', allowance.retryAfterMs);
    res.setHeader('retry-after', String(refusal.extensions['retryAfter']));
    sendJson(res, 429, { errors: [refusal.toJSON()], extensions: { requestId } });
    return undefined;
  }

  /** The per-request context of one GraphQL execution (/graphql and /export alike). */
  function requestContext(req: IncomingMessage, requestId: string, client: string): GatewayContext {
    return {
      // On the gateway's clock, which the upstreams compare it with.
      trace: { ...createTrace(), deadline: clock() + g.REQUEST_DEADLINE_MS, client },
      wantsStats: req.headers['x-upstream-stats'] === '1',
      requestId,
      client,
      executionId: randomUUID(),
    };
  }

  /**
   * GET /export?query=…&variables=…&format=csv|geojson|json[&path=…][&geometry=centroid], or
   * GET /export/<example>.<csv|geojson|json>: the operation runs like a POST to /graphql (same
   * limits), and its answer is shaped by export.ts.
   */
  async function serveExport(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    client: string,
  ) {
    const refuse = (status: number, message: string) =>
      sendJson(res, status, {
        errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }],
        extensions: { requestId },
      });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(405, 'Export answers GET requests: GET /export?query=…&format=csv|geojson|json');
    const params = url.searchParams;
    let query = params.get('query') ?? undefined;
    let operationName = params.get('operationName') ?? undefined;
    let variables: Record<string, unknown> = {};
    let format = params.get('format') ?? 'csv';
    let filename = 'export';
    const byName = /^\/export\/([a-z0-9-]+)\.([a-z]+)$/.exec(url.pathname);
    if (byName) {
      const example = loadExamples().find((e) => e.name === byName[1]);
      if (!example)
        return refuse(
          404,
          `No example named "${shorten(byName[1]!)}": GET /explorer/examples.json lists them.`,
        );
      query = example.query;
      operationName = example.operationName;
      variables = { ...example.variables };
      format = byName[2]!;
      filename = example.name;
    } else if (url.pathname !== '/export') {
      return refuse(404, 'Export is at /export?query=… or /export/<example>.<csv|geojson|json>.');
    }
    if (!EXPORT_FORMATS.includes(format as ExportFormat))
      return refuse(
        400,
        `format=${JSON.stringify(shorten(format))} is not allowed; use one of csv, geojson, json.`,
      );
    if (!query)
      return refuse(400, 'Give the operation in `query` (or export an example: /export/<example>.csv).');
    const rawVariables = params.get('variables');
    if (rawVariables) {
      try {
        const parsed = JSON.parse(rawVariables) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        variables = { ...variables, ...(parsed as Record<string, unknown>) };
      } catch {
        return refuse(400, '`variables` must be a JSON object, e.g. variables={"code":"0180"}.');
      }
    }
    const headers = new HeaderMap([['content-type', 'application/json']]);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers,
        search: '',
        body: { query, variables, ...(operationName ? { operationName } : {}) },
      },
      context: async () => requestContext(req, requestId, client),
    });
    if (result.body.kind !== 'complete')
      return refuse(400, 'Export needs a query without @defer or @stream.');
    const answer = JSON.parse(result.body.string) as {
      data?: Record<string, never> | null;
      errors?: unknown[];
    };
    if (!answer.data) {
      for (const [key, value] of result.headers) if (key === 'retry-after') res.setHeader(key, value);
      return sendJson(res, result.status ?? 400, { ...answer, extensions: { requestId } });
    }
    let picked: ReturnType<typeof rowsOf>;
    try {
      picked = rowsOf(answer.data, params.get('path') ?? undefined);
    } catch (err) {
      return refuse(400, (err as Error).message);
    }
    // Partial answers are exported with what came back; the header says how many errors there were.
    const errors = answer.errors?.length ?? 0;
    const common = {
      'x-export-path': picked.path,
      'x-export-rows': String(picked.rows.length),
      'x-graphql-errors': String(errors),
      'content-disposition': `attachment; filename="${filename}.${format}"`,
    };
    if (format === 'csv') {
      res.writeHead(200, { ...common, 'content-type': 'text/csv; charset=utf-8' });
      res.end(toCsv(picked.rows));
    } else if (format === 'geojson') {
      const collection = toGeoJson(picked.rows, params.get('geometry') === 'centroid');
      res.writeHead(200, { ...common, 'content-type': 'application/geo+json; charset=utf-8' });
      res.end(JSON.stringify(collection));
    } else {
      res.writeHead(200, { ...common, 'content-type': 'application/json; charset=utf-8' });
      // `flat=true`: the rows as the CSV has them (dotted columns), for tables such as the explorer's.
      const flat = params.get('flat') === 'true';
      const rows = flat ? picked.rows.map((r) => flatten(r)) : picked.rows;
      const columns = flat ? columnsOf(rows) : undefined;
      res.end(
        JSON.stringify({
          ...(columns ? { columns } : {}),
          rows,
          ...(errors ? { errors: answer.errors } : {}),
        }),
      );
    }
  }

  async function serveGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    client: string,
  ) {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const started = performance.now();
    let body: unknown;
    let raw: string | undefined;
    if (req.method === 'POST') {
      raw = await readBody(req, 1_000_000);
      if (raw === undefined)
        return sendJson(res, 413, {
          errors: [{ message: 'Request body larger than 1 MB', extensions: { code: 'BAD_USER_INPUT' } }],
          extensions: { requestId },
        });
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch {
        return sendJson(res, 400, {
          errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
          extensions: { requestId },
        });
      }
      // Apollo Server's own refusal ("Operation batching disabled.") does not say what to send instead.
      // Off on purpose: one HTTP request is one operation for the per-client request limit.
      if (Array.isArray(body))
        return sendJson(res, 400, {
          errors: [
            {
              message:
                'A batch of operations (a JSON array) is not accepted: send each operation in a request of its own, as a JSON object {"query": …, "variables": …, "operationName": …} (with Apollo Client: HttpLink, not BatchHttpLink).',
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
          extensions: { requestId },
        });
    }
    // Allow-list mode: a document not in the manifest is refused here, before parsing or any agency call.
    const refused = persisted.refusal({ method: req.method ?? 'GET', body, search: url.search });
    if (refused) return sendJson(res, refused.status, { ...refused.body, extensions: { requestId } });
    const replayKey = responseCache ? replayKeyOf(req, raw, body) : undefined;
    if (replayKey !== undefined && (await sendReplay(req, res, replayKey, requestId, client, started)))
      return;
    const context = requestContext(req, requestId, client);
    // A whole-response cache hit's data is sent as the JSON text it was kept as.
    responseCache?.embedsJson(context);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => context,
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    const outcome = result.headers.get(RESPONSE_CACHE_HEADER);
    if (outcome) responseCacheRequests.inc({ outcome });
    if (result.body.kind === 'complete') {
      // Refusals Apollo Server makes before any plugin runs (a GET without a query, a missing
      // preflight header) carry the request id too.
      const sent =
        result.status !== undefined && result.status >= 400
          ? withRequestId(result.body.string, requestId)
          : responseCache
            ? responseCache.serialized(context, result.body.string)
            : result.body.string;
      // Said here, as for a replay: the compression middleware sends its headers before the body
      // and would make it chunked (it drops the length again when it compresses).
      res.setHeader('content-length', Buffer.byteLength(sent));
      res.end(sent);
      const count = outcome === 'hit' ? usage.repeater(context.trace) : undefined;
      const cost = charged.get(context.trace);
      if (replayKey !== undefined && count && cost !== undefined)
        responseCache?.remember(
          replayKey,
          context,
          { status: res.statusCode, headers: result.headers, body: sent, requestId },
          { cost, count },
        );
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /**
   * Sends the response-cache hit kept for an identical request again, when there is one and the
   * client may spend its cost: what Apollo Server's pipeline would send, without running it. The
   * request limit was taken already (`admit`); the cost is charged and the usage counted as for the
   * hit. False when the request must go through the pipeline (no kept hit; over the cost rate: the
   * pipeline refuses it with its 429).
   */
  async function sendReplay(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    requestId: string,
    client: string,
    started: number,
  ): Promise<boolean> {
    const replay = responseCache?.replay(key);
    if (!replay) return false;
    if (replay.cost > 0 && !(await clientLimits.take(client, 'cost', replay.cost)).ok) return false;
    res.statusCode = 200;
    for (const [name, value] of replay.headers) res.setHeader(name, value);
    res.setHeader('age', String(replay.age()));
    // gzip compressed once for all its replays, when the client accepts gzip, even if it prefers
    // Brotli: compressing each replay again cost more than the replay (14 000 req/s sent plain,
    // 2 000 compressed, for the 290 populations). Until that gzip is ready, and for a client that
    // accepts Brotli only, the middleware compresses as for any response.
    const gzipped =
      compress && replay.size >= g.RESPONSE_COMPRESSION_MIN_BYTES && acceptsGzip(req)
        ? replay.gzip(requestId)
        : undefined;
    if (gzipped) res.setHeader('content-encoding', 'gzip');
    const sent = gzipped ?? replay.body(requestId);
    res.setHeader('content-length', sent.length);
    res.end(sent);
    responseCacheRequests.inc({ outcome: 'replayed' });
    replay.count((performance.now() - started) / 1000);
    return true;
  }

  return {
    apollo,
    subgraphs,
    runtimes,
    get schemaLoads() {
      return schemaLoads;
    },
    usage,
    readiness,
    listen(port = g.PORT, host = g.HOST) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', (err: NodeJS.ErrnoException) => {
          const problem =
            err.code === 'EADDRINUSE'
              ? 'the port is in use by another process: choose another PORT'
              : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
                ? 'HOST is not an address of this machine'
                : err.message;
          reject(new ConfigError([`PORT=${port} HOST=${JSON.stringify(host)}: cannot listen: ${problem}.`]));
        });
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          // Offline simulators' deferred preparation, once the gateway answers /ready.
          if (offline) setTimeout(() => offline.warm(), 50).unref();
          resolve(`http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`);
        });
      });
    },
    async stop() {
      stopping = true;
      // Drains open HTTP requests (the drain plugin), then stops the gateway and subgraphs.
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await Promise.all([...runtimes.values()].map((r) => r.close()));
      await remoteAgent.close();
      await offline?.dispatcher.close();
      if (!deps.cache) await closeCache(cache);
      if (responseStore) await closeCache(responseStore);
      await persisted.close();
      await clientLimits.close();
      await agencyLimiters.close();
    },
  };
}

/**
 * Adds `extensions.stale` when some agency answered from a stale cache, upstream stats on request,
 * and in offline mode `extensions.offline`: which agencies answered from their simulators and
 * whether those values are synthetic.
 */
function upstreamExtensionsPlugin(
  offlineSources: ReadonlyMap<string, OfflineSource> | undefined,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { trace, wantsStats, requestId } = contextValue;
          const extra: Record<string, unknown> = {};
          if (requestId) extra['requestId'] = requestId;
          if (trace.stale.size > 0) extra['stale'] = [...trace.stale].sort();
          if (offlineSources) {
            const agencies: Record<string, OfflineSource> = {};
            for (const agency of [...trace.offline].sort()) {
              agencies[agency] = offlineSources.get(agency) ?? {
                synthetic: true,
                note: 'no simulator for this agency: its calls fail offline',
              };
            }
            extra['offline'] = { mode: 'offline', agencies };
          }
          if (wantsStats)
            extra['upstream'] = {
              calls: trace.upstreamCalls,
              cacheHits: trace.cacheHits,
              stale: [...trace.stale].sort(),
            };
          if (Object.keys(extra).length > 0) {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, ...extra };
          }
        },
      };
    },
  };
}

/** Whether the request's Accept-Encoding accepts gzip (with a q above 0, or through `*`). */
function acceptsGzip(req: IncomingMessage): boolean {
  return req.headers['accept-encoding'] !== undefined && new Negotiator(req).encoding(['gzip']) === 'gzip';
}

/** A POST body's keys that a replayed hit may have: the GraphQL request itself, nothing else. */
const REPLAYABLE_KEYS = new Set(['query', 'operationName', 'variables']);
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The identity of a request whose response-cache hit may be replayed (`ResponseCache.replay`): a
 * POST of JSON (not a simple content type, so Apollo Server's CSRF check passes whatever the other
 * headers) whose body is only the GraphQL request, without `x-upstream-stats`. The key is the body
 * text as received plus the headers Apollo Server shapes an answer by (content-type, accept); any
 * other request (GET, persisted-query extensions, batches) goes through the pipeline.
 */
function replayKeyOf(req: IncomingMessage, raw: string | undefined, body: unknown): string | undefined {
  if (req.method !== 'POST' || raw === undefined || req.headers['x-upstream-stats'] === '1') return undefined;
  const contentType = req.headers['content-type'];
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  if (typeof (body as { query?: unknown }).query !== 'string') return undefined;
  for (const key in body) if (!REPLAYABLE_KEYS.has(key)) return undefined;
  return `${contentType}\n${req.headers.accept ?? ''}\n${raw}`;
}

/** A GraphQL error body with `extensions.requestId` added, when it has none (other bodies unchanged). */
function withRequestId(body: string, requestId: string): string {
  if (body.includes('"requestId"')) return body;
  try {
    const parsed = JSON.parse(body) as { errors?: unknown; extensions?: Record<string, unknown> };
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.errors)) return body;
    return JSON.stringify({ ...parsed, extensions: { ...parsed.extensions, requestId } });
  } catch {
    return body;
  }
}

/**
 * HTTP 429 for a client over its request or cost rate, with `retryAfter` (whole seconds, also sent
 * as the `Retry-After` header) and the variable that sets the limit.
 */
function tooManyRequests(kind: 'requests' | 'cost', retryAfterMs: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const variable = kind === 'requests' ? 'CLIENT_REQUESTS_PER_MINUTE' : 'CLIENT_COST_PER_MINUTE';
  return new GraphQLError(
    kind === 'requests'
      ? `Too many requests from this client: try again in ${retryAfter} s. Each client (its x-api-key, else its IP) may send a limited number of requests per minute (${variable}).`
      : `This client has spent its query cost for now: try again in ${retryAfter} s, or ask for less (see extensions.cost of earlier answers). Each client may spend a limited estimated cost per minute (${variable}).`,
    {
      extensions: {
        code: 'TOO_MANY_REQUESTS',
        retryAfter,
        limit: variable,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
      },
    },
  );
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export type { Agent };

/** The first few mismatches, and how many more, for a log line or start-up error. */
function describeMismatches(mismatches: readonly string[]): string {
  const shown = mismatches.slice(0, 3).join('; ');
  return mismatches.length > 3 ? `${shown}; and ${mismatches.length - 3} more` : shown;
}
