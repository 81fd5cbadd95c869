/**
 * Whether a supergraph fits the subgraphs this process runs. Apart from compose.ts so that the
 * gateway does not load the composition library (a quarter of a second at start) to check it.
 */
import { type DirectiveNode, type GraphQLSchema, isInterfaceType, isObjectType, Kind, parse } from 'graphql';

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
