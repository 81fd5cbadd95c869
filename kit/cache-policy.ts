import {
  type DirectiveNode,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** The cache policy of one subgraph operation: the smallest maxAge of what it selects. */
export interface CachePolicy {
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

interface Hint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
  inheritMaxAge?: boolean;
}

function hintOf(directives: readonly DirectiveNode[] | undefined): Hint | undefined {
  const d = directives?.find((x) => x.name.value === 'cacheControl');
  if (!d) return undefined;
  const hint: Hint = {};
  for (const arg of d.arguments ?? []) {
    if (arg.name.value === 'maxAge' && arg.value.kind === 'IntValue') hint.maxAge = Number(arg.value.value);
    if (arg.name.value === 'scope' && arg.value.kind === 'EnumValue')
      hint.scope = arg.value.value as Hint['scope'] & string;
    if (arg.name.value === 'inheritMaxAge' && arg.value.kind === 'BooleanValue')
      hint.inheritMaxAge = arg.value.value;
  }
  return hint;
}

function typeHint(type: GraphQLCompositeType): Hint | undefined {
  return (
    hintOf(type.astNode?.directives) ?? type.extensionASTNodes?.map((n) => hintOf(n.directives)).find(Boolean)
  );
}

/** Federation plumbing fields: they inherit the hints of the entity types they return. */
const PASS_THROUGH = new Set(['_entities', '_service']);

/**
 * Computes the policy statically from the schema's `@cacheControl` hints, with Apollo's rules:
 * root fields and fields returning objects default to maxAge 0 unless hinted (on the field or its
 * type); scalar fields inherit; `inheritMaxAge` inherits. Used for in-process subgraphs, which do
 * not go through Apollo Server's cache-control plugin.
 */
export function cachePolicyOf(schema: GraphQLSchema, document: DocumentNode): CachePolicy {
  let maxAge = Number.POSITIVE_INFINITY;
  let scope: CachePolicy['scope'] = 'PUBLIC';
  const restrict = (hint: Hint) => {
    if (hint.maxAge !== undefined) maxAge = Math.min(maxAge, hint.maxAge);
    if (hint.scope === 'PRIVATE') scope = 'PRIVATE';
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      InlineFragment(node) {
        const type = node.typeCondition ? schema.getType(node.typeCondition.name.value) : undefined;
        if (type && isCompositeType(type)) {
          const hint = typeHint(type);
          if (hint) restrict(hint);
        }
      },
      Field(node) {
        const field = typeInfo.getFieldDef() as GraphQLField<unknown, unknown> | null;
        const parent = typeInfo.getParentType();
        if (!field || !parent || node.name.value.startsWith('__')) return;
        const fieldHint = hintOf(field.astNode?.directives);
        const named = getNamedType(field.type);
        if (fieldHint?.maxAge !== undefined || fieldHint?.scope) restrict(fieldHint);
        if (fieldHint?.maxAge !== undefined || fieldHint?.inheritMaxAge || PASS_THROUGH.has(field.name))
          return;
        const isRoot = parent === schema.getQueryType();
        if (isCompositeType(named)) {
          const hint = typeHint(named);
          if (hint?.maxAge !== undefined) restrict(hint);
          else if (!hint?.inheritMaxAge) restrict({ maxAge: isRoot ? (typeHint(parent)?.maxAge ?? 0) : 0 });
        } else if (isRoot) {
          restrict({ maxAge: typeHint(parent)?.maxAge ?? 0 });
        }
      },
    }),
  );
  return { maxAge: Number.isFinite(maxAge) ? maxAge : 0, scope };
}
