import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** The schema coordinates one operation selects, and where each lands in the response. */
export interface OperationFields {
  /** Every `Type.field` selected (introspection and `__typename` left out), each once. */
  coordinates: Set<string>;
  /** Response path without list indices (`municipality.forecast`) → the coordinates that answer there. */
  byPath: Map<string, Set<string>>;
  /** Coordinate → the subgraphs it is attributed to (see `operationFields`); empty without `ownersOf`. */
  subgraphs: Map<string, Set<string>>;
}

/** The subgraphs that can resolve a coordinate (from the supergraph's join directives). */
export type OwnersOf = (coordinate: string) => readonly string[];

/**
 * Walks the operation, following fragment spreads, and names every field by its schema coordinate.
 * Only schema names are recorded: no argument values, aliases or operation names leave this function
 * except as keys of `byPath`, which are used to match error paths and never reported.
 *
 * With `ownersOf`, each field is attributed to the subgraphs that resolve it. A field several
 * subgraphs can resolve (an entity key such as `County.code`, a shareable field) goes to the
 * subgraph(s) of the field it was selected under when that is one of its owners, as the query
 * planner keeps such fields in the subgraph already fetching the object; otherwise to all owners.
 */
export function operationFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  ownersOf?: OwnersOf,
): OperationFields {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const out: OperationFields = { coordinates: new Set(), byPath: new Map(), subgraphs: new Map() };
  const root = schema.getRootType(operation.operation);
  if (!root) return out;

  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    path: string,
    spreads: ReadonlySet<string>,
    parentSubgraphs: readonly string[],
  ) => {
    // TypeInfo resolves each field against its parent type, inline fragments included.
    const typeInfo = new TypeInfo(schema, parent);
    visit(
      selectionSet,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const owner = typeInfo.getParentType();
          const def: GraphQLField<unknown, unknown> | null | undefined = typeInfo.getFieldDef();
          if (!owner || !def || node.name.value.startsWith('__')) return false;
          const coordinate = `${owner.name}.${def.name}`;
          const key =
            path === '' ? (node.alias ?? node.name).value : `${path}.${(node.alias ?? node.name).value}`;
          out.coordinates.add(coordinate);
          let at = out.byPath.get(key);
          if (!at) {
            at = new Set();
            out.byPath.set(key, at);
          }
          at.add(coordinate);
          let attributed: readonly string[] = [];
          if (ownersOf) {
            const owners = ownersOf(coordinate);
            const inParent = owners.length > 1 ? owners.filter((o) => parentSubgraphs.includes(o)) : [];
            attributed = inParent.length > 0 ? inParent : owners;
            let set = out.subgraphs.get(coordinate);
            if (!set) {
              set = new Set();
              out.subgraphs.set(coordinate, set);
            }
            for (const subgraph of attributed) set.add(subgraph);
          }
          const child = getNamedType(def.type);
          if (node.selectionSet && isCompositeType(child))
            walk(node.selectionSet, child, key, spreads, attributed);
          return false; // the nested walk above handles the sub-selection with the right path
        },
        FragmentSpread(node) {
          const name = node.name.value;
          const fragment = fragments.get(name);
          if (!fragment || spreads.has(name)) return false;
          const condition = schema.getType(fragment.typeCondition.name.value);
          const type = condition && isCompositeType(condition) ? condition : typeInfo.getParentType();
          if (type) walk(fragment.selectionSet, type, path, new Set([...spreads, name]), parentSubgraphs);
          return false;
        },
      }),
    );
  };
  walk(operation.selectionSet, root, '', new Set(), []);
  return out;
}
