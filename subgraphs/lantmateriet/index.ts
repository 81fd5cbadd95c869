import { readFileSync } from 'node:fs';
import { GraphQLScalarType, parse } from 'graphql';
import { str, url } from '../../kit/config.ts';
import type { Logger } from '../../kit/logger.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { ADDRESS, ADMIN, createAuth, DEFAULT_TOKEN_URL, MARKHOJD, ORTNAMN } from './auth.ts';
import { ADDRESS_TTL_MS, createLantmaterietClient, GEODATA_TTL_MS, PLACE_NAME_TTL_MS } from './client.ts';
import type { LantmaterietContext } from './context.ts';
import { cost } from './cost.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import {
  createLantmaterietSimulator,
  OFFLINE_CONSUMER_KEY,
  OFFLINE_CONSUMER_SECRET,
} from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

const GeoJSON = new GraphQLScalarType({
  name: 'GeoJSON',
  description: 'A GeoJSON geometry object (RFC 7946), WGS84 with [longitude, latitude] positions.',
  serialize: (value) => value,
});

/**
 * A logger that drops the query string of every URL in a log line's fields: the kit logs upstream
 * URLs on failures (`url`) and cache keys (`key`, "GET https://…?adress=…") when the cache fails.
 */
export function withoutQueryStrings(logger: Logger): Logger {
  const strip = (fields: Record<string, unknown>): Record<string, unknown> => {
    let out = fields;
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value !== 'string' || !/https?:\/\/[^\s?]*\?/.test(value)) continue;
      out = {
        ...out,
        [name]: value.replace(/(https?:\/\/[^\s?]*)\?\S*/g, '$1?(query omitted: personal data)'),
      };
    }
    return out;
  };
  return {
    debug: (fields, msg) => logger.debug(strip(fields), msg),
    info: (fields, msg) => logger.info(strip(fields), msg),
    warn: (fields, msg) => logger.warn(strip(fields), msg),
    error: (fields, msg) => logger.error(strip(fields), msg),
  };
}

export const lantmaterietEnv = {
  LM_API_URL: url({
    description:
      'Lantmäteriet API host (Ortnamn, Markhöjd, Belägenhetsadress, administrativ indelning); the verification host is UNCONFIRMED',
    default: 'https://api.lantmateriet.se',
  }),
  LM_TOKEN_URL: url({
    description: 'Lantmäteriet OAuth2 token endpoint (client credentials)',
    default: DEFAULT_TOKEN_URL,
  }),
  LM_CONSUMER_KEY: str({
    description: 'Lantmäteriet API-manager Consumer Key (OAuth2); unset = no OAuth2',
    secret: true,
  }),
  LM_CONSUMER_SECRET: str({
    description: 'Lantmäteriet API-manager Consumer Secret (OAuth2)',
    secret: true,
  }),
  LM_USERNAME: str({
    description:
      'Geotorget user or system account for HTTP Basic (Ortnamn, Markhöjd, boundaries); unset = no Basic',
    secret: true,
  }),
  LM_PASSWORD: str({ description: 'Password of LM_USERNAME', secret: true }),
};

/**
 * Lantmäteriet subgraph: the geographic backbone every agency joins on (embedded, no account), plus
 * live place names, addresses, elevation and authoritative boundaries when credentials are configured.
 */
export const lantmateriet = createSubgraph({
  name: 'lantmateriet',
  agency: 'Lantmäteriet',
  attribution:
    'Municipality and county outlines: okfse/sweden-geojson (derived from Valmyndigheten data via opendatasoft), simplified. Official names: Källa: SCB (CC0). Live Lantmäteriet data (place names, elevation, boundaries, addresses): © Lantmäteriet, CC BY 4.0 under the terms of use for high-value datasets (addresses: the variant for personal data).',
  typeDefs,
  env: lantmaterietEnv,
  cost,
  simulator: (deps) => createLantmaterietSimulator(deps),
  setup(kit) {
    const c = kit.config;
    // Offline mode has no real credentials: without a configured Consumer Key/Secret it uses the
    // simulator's fixed, fake ones, so the real OAuth2 path (token request, cache, Bearer header,
    // refresh after a 401) runs against the simulated token endpoint. They work nowhere else.
    const offlineOauth = kit.mode === 'offline' && !c.LM_CONSUMER_KEY && !c.LM_CONSUMER_SECRET;
    const auth = createAuth({
      credentials: {
        consumerKey: offlineOauth ? OFFLINE_CONSUMER_KEY : c.LM_CONSUMER_KEY,
        consumerSecret: offlineOauth ? OFFLINE_CONSUMER_SECRET : c.LM_CONSUMER_SECRET,
        username: c.LM_USERNAME,
        password: c.LM_PASSWORD,
      },
      tokenUrl: c.LM_TOKEN_URL,
      dispatcher: kit.dispatcher,
      now: kit.now,
      logger: kit.logger,
    });
    const api = c.LM_API_URL;
    // Lantmäteriet publishes no numeric limits for these APIs: keep concurrency modest.
    const common = { agency: 'lantmateriet', connections: 4 } as const;
    const ortnamn = kit.upstream({
      ...common,
      baseUrl: `${api}/distribution/produkter/ortnamn/v2.2`,
      defaultTtlMs: PLACE_NAME_TTL_MS,
      headers: auth.headersFor(ORTNAMN),
    });
    const markhojd = kit.upstream({
      ...common,
      baseUrl: `${api}/distribution/produkter/markhojd/v1`,
      defaultTtlMs: GEODATA_TTL_MS,
      headers: auth.headersFor(MARKHOJD),
    });
    const admin = kit.upstream({
      ...common,
      baseUrl: `${api}/ogc-features/v1/administrativ-indelning`,
      defaultTtlMs: GEODATA_TTL_MS,
      headers: auth.headersFor(ADMIN),
    });
    // Addresses are personal data: no stale-if-error beyond the 1-day TTL, and never written to the
    // snapshot in record mode (record mode calls live for them but does not save).
    const address = kit.upstream({
      ...common,
      baseUrl: `${api}/distribution/produkter/belagenhetsadress/v4.2`,
      // The search text (an address) is personal data: keep it out of log lines, which outlive the cache.
      logger: withoutQueryStrings(kit.logger),
      neverRecord: true,
      defaultTtlMs: ADDRESS_TTL_MS,
      staleTtlMs: 0,
      headers: auth.headersFor(ADDRESS),
    });
    const client = createLantmaterietClient({
      mode: kit.mode,
      auth,
      upstreams: { ortnamn, markhojd, admin, address },
    });
    return {
      resolvers: { ...createResolvers(), GeoJSON },
      context: (shared): LantmaterietContext => ({
        trace: shared.trace,
        client,
        loaders: createLoaders(client, shared.trace),
      }),
      async close() {
        await auth.close();
      },
    };
  },
});
