import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * A validation rule that rejects operations nested deeper than `maxDepth` fields (fragments are
 * followed; introspection is not counted: it calls no agency). Deep nesting multiplies upstream calls —
 * `county { municipalities { county { municipalities { … } } } }` — so it is stopped before any
 * agency is called, with a message that says the limit and how to raise it.
 */
export function depthLimit(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let max = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          // Introspection (`__schema`, `__type`) nests deep by design and calls no agency.
          if (selection.name.value.startsWith('__')) continue;
          max = Math.max(max, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          max = Math.max(max, depthOf(selection.selectionSet, seen));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue; // unknown/cyclic fragments are other rules' errors
          max = Math.max(max, depthOf(fragment.selectionSet, new Set([...seen, name])));
        }
      }
      return max;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `The operation nests ${depth} fields deep; at most ${maxDepth} are allowed (MAX_QUERY_DEPTH). ` +
                'Split it into several queries, or raise MAX_QUERY_DEPTH on your own gateway.',
              { nodes: [node] },
            ),
          );
        }
      },
    };
  };
}
