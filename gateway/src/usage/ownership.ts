import {
  type DefinitionNode,
  type DirectiveNode,
  type FieldDefinitionNode,
  Kind,
  parse,
  type ValueNode,
} from 'graphql';

/** `Type.field` → the subgraphs that resolve it, in supergraph order. */
export type FieldOwners = ReadonlyMap<string, readonly string[]>;

/**
 * Reads field ownership from a composed supergraph's join directives: a field with
 * `@join__field(graph: X)` belongs to X (entries with `external: true` or `usedOverridden: true` are
 * not owners); a field without any belongs to every graph in its type's `@join__type`. Graph enum
 * values map to subgraph names through `@join__graph(name: …)`.
 */
export function fieldOwners(supergraphSdl: string): FieldOwners {
  const document = parse(supergraphSdl, { noLocation: true });
  const graphNames = new Map<string, string>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const name = argument(directives(value.directives, 'join__graph')[0], 'name');
      graphNames.set(value.name.value, typeof name === 'string' ? name : value.name.value.toLowerCase());
    }
  }
  const graph = (d: DirectiveNode | undefined): string | undefined => {
    const g = argument(d, 'graph');
    return typeof g === 'string' ? (graphNames.get(g) ?? g.toLowerCase()) : undefined;
  };

  const owners = new Map<string, string[]>();
  for (const def of document.definitions) {
    const fields = fieldsOf(def);
    if (!fields) continue;
    const typeName = (def as { name: { value: string } }).name.value;
    const typeGraphs = unique(directives(def.directives, 'join__type').map(graph));
    for (const field of fields) {
      const joins = directives(field.directives, 'join__field');
      const fieldGraphs = unique(
        joins
          .filter((d) => argument(d, 'external') !== true && argument(d, 'usedOverridden') !== true)
          .map(graph),
      );
      const list = joins.length > 0 && fieldGraphs.length > 0 ? fieldGraphs : typeGraphs;
      const key = `${typeName}.${field.name.value}`;
      owners.set(key, unique([...(owners.get(key) ?? []), ...list]));
    }
  }
  return owners;
}

function fieldsOf(def: DefinitionNode): readonly FieldDefinitionNode[] | undefined {
  switch (def.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION:
      return def.fields ?? [];
    default:
      return undefined;
  }
}

function directives(list: readonly DirectiveNode[] | undefined, name: string): DirectiveNode[] {
  return (list ?? []).filter((d) => d.name.value === name);
}

function argument(d: DirectiveNode | undefined, name: string): string | boolean | undefined {
  const value: ValueNode | undefined = d?.arguments?.find((a) => a.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.ENUM || value.kind === Kind.STRING) return value.value;
  if (value.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

function unique(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}
