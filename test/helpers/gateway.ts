import Keyv from 'keyv';
import { MockAgent } from 'undici';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import type { UpstreamEvent } from '../../kit/upstream.ts';

export interface TestGateway {
  app: GatewayApp;
  url: string;
  /** Every upstream outcome observed (hits, misses, errors, stale). */
  events: UpstreamEvent[];
  /** POSTs a query to /graphql and returns the parsed body. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLBody<T>>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** A MockAgent that refuses the network: unmatched requests fail instead of reaching an agency. */
export function offlineAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/**
 * Starts the real gateway on a free port with a fresh in-memory cache and a silent logger.
 * `env` is what the process environment would hold; by default snapshot mode (no network).
 */
export async function startTestGateway(
  options: {
    env?: Record<string, string>;
    dispatcher?: GatewayDeps['dispatcher'];
    plugins?: GatewayDeps['plugins'];
    routes?: GatewayDeps['routes'];
    /** The gateway's clock (offline simulators anchor forecasts and dates at it). */
    now?: () => number;
  } = {},
): Promise<TestGateway> {
  // A test is one client sending many requests: per-client limits are off unless a test sets them
  // (test/gateway/client-limits.test.ts does).
  const config = loadConfig({
    UPSTREAM_MODE: 'snapshot',
    LOG_LEVEL: 'silent',
    CLIENT_REQUESTS_PER_MINUTE: '0',
    CLIENT_COST_PER_MINUTE: '0',
    ...options.env,
  });
  const events: UpstreamEvent[] = [];
  const app = await createGatewayApp({
    config,
    logger: silentLogger,
    cache: new Keyv(),
    onUpstreamEvent: (e) => events.push(e),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    events,
    async query(query, variables, headers) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    stop: () => app.stop(),
  };
}
