import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { str, url } from '../../kit/config.ts';
import { DateTime } from '../../kit/scalars.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { createJobTechClient, SEARCH_TTL_MS } from './client.ts';
import type { JobTechContext } from './context.ts';
import { cost } from './cost.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import { createJobTechSimulator } from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const jobtechEnv = {
  JOBTECH_SEARCH_URL: url({
    description: 'Arbetsförmedlingen JobSearch API base URL (/search, /ad/{id}, /complete)',
    default: 'https://jobsearch.api.jobtechdev.se',
  }),
  JOBTECH_API_KEY: str({
    description:
      'Optional JobTech API key, sent as the `api-key` header only when set (JobSearch answers without one today)',
    secret: true,
  }),
};

/** The attribution line, also in the schema descriptions and README. */
export const JOBTECH_ATTRIBUTION =
  'Källa: Arbetsförmedlingen (JobTech Dev). Job ads CC0 according to third parties (UNCONFIRMED: JobTech’s own licence statement not seen).';

/** JobTech subgraph: Platsbanken job ads joined to municipalities, counties and places. */
export const jobtech = createSubgraph({
  name: 'jobtech',
  agency: 'Arbetsförmedlingen (JobTech)',
  attribution: JOBTECH_ATTRIBUTION,
  typeDefs,
  env: jobtechEnv,
  cost,
  // Offline mode: JobSearch simulated over an embedded corpus (subgraphs/jobtech/simulator).
  simulator: (deps) => createJobTechSimulator(deps),
  setup(kit) {
    const apiKey = kit.config.JOBTECH_API_KEY;
    const upstream = kit.upstream({
      agency: 'jobtech',
      baseUrl: kit.config.JOBTECH_SEARCH_URL,
      defaultTtlMs: SEARCH_TTL_MS,
      // No published limit; JobSearch is for user searches, so stay gentle: few sockets per origin.
      connections: 4,
      // The key is a secret: it goes in a header (never in the URL, so never in logs or snapshot keys).
      ...(apiKey ? { headers: { 'api-key': apiKey } } : {}),
    });
    const client = createJobTechClient(upstream);
    return {
      resolvers: { ...createResolvers(), DateTime },
      context: (shared): JobTechContext => ({
        trace: shared.trace,
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
