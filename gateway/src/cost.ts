/**
 * Query cost analysis, before any upstream call.
 *
 * Every operation gets a cost from its document: each value the response would hold counts 1,
 * multiplied by the sizes of the lists above it (from `limit`-like arguments, or the sizes each
 * subgraph declares — `municipalities` without a county is 290), and each upstream call a field can
 * cause counts `CALL_WEIGHT`. Calls are estimated per agency with batching taken into account: a
 * field whose agency answers many parents in one call (`population` for 290 municipalities is one
 * SCB request) counts once per selection, a field that needs a call per parent counts per parent.
 *
 * Why our own walker rather than a demand-control library: the estimate needs the embedded
 * geography's list sizes and per-agency call budgets, which the generic `@cost`/`@listSize`
 * directive model cannot express (it has no notion of batching or of whose budget a call spends).
 */

import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldCost, FieldCosts } from '../../kit/cost.ts';
import { stableJson } from '../../kit/snapshot.ts';
import type { GatewayContext } from './datasources.ts';

export type { FieldCost, FieldCosts };

export interface CostLimits {
  /** Largest estimated cost an operation may have (MAX_QUERY_COST). */
  maxCost: number;
  /** Most upstream calls one request may make to one agency (MAX_UPSTREAM_CALLS). */
  maxCallsPerAgency: number;
  /** Most aliased fields (MAX_ALIASES). */
  maxAliases: number;
  /** Most root fields (MAX_ROOT_FIELDS). */
  maxRootFields: number;
}

export interface CostReport {
  cost: number;
  /** Estimated upstream calls per agency. */
  calls: Record<string, number>;
  aliases: number;
  rootFields: number;
  /** The costliest paths, most expensive first (at most 5). */
  paths: Array<{ path: string; cost: number }>;
}

/** What one estimated upstream call weighs against MAX_QUERY_COST. */
export const CALL_WEIGHT = 10;
const DEFAULT_LIST_SIZE = 10;
const DEFAULT_SLICING = ['limit', 'first', 'pageSize'] as const;

/** Estimates the cost of `operation`; never throws for valid documents. */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  costs: FieldCosts,
): CostReport {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const calls: Record<string, number> = {};
  const byPath = new Map<string, number>();
  const sharedCalls = new Set<string>();
  let aliases = 0;

  /** Walks a selection set under `multiplicity` parents; returns the cost of the subtree. */
  const walk = (
    set: SelectionSetNode,
    type: GraphQLNamedType,
    multiplicity: number,
    path: string,
    sized: ReadonlyMap<string, number>,
    seen: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        total += walk(
          fragment.selectionSet,
          on,
          multiplicity,
          path,
          sized,
          new Set([...seen, fragment.name.value]),
        );
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) ?? type)
          : type;
        total += walk(selection.selectionSet, on, multiplicity, path, sized, seen);
        continue;
      }
      total += field(selection, type, multiplicity, path, sized, seen);
    }
    return total;
  };

  const field = (
    node: FieldNode,
    parent: GraphQLNamedType,
    multiplicity: number,
    path: string,
    sized: ReadonlyMap<string, number>,
    seen: ReadonlySet<string>,
  ): number => {
    const name = node.name.value;
    if (node.alias) aliases += 1;
    if (name.startsWith('__')) return 0; // introspection and __typename call no agency
    const def = fieldOf(parent, name);
    if (!def) return 0; // validation reports unknown fields
    const meta = costs[`${parent.name}.${name}`] ?? {};
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(def, node, variables);
    } catch {
      // Bad argument values are reported by execution with a clear message; cost them as defaults.
    }
    const here = `${path}${path ? '.' : ''}${node.alias?.value ?? name}`;
    const list = isListType(getNullableType(def.type));
    const size = list ? listSize(meta, args, sized.get(name)) : 1;
    const count = multiplicity * size;
    let cost = count;
    // Batched fields share one call per request for the same field and arguments, wherever they are
    // selected (per-request DataLoaders collect aliases and list items alike).
    const shared =
      meta.calls === 'batch'
        ? `batch\u0000${parent.name}.${name}\u0000${stableArgs(args)}`
        : meta.sharedCall
          ? `${path}\u0000${meta.sharedCall}`
          : undefined;
    if (meta.agency && (meta.callsIf?.(args) ?? true) && !(shared && sharedCalls.has(shared))) {
      if (shared) sharedCalls.add(shared);
      const per = typeof meta.callsPer === 'function' ? meta.callsPer(args) : (meta.callsPer ?? 1);
      const n = meta.calls === 'batch' ? per : multiplicity * per;
      calls[meta.agency] = (calls[meta.agency] ?? 0) + n;
      cost += n * CALL_WEIGHT;
    }
    if (node.selectionSet) {
      const childSized = new Map<string, number>();
      if (meta.sizedFields) {
        const slice = slicing(meta, args);
        // Without a slicing argument, the size the field declares (a FeatureCollection of one county).
        const size = slice ?? (meta.assumedSize === undefined ? DEFAULT_LIST_SIZE : assumed(meta, args));
        for (const f of meta.sizedFields) childSized.set(f, size);
      }
      cost += walk(node.selectionSet, getNamedType(def.type), count, here, childSized, seen);
    }
    byPath.set(here, (byPath.get(here) ?? 0) + cost);
    return cost;
  };

  const root = rootType(schema, operation);
  const rootFields = operation.selectionSet.selections.length;
  const cost = root ? walk(operation.selectionSet, root, 1, '', new Map(), new Set()) : 0;
  const paths = [...byPath]
    .map(([path, c]) => ({ path, cost: c }))
    .sort((a, b) => b.cost - a.cost || a.path.localeCompare(b.path))
    .slice(0, 5);
  return { cost, calls, aliases, rootFields, paths };
}

function stableArgs(args: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(args)
      .sort()
      .map((k) => [k, args[k]]),
  );
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLNamedType | undefined {
  switch (operation.operation) {
    case 'query':
      return schema.getQueryType() ?? undefined;
    case 'mutation':
      return schema.getMutationType() ?? undefined;
    default:
      return schema.getSubscriptionType() ?? undefined;
  }
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(type) || (isAbstractType(type) && 'getFields' in type)) {
    return (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[name];
  }
  return undefined;
}

function slicing(meta: FieldCost, args: Record<string, unknown>): number | undefined {
  for (const name of meta.slicingArguments ?? DEFAULT_SLICING) {
    const v = args[name];
    if (typeof v === 'number' && Number.isFinite(v)) return Math.max(0, v);
  }
  return undefined;
}

function listSize(meta: FieldCost, args: Record<string, unknown>, sizedByParent: number | undefined): number {
  if (sizedByParent !== undefined) return sizedByParent;
  const sliced = slicing(meta, args);
  if (sliced !== undefined) return sliced;
  return meta.assumedSize === undefined ? DEFAULT_LIST_SIZE : assumed(meta, args);
}

function assumed(meta: FieldCost, args: Record<string, unknown>): number {
  return typeof meta.assumedSize === 'function'
    ? meta.assumedSize(args)
    : (meta.assumedSize ?? DEFAULT_LIST_SIZE);
}

/** The error an operation over a limit is refused with (before any upstream call). */
export function tooExpensive(report: CostReport, limits: CostLimits): GraphQLError | undefined {
  const problems: string[] = [];
  if (report.aliases > limits.maxAliases)
    problems.push(`${report.aliases} aliased fields; at most ${limits.maxAliases} are allowed (MAX_ALIASES)`);
  if (report.rootFields > limits.maxRootFields)
    problems.push(
      `${report.rootFields} root fields; at most ${limits.maxRootFields} are allowed (MAX_ROOT_FIELDS)`,
    );
  if (report.cost > limits.maxCost)
    problems.push(
      `an estimated cost of ${report.cost}; at most ${limits.maxCost} is allowed (MAX_QUERY_COST)`,
    );
  for (const [agency, n] of Object.entries(report.calls).sort()) {
    if (n > limits.maxCallsPerAgency)
      problems.push(
        `about ${n} calls to ${agency}; at most ${limits.maxCallsPerAgency} per request are allowed (MAX_UPSTREAM_CALLS)`,
      );
  }
  if (problems.length === 0) return undefined;
  const top = report.paths
    .slice(0, 3)
    .map((p) => `${p.path} (${p.cost})`)
    .join(', ');
  return new GraphQLError(
    `The operation was refused before any agency was called: it has ${problems.join('; and ')}. ` +
      `The costliest parts: ${top}. Ask for fewer items (limit, a county instead of all municipalities), ` +
      'split the query, or raise the limits on your own gateway.',
    {
      extensions: {
        code: 'QUERY_TOO_EXPENSIVE',
        cost: report.cost,
        limit: limits.maxCost,
        calls: report.calls,
        paths: report.paths,
        http: { status: 400 },
      },
    },
  );
}

/**
 * Refuses operations over the limits before any subgraph is called, and reports every answer's
 * estimated cost in `extensions.cost`.
 */
export function costPlugin(options: {
  limits: CostLimits;
  /** Every subgraph's field costs, merged (read per request: a reloaded supergraph may add fields). */
  costs: () => FieldCosts;
  /** Charges an allowed operation's cost to its client; an error refuses it (over the client's rate). */
  charge?: (report: CostReport, context: GatewayContext) => Promise<GraphQLError | undefined>;
}): ApolloServerPlugin<GatewayContext> {
  // An estimate depends only on the schema, the field costs, the document, the operation and its
  // variables: a repeated operation (every whole-response cache hit) reuses it instead of walking
  // the document again (7 % of a hit's CPU). Apollo Server hands the same DocumentNode for the same
  // query text; at most 100 variable sets are kept per document.
  const estimates = new WeakMap<
    GraphQLSchema,
    WeakMap<FieldCosts, WeakMap<DocumentNode, Map<string, CostReport>>>
  >();
  function estimateOnce(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): CostReport {
    const costs = options.costs();
    let bySchema = estimates.get(schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      estimates.set(schema, bySchema);
    }
    let byCosts = bySchema.get(costs);
    if (!byCosts) {
      byCosts = new WeakMap();
      bySchema.set(costs, byCosts);
    }
    let byVariables = byCosts.get(document);
    if (!byVariables) {
      byVariables = new Map();
      byCosts.set(document, byVariables);
    }
    const key = `${operation.name?.value ?? ''}\0${stableJson(variables)}`;
    let report = byVariables.get(key);
    if (!report) {
      report = estimateCost(schema, document, operation, variables, costs);
      if (byVariables.size >= 100) byVariables.clear();
      byVariables.set(key, report);
    }
    return report;
  }
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request, contextValue }) {
          if (!operation) return;
          const report = estimateOnce(schema, document, operation, request.variables ?? {});
          contextValue.cost = report;
          const refusal =
            tooExpensive(report, options.limits) ?? (await options.charge?.(report, contextValue));
          if (refusal) throw refusal;
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !contextValue.cost) return;
          const { cost, calls } = contextValue.cost;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { estimated: cost, limit: options.limits.maxCost, upstreamCalls: calls },
          };
        },
      };
    },
  };
}
