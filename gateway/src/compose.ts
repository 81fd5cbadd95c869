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
  // Locations in composition errors point into each subgraph's parsed SDL: name the subgraph and line.
  const subgraphOfSource = new Map<unknown, string>();
  for (const s of services) if (s.typeDefs.loc) subgraphOfSource.set(s.typeDefs.loc.source, s.name);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((e) => {
        const code = (e.extensions?.['code'] as string | undefined) ?? 'COMPOSITION_ERROR';
        const where = [
          ...new Set(
            (e.nodes ?? []).map((n) => {
              if (!n.loc) return undefined;
              const subgraph = subgraphOfSource.get(n.loc.source);
              const name = subgraph ? `subgraph "${subgraph}"` : n.loc.source.name;
              return name === 'GraphQL request' ? undefined : `${name}, line ${n.loc.startToken.line}`;
            }),
          ),
        ]
          .filter(Boolean)
          .join('; ');
        return `[${code}] ${e.message}${where ? ` (in ${where})` : ''}`;
      }),
    };
  }
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trim()}\n` };
}
