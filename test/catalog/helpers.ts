import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import type { Dispatcher } from 'undici';
import { readEnv } from '../../kit/config.ts';
import { type Logger, silentLogger } from '../../kit/logger.ts';
import { OfflineDispatcher, type OfflineFaults, type SimRequest } from '../../kit/simulator.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { createUpstream, type UpstreamOptions } from '../../kit/upstream.ts';
import { createCatalogClient } from '../../subgraphs/catalog/client.ts';
import { catalog } from '../../subgraphs/catalog/index.ts';
import { createCatalogSimulator } from '../../subgraphs/catalog/simulator/index.ts';

/** The registry root the subgraph calls by default. */
export const BASE = 'https://admin.dataportal.se';
/** The simulator's clock in these tests (the recordings' harvest day). */
export const NOW = Date.parse('2026-09-22T10:00:00Z');

/** A recorded registry answer (see subgraphs/catalog/simulator/data/recorded/PROVENANCE.md). */
export function recorded<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`subgraphs/catalog/simulator/data/recorded/${name}`, 'utf8')) as T;
}

export function simulator(base = BASE) {
  return createCatalogSimulator({ config: { DATAPORTAL_API_URL: base }, now: () => NOW });
}

/** Sends one GET (path + query, as a URL below `base`) straight to a simulator's handler. */
export async function simGet(
  sim: ReturnType<typeof simulator>,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  base = BASE,
) {
  const url = new URL(base + pathAndQuery);
  const req: SimRequest = {
    method: 'GET',
    url,
    path: url.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length) || '/',
    query: url.searchParams,
    headers,
    body: undefined,
    json: () => undefined,
    now: NOW,
  };
  return sim.mounts[0]!.handle(req);
}

/** The real client over the simulator (OfflineDispatcher), recording every path+query it sends. */
export function offlineClient(options: { faults?: OfflineFaults; upstream?: Partial<UpstreamOptions> } = {}) {
  const dispatcher = new OfflineDispatcher({
    simulators: [simulator()],
    faults: options.faults,
    now: () => NOW,
  });
  const seen: string[] = [];
  const recording = dispatcher.compose((dispatch) => (opts, handler) => {
    seen.push(String(opts.path));
    return dispatch(opts, handler);
  });
  const cache = new Keyv();
  const upstream = createUpstream({
    agency: 'catalog',
    baseUrl: BASE,
    cache,
    logger: silentLogger,
    mode: 'offline',
    dispatcher: recording,
    sleep: async () => {},
    random: () => 0,
    ...options.upstream,
  });
  return { client: createCatalogClient(upstream), upstream, seen, dispatcher, cache };
}

/** A catalog runtime as the gateway builds it, with the given dispatcher, logger and cache. */
export function catalogRuntime(options: {
  dispatcher: Dispatcher;
  logger?: Logger;
  cache?: Keyv;
  mode?: 'offline' | 'live';
}): SubgraphRuntime {
  return catalog.create({
    config: readEnv(catalog.env, {}),
    cache: options.cache ?? new Keyv(),
    logger: options.logger ?? silentLogger,
    mode: options.mode ?? 'offline',
    now: () => NOW,
    dispatcher: options.dispatcher,
  });
}
