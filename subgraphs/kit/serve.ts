import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { SharedRequestContext, SubgraphRuntime } from './subgraph.ts';
import { createTrace } from './upstream.ts';

export interface SubgraphServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves one subgraph runtime over HTTP at `/graphql` (and `/health`). Every response carries
 * `extensions.upstream` (upstream calls, cache hits, stale agencies) for the gateway to merge.
 */
export async function serveSubgraph(
  runtime: SubgraphRuntime,
  port: number,
  host = '127.0.0.1',
): Promise<SubgraphServer> {
  const httpServer: Server = createServer();
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
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response, contextValue }) {
              if (response.body.kind !== 'single') return;
              const { trace } = contextValue;
              response.body.singleResult.extensions = {
                ...response.body.singleResult.extensions,
                upstream: { calls: trace.upstreamCalls, cacheHits: trace.cacheHits, stale: [...trace.stale] },
              };
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  httpServer.on('request', async (req, res) => {
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
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
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
        const shared: SharedRequestContext = { trace: createTrace() };
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
  });
  await new Promise<void>((resolve) => httpServer.listen(port, host, resolve));
  const address = httpServer.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/graphql`,
    async stop() {
      await apollo.stop();
      await runtime.close();
    },
  };
}
