import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { url } from '../kit/config.ts';
import { createSubgraph } from '../kit/subgraph.ts';
import { createSmhiClient } from './client.ts';
import type { SmhiContext } from './context.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const smhiEnv = {
  SMHI_FORECAST_URL: url({
    description: 'SMHI point forecast API (snow1g v1) base URL',
    default: 'https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1',
  }),
};

/** SMHI subgraph: weather forecasts (and, later, observations and warnings). Källa: SMHI (CC BY 4.0). */
export const smhi = createSubgraph({
  name: 'smhi',
  agency: 'SMHI',
  attribution:
    'Källa: SMHI — Swedish Meteorological and Hydrological Institute, CC BY 4.0. Warnings are passed on unaltered.',
  typeDefs,
  env: smhiEnv,
  setup(kit) {
    const forecastUpstream = kit.upstream({
      agency: 'smhi',
      baseUrl: kit.config.SMHI_FORECAST_URL,
      defaultTtlMs: 30 * 60_000,
      // SMHI publishes no numeric limit; bound concurrency so a burst never hammers it.
      connections: 4,
    });
    const client = createSmhiClient(forecastUpstream);
    return {
      resolvers: createResolvers(),
      context: (shared): SmhiContext => ({
        trace: shared.trace,
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
