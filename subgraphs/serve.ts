/**
 * npm run subgraph -- <name> [port]: runs one subgraph alone as an HTTP service, e.g.
 *   npm run subgraph -- smhi 4001
 * then point the gateway at it: SUBGRAPH_URLS=smhi=http://localhost:4001/graphql npm start
 * Reads the same environment variables as the gateway (UPSTREAM_MODE, CACHE_URL, agency URLs, …).
 */
import { loadConfig } from '../gateway/src/config.ts';
import { setupTelemetry } from '../gateway/src/telemetry.ts';
import { createCache } from '../kit/cache.ts';
import { ConfigError } from '../kit/config.ts';
import { createLogger } from '../kit/logger.ts';
import { createAgencyRateLimiters } from '../kit/ratelimit-redis.ts';
import { serveSubgraph } from '../kit/serve.ts';
import { createOfflineMode } from '../kit/simulator.ts';
import { createFileSnapshotStore } from '../kit/snapshot.ts';
import { subgraphModules } from './index.ts';

const [name, portArg] = process.argv.slice(2);
const module = subgraphModules.find((m) => m.name === name);
if (!module) {
  console.error(
    `Usage: npm run subgraph -- <name> [port]; name is one of: ${subgraphModules.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const port = portArg === undefined ? 4001 : Number(portArg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Port "${portArg}" is not allowed: use an integer from 0 to 65535.`);
  process.exit(2);
}
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
const g = config.gateway;
const logger = createLogger(g.LOG_LEVEL);
// Tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set: the subgraph's spans join the gateway's trace
// (it forwards `traceparent`), under a service name of their own.
const telemetry = setupTelemetry({
  endpoint: g.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: `${g.OTEL_SERVICE_NAME}-${module.name}`,
  logger,
});
const offline =
  g.UPSTREAM_MODE === 'offline'
    ? createOfflineMode([module], { config: config.subgraphs, now: Date.now, faults: g.OFFLINE_FAULTS })
    : undefined;
const runtime = module.create({
  config: config.subgraphs as never,
  cache: createCache({ url: g.CACHE_URL, maxEntries: g.CACHE_MAX_ENTRIES, prefix: g.CACHE_PREFIX, logger }),
  logger,
  mode: g.UPSTREAM_MODE,
  snapshot:
    g.UPSTREAM_MODE === 'snapshot' || g.UPSTREAM_MODE === 'record'
      ? createFileSnapshotStore(g.SNAPSHOT_DIR)
      : undefined,
  ...(offline ? { dispatcher: offline.dispatcher } : {}),
  now: Date.now,
  // As in the gateway's process: none offline, shared by all replicas through Redis with CACHE_URL.
  rateLimiters: createAgencyRateLimiters(g.RATE_LIMITS, {
    mode: g.UPSTREAM_MODE,
    redis: g.CACHE_URL ? { url: g.CACHE_URL, prefix: g.CACHE_PREFIX } : undefined,
    logger,
  }).limiters,
  maxBodyBytes: g.UPSTREAM_MAX_BYTES,
  // The same per-request budget, timeouts and breakers as in the gateway's own process.
  maxCallsPerRequest: g.MAX_UPSTREAM_CALLS,
  maxResponseItems: g.MAX_RESPONSE_ITEMS,
  userAgent: g.UPSTREAM_USER_AGENT,
  redis: g.CACHE_URL ? { url: g.CACHE_URL, prefix: g.CACHE_PREFIX } : undefined,
  timeouts: g.UPSTREAM_TIMEOUTS,
  breaker: { threshold: g.BREAKER_THRESHOLD, openMs: g.BREAKER_OPEN_MS },
  ...(telemetry ? { onUpstreamEvent: telemetry.onUpstreamEvent } : {}),
});
let server: Awaited<ReturnType<typeof serveSubgraph>>;
try {
  server = await serveSubgraph(
    runtime,
    port,
    g.HOST,
    telemetry
      ? {
          aroundRequest: (req, res, requestId, handle) => telemetry.traceRequest(req, res, requestId, handle),
        }
      : {},
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await runtime.close();
  process.exit(1);
}
logger.info({ url: server.url, subgraph: module.name }, `subgraph ${module.name} ready at ${server.url}`);
// The simulator's deferred preparation (a synthetic corpus), now that the service answers.
offline?.warm();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server
      .stop()
      .then(() => telemetry?.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
