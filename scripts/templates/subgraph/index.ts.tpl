import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { url } from '../../kit/config.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { create{{Pascal}}Client } from './client.ts';
import type { {{Pascal}}Context } from './context.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import { create{{Pascal}}Simulator } from './simulator.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const {{ident}}Env = {
  {{ENV}}_API_URL: url({
    description: '{{agency}} API base URL (placeholder default: set it to the real API)',
    default: 'https://api.example.invalid/{{name}}',
  }),
};

/** {{agency}} subgraph (made by `npm run new-subgraph`; see README.md). */
export const {{ident}} = createSubgraph({
  name: '{{name}}',
  agency: '{{agency}}',
  attribution: 'Källa: {{agency}} (state the licence here).',
  typeDefs,
  env: {{ident}}Env,
  // What `npm run demo` (offline mode) answers in place of the API: see simulator.ts.
  simulator: (deps) => create{{Pascal}}Simulator(deps),
  setup(kit) {
    const upstream = kit.upstream({
      agency: '{{name}}',
      baseUrl: kit.config.{{ENV}}_API_URL,
      defaultTtlMs: 60 * 60_000,
      // Keep well inside the limits your API publishes.
      connections: 4,
    });
    const client = create{{Pascal}}Client(upstream);
    return {
      resolvers: createResolvers(),
      context: (shared): {{Pascal}}Context => ({
        trace: shared.trace,
        loaders: createLoaders(client, shared.trace),
      }),
    };
  },
});
