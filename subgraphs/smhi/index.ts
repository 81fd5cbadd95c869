import { readFileSync } from 'node:fs';
import { GraphQLScalarType, parse } from 'graphql';
import { int, url } from '../../kit/config.ts';
import { DateScalar, DateTime } from '../../kit/scalars.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { admittedSet } from '../../kit/upstream.ts';
import { createSmhiClient, TTL } from './client.ts';
import type { SmhiContext } from './context.ts';
import { cost } from './cost.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import { createSmhiSimulator } from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const smhiEnv = {
  SMHI_FORECAST_URL: url({
    description: 'SMHI point forecast API (snow1g v1) base URL',
    default: 'https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1',
  }),
  SMHI_METOBS_URL: url({
    description: 'SMHI meteorological observations API (metobs) base URL, version 1.0',
    default: 'https://opendata-download-metobs.smhi.se/api/version/1.0',
  }),
  SMHI_WARNINGS_URL: url({
    description: 'SMHI impact-based warnings API (IBW) base URL, version 1',
    default: 'https://opendata-download-warnings.smhi.se/ibww/api/version/1',
  }),
  SMHI_MAX_FORECAST_POINTS: int({
    description:
      'Most distinct forecast points (places or municipalities) one GraphQL request may ask SMHI forecasts for; more get BAD_USER_INPUT',
    default: '30',
    min: 1,
    max: 1000,
  }),
};

const GeoJSON = new GraphQLScalarType({
  name: 'GeoJSON',
  description: 'A GeoJSON geometry object (RFC 7946), WGS84 with [longitude, latitude] positions.',
  serialize: (value) => value,
});

/** SMHI subgraph: forecasts, observations and warnings. Källa: SMHI (CC BY 4.0). */
export const smhi = createSubgraph({
  name: 'smhi',
  agency: 'SMHI',
  attribution:
    'Källa: SMHI — Swedish Meteorological and Hydrological Institute, CC BY 4.0. Warnings are passed on unaltered.',
  typeDefs,
  env: smhiEnv,
  // Offline mode: forecasts, observations and warnings from the simulator (README, "Offline simulator").
  cost,
  simulator: (deps) => createSmhiSimulator(deps),
  setup(kit) {
    // SMHI publishes no numeric limit; bound concurrency per origin so a burst never hammers it.
    const forecast = kit.upstream({
      agency: 'smhi',
      baseUrl: kit.config.SMHI_FORECAST_URL,
      defaultTtlMs: TTL.forecastMs,
      connections: 4,
    });
    const metobs = kit.upstream({
      agency: 'smhi',
      baseUrl: kit.config.SMHI_METOBS_URL,
      defaultTtlMs: TTL.observationsMs,
      connections: 4,
    });
    const warnings = kit.upstream({
      agency: 'smhi',
      baseUrl: kit.config.SMHI_WARNINGS_URL,
      defaultTtlMs: TTL.warningsMs,
      connections: 2,
    });
    const client = createSmhiClient({ forecast, metobs, warnings });
    const maxForecastPoints = kit.config.SMHI_MAX_FORECAST_POINTS;
    return {
      resolvers: { ...createResolvers(), GeoJSON, DateTime, Date: DateScalar },
      context: (shared): SmhiContext => ({
        trace: shared.trace,
        maxForecastPoints,
        // Per gateway request, however many fetches it makes (over HTTP too).
        forecastPoints: admittedSet(shared.trace, 'smhi:forecast-points'),
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
