import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { type CachePolicy, cachePolicyOf } from './cache-policy.ts';
import { readBody } from './http.ts';
import { requestIdFrom, withLogContext } from './logger.ts';
import type { SharedRequestContext, SubgraphRuntime } from './subgraph.ts';
import { createTrace, EXECUTION_HEADERS, type RequestTrace } from './upstream.ts';

/** Largest request body the stand-alone subgraph reads (a query plan's fetch is far smaller). */
const MAX_BODY_BYTES = 1_000_000;
const INTERNAL_ERROR_BODY =
  '{"errors":[{"message":"Internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}';

export interface SubgraphServer {
  url: string;
  stop(): Promise<void>;
}

/** Options of `serveSubgraph`. */
export interface ServeOptions {
  /**
   * Runs around the handling of each GraphQL request, e.g. an OpenTelemetry server span that
   * continues the gateway's `traceparent` (`Telemetry.traceRequest`); default none.
   */
  aroundRequest?: (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    handle: () => Promise<void>,
  ) => Promise<void>;
  /** The clock the subgraph's upstreams run on (default `Date.now`), for `extensions.upstream.freshForMs`. */
  now?: () => number;
}

/**
 * Serves one subgraph runtime over HTTP at `/graphql` (and `/health`). Every response carries
 * `extensions.upstream` (upstream calls, cache hits, stale agencies) for the gateway to merge.
 * The gateway's request id (`x-request-id`) is adopted, echoed, and added to every log line
 * written while serving the request.
 */
export async function serveSubgraph(
  runtime: SubgraphRuntime,
  port: number,
  host = '127.0.0.1',
  options: ServeOptions = {},
): Promise<SubgraphServer> {
  const httpServer: Server = createServer();
  // What the fetches of one gateway request share: its call budget per agency and admitted things
  // (SMHI's forecast points). Kept a little longer than any request may run.
  const executions = new LRUCache<string, Pick<RequestTrace, 'callsByAgency' | 'admitted' | 'items'>>({
    max: 10_000,
    ttl: 10 * 60_000,
  });
  // Apollo Server keeps parsed documents by query text, so one operation is one DocumentNode.
  const policies = new WeakMap<DocumentNode, CachePolicy>();
  const policyOf = (document: DocumentNode) => {
    let policy = policies.get(document);
    if (!policy) {
      policy = cachePolicyOf(runtime.schema, document);
      policies.set(document, policy);
    }
    return policy;
  };
  const apollo = new ApolloServer<SharedRequestContext & Record<string, unknown>>({
    schema: runtime.schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      // Federated traces are for Apollo's hosted reporting, which we never use.
      ApolloServerPluginInlineTraceDisabled(),
      // Cache-Control comes from the same static reading of the hints as for in-process subgraphs
      // (kit/cache-policy.ts), so both topologies cache alike. Apollo's own header gave every
      // `_entities` fetch of a subgraph whose entity types carry no maxAge of their own `no-store`.
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue, document }) {
              if (response.body.kind !== 'single') return;
              const policy =
                document && !response.body.singleResult.errors?.length ? policyOf(document) : undefined;
              response.http.headers.set(
                'cache-control',
                policy && policy.maxAge > 0
                  ? `max-age=${policy.maxAge}, ${policy.scope === 'PRIVATE' ? 'private' : 'public'}`
                  : 'no-store',
              );
              const { trace } = contextValue;
              response.body.singleResult.extensions = {
                ...response.body.singleResult.extensions,
                upstream: {
                  calls: trace.upstreamCalls,
                  cacheHits: trace.cacheHits,
                  stale: [...trace.stale],
                  offline: [...trace.offline],
                  // How much longer the agency answers used stay fresh (a duration: the clocks differ).
                  ...(trace.freshUntil !== undefined
                    ? { freshForMs: Math.max(0, trace.freshUntil - (options.now ?? Date.now)()) }
                    : {}),
                },
              };
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  httpServer.on('request', (req, res) => {
    // The caller's request id (the gateway forwards its own), so that log lines on both sides match.
    const requestId = requestIdFrom(req.headers);
    res.setHeader('x-request-id', requestId);
    // A client that goes away mid-request (an aborted upload, a reset) must never take the
    // process down: a rejection here would be unhandled, and Node exits on those.
    withLogContext({ requestId }, () =>
      handle(req, res, requestId).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' }).end(INTERNAL_ERROR_BODY);
        } else res.destroy();
      }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url.pathname !== '/graphql') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"GraphQL is served at /graphql"}');
      return;
    }
    if (options.aroundRequest)
      await options.aroundRequest(req, res, requestId, () => serveGraphQL(req, res, url));
    else await serveGraphQL(req, res, url);
  }

  /**
   * This fetch's trace. Its counters are its own (they are reported back in `extensions.upstream`),
   * but a gateway request's budgets, deadline and client come from the gateway's headers.
   */
  function traceFor(req: IncomingMessage): RequestTrace {
    const trace = createTrace();
    const header = (name: string) => {
      const v = req.headers[name];
      return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
    };
    const id = header(EXECUTION_HEADERS.id);
    if (id && id.length <= 64) {
      let shared = executions.get(id);
      if (!shared) {
        shared = { callsByAgency: new Map(), admitted: new Map(), items: { count: 0 } };
        executions.set(id, shared);
      }
      trace.callsByAgency = shared.callsByAgency!;
      trace.admitted = shared.admitted!;
      trace.items = shared.items!;
    }
    const client = header(EXECUTION_HEADERS.client);
    if (client && client.length <= 128) trace.client = client;
    const left = Number(header(EXECUTION_HEADERS.deadlineMs));
    if (Number.isFinite(left) && left > 0) trace.deadline = Date.now() + left;
    return trace;
  }

  async function serveGraphQL(req: IncomingMessage, res: ServerResponse, url: URL) {
    // A socket error mid-upload is treated like a client that went away: nothing to answer.
    const raw = await readBody(req, MAX_BODY_BYTES).catch(() => undefined);
    if (raw === undefined) {
      if (!res.destroyed)
        res
          .writeHead(413, { 'content-type': 'application/json', connection: 'close' })
          .end(
            `{"errors":[{"message":"Request body larger than ${MAX_BODY_BYTES} bytes","extensions":{"code":"BAD_USER_INPUT"}}]}`,
          );
      return;
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"errors":[{"message":"invalid JSON body","extensions":{"code":"BAD_USER_INPUT"}}]}');
      return;
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        const shared: SharedRequestContext = { trace: traceFor(req) };
        // The subgraph's own context plus the shared trace, so the plugin above can read it.
        return Object.assign(Object.create(null), runtime.contextFor(shared) as object, shared);
      },
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') res.end(result.body.string);
    else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Port taken, host not available: say which, and leave nothing running.
    await apollo.stop();
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `Cannot serve the subgraph on ${host}:${port}: the port is in use (pick another port)`
        : `Cannot serve the subgraph on ${host}:${port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const address = httpServer.address() as AddressInfo;
  // 0.0.0.0 listens everywhere but is not an address to call; print one that is.
  const callable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  return {
    url: `http://${callable}:${address.port}/graphql`,
    async stop() {
      await apollo.stop();
      await runtime.close();
    },
  };
}
