import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { url } from '../../kit/config.ts';
import { createRateLimiter } from '../../kit/ratelimit.ts';
import { DateScalar, DateTime } from '../../kit/scalars.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { CATALOG_TTL_MS, createCatalogClient } from './client.ts';
import type { CatalogContext } from './context.ts';
import { cost } from './cost.ts';
import { createLoaders } from './loaders.ts';
import { checkAgencyIds, createResolvers } from './resolvers.ts';
import { createCatalogSimulator } from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const catalogEnv = {
  DATAPORTAL_API_URL: url({
    description:
      'Sveriges dataportal registry (EntryStore) root: /store/search, /store/{context}/entry/{id}, /store/{context}/metadata/{id}',
    default: 'https://admin.dataportal.se',
  }),
};

/** The attribution line, also in the schema descriptions and README. */
export const CATALOG_ATTRIBUTION =
  'Källa: Sveriges dataportal, DIGG. Catalogue metadata as each publisher gave it, each dataset under its own licence; no licence for the catalogue metadata itself has been found (UNCONFIRMED).';

/**
 * Polite default: the registry publishes no limit and measured ~2.2 requests/s at most whatever the
 * concurrency, so at most 2 calls per second (all its endpoints together). `RATE_LIMITS=catalog=…`
 * replaces it.
 */
export const DEFAULT_RATE_LIMIT = { calls: 2, windowMs: 1000 } as const;

/** The AgencyId values the schema declares. */
export function schemaAgencyIds(): string[] {
  for (const def of typeDefs.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'AgencyId')
      return (def.values ?? []).map((v) => v.name.value);
  }
  return [];
}

/**
 * Catalog subgraph: Sveriges dataportal (DIGG), the national data catalogue, joined to the agencies
 * this graph serves (supply), to municipalities and counties, and to the graph's own fields.
 */
export const catalog = createSubgraph({
  name: 'catalog',
  agency: 'Sveriges dataportal (DIGG)',
  attribution: CATALOG_ATTRIBUTION,
  typeDefs,
  env: catalogEnv,
  cost,
  simulator: (deps) => createCatalogSimulator(deps),
  setup(kit) {
    // Fails start-up when an agency folder's catalog-datasets.json and the AgencyId enum disagree.
    checkAgencyIds(schemaAgencyIds());
    const upstream = kit.upstream({
      agency: 'catalog',
      baseUrl: kit.config.DATAPORTAL_API_URL,
      defaultTtlMs: CATALOG_TTL_MS,
      // The catalogue changes once a night: serve a day-old answer rather than none when it fails.
      staleTtlMs: 48 * 60 * 60_000,
      connections: 2,
      // Real time, not the request clock: a window measured on a frozen or replayed clock never opens.
      rateLimiter: createRateLimiter(DEFAULT_RATE_LIMIT),
    });
    const client = createCatalogClient(upstream);
    return {
      resolvers: { ...createResolvers(), DateTime, Date: DateScalar },
      context: (shared): CatalogContext => ({
        trace: shared.trace,
        baseUrl: kit.config.DATAPORTAL_API_URL,
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
