import { composeServices } from '@apollo/composition';
import { type DirectiveNode, type GraphQLSchema, isInterfaceType, isObjectType, Kind, parse } from 'graphql';
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

/** The schema each in-process subgraph actually serves, by subgraph name. */
export type ServedSchemas = ReadonlyMap<string, { readonly schema: GraphQLSchema }>;

const stringArg = (d: DirectiveNode, name: string) => {
  const arg = d.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.STRING || arg?.value.kind === Kind.ENUM ? arg.value.value : undefined;
};

/**
 * Where a supergraph routes fields to an in-process subgraph that does not have them: a supergraph
 * composed from other subgraph code than this process runs (an older or newer checkout, another
 * branch). Such a supergraph would plan fetches the subgraph cannot answer, so it is refused, with
 * these lines as the reason. Read from the join spec's directives: a field belongs to the graphs its
 * `@join__field(graph:)` names, or, without any, to every graph its type's `@join__type` names.
 */
export function supergraphMismatches(supergraphSdl: string, served: ServedSchemas): string[] {
  const doc = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const d = value.directives?.find((x) => x.name.value === 'join__graph');
      const name = d && stringArg(d, 'name');
      if (name) graphNames.set(value.name.value, name);
    }
  }
  const problems: string[] = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const typeName = def.name.value;
    const typeGraphs = (def.directives ?? [])
      .filter((d) => d.name.value === 'join__type')
      .map((d) => stringArg(d, 'graph'))
      .filter((g): g is string => g !== undefined);
    for (const field of def.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      const named = joins.map((d) => stringArg(d, 'graph')).filter((g): g is string => g !== undefined);
      for (const graph of joins.length > 0 ? named : typeGraphs) {
        const name = graphNames.get(graph);
        const subgraph = name === undefined ? undefined : served.get(name);
        if (!subgraph) continue; // a remote subgraph: its own process answers for its schema
        const type = subgraph.schema.getType(typeName);
        const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : undefined;
        if (!fields) problems.push(`${name} has no type ${typeName}`);
        else if (!fields[field.name.value])
          problems.push(`${name} has no field ${typeName}.${field.name.value}`);
      }
    }
  }
  return [...new Set(problems)];
}
