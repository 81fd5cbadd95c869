import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { type Interceptable, MockAgent } from 'undici';
import { silentLogger } from '../../kit/logger.ts';
import { createUpstream, type Upstream, type UpstreamOptions } from '../../kit/upstream.ts';

export const ORIGIN = 'https://api.sgu.se';
export const BASE = `${ORIGIN}/oppnadata`;

/** A synthetic SGU fixture (see test/fixtures/sgu/README.md). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`test/fixtures/sgu/${name}`, 'utf8')) as T;
}

export interface SguHarness {
  agent: MockAgent;
  pool: Interceptable;
  upstream: Upstream;
  cache: Keyv;
  /** Every path+query sent, verbatim and in order (recorded before the mock matches it). */
  seen: string[];
  /** Registers one reply for this path+query (undici's mock compares query parameters as a set). */
  reply(pathAndQuery: string, status: number, body?: unknown): void;
}

/** An SGU upstream over a network-less MockAgent, no real sleeps, a fresh cache. */
export function sguHarness(overrides: Partial<UpstreamOptions> = {}): SguHarness {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const seen: string[] = [];
  const recording = agent.compose((dispatch) => (opts, handler) => {
    seen.push(String(opts.path));
    return dispatch(opts, handler);
  });
  const cache = new Keyv();
  const upstream = createUpstream({
    agency: 'sgu',
    baseUrl: BASE,
    cache,
    logger: silentLogger,
    dispatcher: recording,
    sleep: async () => {},
    random: () => 0,
    ...overrides,
  });
  return {
    agent,
    pool,
    upstream,
    cache,
    seen,
    reply(pathAndQuery, status, body) {
      pool
        .intercept({ method: 'GET', path: pathAndQuery })
        .reply(status, body === undefined ? '' : JSON.stringify(body), {
          headers: { 'content-type': 'application/geo+json' },
        });
    },
  };
}

/** Path and query of an absolute URL. */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** A GeoServer-like FeatureCollection envelope around features. */
export function collection(
  features: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    features,
    totalFeatures: features.length,
    numberMatched: features.length,
    numberReturned: features.length,
    timeStamp: '2026-11-26T08:00:00.000Z',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } },
    links: [],
    ...extra,
  };
}

export function pointFeature(id: string, lon: number, lat: number, properties: Record<string, unknown> = {}) {
  return {
    type: 'Feature',
    id,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    geometry_name: 'geom',
    properties,
  };
}
