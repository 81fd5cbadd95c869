import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { url } from '../../kit/config.ts';
import { DateScalar, DateTime } from '../../kit/scalars.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { createSguClient, TTL } from './client.ts';
import type { SguContext } from './context.ts';
import { cost } from './cost.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import { createSguSimulator } from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const sguEnv = {
  SGU_API_URL: url({
    description:
      'SGU open data base URL; OGC API Features services live under {base}/{dataset}/ogc/features/v1',
    default: 'https://api.sgu.se/oppnadata',
  }),
};

/**
 * SGU subgraph: groundwater stations and levels, wells, soil and bedrock at a point.
 * © Sveriges geologiska undersökning (SGU), CC0.
 */
export const sgu = createSubgraph({
  name: 'sgu',
  agency: 'SGU',
  attribution: '© Sveriges geologiska undersökning (SGU). Open data, CC0 1.0.',
  typeDefs,
  env: sguEnv,
  cost,
  simulator: (deps) => createSguSimulator(deps),
  setup(kit) {
    const upstream = kit.upstream({
      agency: 'sgu',
      baseUrl: kit.config.SGU_API_URL,
      defaultTtlMs: TTL.stationsMs,
      // SGU publishes no rate limit: keep concurrency modest. Certificate checks stay on (see README).
      connections: 4,
    });
    const client = createSguClient(upstream);
    return {
      resolvers: { ...createResolvers({ now: kit.now }), DateTime, Date: DateScalar },
      context: (shared): SguContext => ({
        trace: shared.trace,
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
