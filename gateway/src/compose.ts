import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { ResolvedSubgraph } from './subgraph-list.ts';

export type ComposeResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Placeholder URL written into the supergraph for in-process subgraphs (never called). */
export const inProcessUrl = (name: string) => `in-process://${name}`;

/** Composes the listed subgraphs' SDL with @apollo/composition. */
export function composeSupergraph(list: readonly ResolvedSubgraph[]): ComposeResult {
  const services = list.map((s) => ({
    name: s.name,
    url: s.module ? inProcessUrl(s.name) : (s.url ?? inProcessUrl(s.name)),
    typeDefs: s.module ? s.module.typeDefs : parse(s.sdl ?? ''),
  }));
  const result = composeServices(services);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((e) => {
        const code = (e.extensions?.['code'] as string | undefined) ?? 'COMPOSITION_ERROR';
        const where = e.nodes
          ?.map((n) => n.loc?.source.name)
          .filter(Boolean)
          .join(', ');
        return `[${code}] ${e.message}${where ? ` (in ${where})` : ''}`;
      }),
    };
  }
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trim()}\n` };
}
