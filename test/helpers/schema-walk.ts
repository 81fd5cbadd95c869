/**
 * A walk of the composed API schema for tests: the shortest way from `Query` to every object type, and
 * a query that selects every field of a type at the end of that way, with valid arguments drawn from
 * the embedded data. Used by the offline every-field test and the nullability test.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';

export interface WalkOptions {
  /** Leave deprecated fields out (of the ways to types and of the selections). */
  skipDeprecated?: boolean;
}

export const schema: GraphQLSchema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));

/** Arguments with a meaningful value for one field (coordinate `Type.field`), as GraphQL literals. */
export const FIELD_ARGS: Record<string, Record<string, string>> = {
  'Query.municipality': { code: '"0380"' },
  'Query.county': { code: '"25"' },
  'Query.place': { latitude: '59.8586', longitude: '17.6389' },
  'Query.location': { latitude: '59.8586', longitude: '17.6389' },
  'Query.jobAdCompletions': { prefix: '"utv"' },
  'Query.addresses': { search: '"Storgatan"' },
  'Query.placeNames': { name: '"Abisko"' },
  'Query.jobAdSuggestions': { prefix: '"utv"' },
  'Query.statisticsTable': { id: '"TAB638"' },
  // Region is fixed on Municipality, County and sweden; on Query it is chosen.
  'Query.statistics': {
    table: '"TAB638"',
    selection:
      '[{ variable: "Region", values: ["0180"] }, { variable: "ContentsCode", values: ["*"] }, { variable: "Tid", values: ["2024"] }]',
  },
};

/** Arguments by name, for every field that has no entry above. */
export const ARGS_BY_NAME: Record<string, string> = {
  table: '"TAB638"',
  selection: '[{ variable: "ContentsCode", values: ["*"] }, { variable: "Tid", values: ["2024"] }]',
  municipality: '"0180"',
  county: '"01"',
  code: '"0180"',
  limit: '2',
};

/**
 * Where an `id` comes from: a query whose first result carries a valid id (the simulators' data is
 * generated, so ids are read from the graph rather than written down here).
 */
export const ID_SOURCES: Record<string, { query: string; pick: (data: Record<string, unknown>) => unknown }> =
  {
    'Query.jobAd': {
      query: '{ jobAds(municipality: "0180", limit: 1) { ads { id } } }',
      pick: (d) => (d as { jobAds: { ads: Array<{ id: string }> } }).jobAds.ads[0]?.id,
    },
    'Query.weatherStation': {
      query: '{ weatherStations(activeOnly: true) { id } }',
      pick: (d) => (d as { weatherStations: Array<{ id: string }> }).weatherStations[0]?.id,
    },
    'Query.groundwaterStation': {
      query: '{ municipality(code: "0380") { groundwaterStations { id } } }',
      pick: (d) =>
        (d as { municipality: { groundwaterStations: Array<{ id: string }> } }).municipality
          .groundwaterStations[0]?.id,
    },
    'Query.dataset': {
      query: '{ datasets(limit: 1) { nodes { id } } }',
      pick: (d) => (d as { datasets: { nodes: Array<{ id: string }> } }).datasets.nodes[0]?.id,
    },
  };

/**
 * Reads a valid id for every `ID_SOURCES` field the schema has, through `query` (a gateway's), into
 * `ids` (by coordinate); a source whose query finds nothing is left out.
 */
export async function collectIds(
  query: (text: string) => Promise<{ data?: unknown }>,
  ids: Map<string, string>,
): Promise<void> {
  for (const [coordinate, source] of Object.entries(ID_SOURCES)) {
    const [, field] = coordinate.split('.');
    if (!schema.getQueryType()!.getFields()[field!]) continue;
    const body = await query(source.query);
    const id = body.data ? source.pick(body.data as Record<string, unknown>) : undefined;
    if (typeof id === 'string' || typeof id === 'number') ids.set(coordinate, String(id));
  }
}

export interface Step {
  field: GraphQLField<unknown, unknown>;
  parent: GraphQLObjectType;
}

/** The shortest way from Query to each object type (singular fields preferred over lists). */
export function pathsToTypes(options: WalkOptions = {}): Map<string, Step[]> {
  const paths = new Map<string, Step[]>();
  const query = schema.getQueryType()!;
  paths.set(query.name, []);
  const queue: GraphQLObjectType[] = [query];
  while (queue.length > 0) {
    const type = queue.shift()!;
    const fields = Object.values(type.getFields()).sort(
      (a, b) => Number(isListLike(a.type)) - Number(isListLike(b.type)),
    );
    for (const field of fields) {
      if (options.skipDeprecated && field.deprecationReason) continue;
      const named = getNamedType(field.type);
      if (!isObjectType(named) || paths.has(named.name) || named.name.startsWith('_')) continue;
      paths.set(named.name, [...paths.get(type.name)!, { field, parent: type }]);
      queue.push(named);
    }
  }
  return paths;
}

function isListLike(type: GraphQLInputType | GraphQLField<unknown, unknown>['type']): boolean {
  return isNonNullType(type) ? isListLike(type.ofType) : isListType(type);
}

function literalFor(coordinate: string, argName: string, type: GraphQLInputType): string | undefined {
  const specific = FIELD_ARGS[coordinate]?.[argName];
  if (specific) return specific;
  if (ARGS_BY_NAME[argName]) return ARGS_BY_NAME[argName];
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isEnumType(inner)) return inner.getValues()[0]?.name;
  if (isListType(inner) || isInputObjectType(inner)) return undefined;
  switch ((inner as { name: string }).name) {
    case 'Int':
      return '1';
    case 'Float':
      return '1.5';
    case 'Boolean':
      return 'true';
    default:
      return undefined;
  }
}

/** `name(args)` with every required argument and the known-meaningful optional ones. */
function call(
  parent: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  ids: Map<string, string>,
): string {
  const coordinate = `${parent.name}.${field.name}`;
  const args: string[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    let literal: string | undefined;
    if (arg.name === 'id' && ids.has(coordinate)) literal = JSON.stringify(ids.get(coordinate));
    else if (required || FIELD_ARGS[coordinate]?.[arg.name] || arg.name === 'limit')
      literal = literalFor(coordinate, arg.name, arg.type);
    if (literal === undefined) {
      if (!required) continue;
      throw new Error(
        `${coordinate}(${arg.name}:) is required and this test does not know a valid value: add it to FIELD_ARGS` +
          (arg.name === 'id' ? ' or ID_SOURCES' : ''),
      );
    }
    args.push(`${arg.name}: ${literal}`);
  }
  return args.length > 0 ? `${field.name}(${args.join(', ')})` : field.name;
}

/** Every field of `type`, with a minimal selection under object fields. */
function selectAll(type: GraphQLObjectType, ids: Map<string, string>, options: WalkOptions): string {
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (options.skipDeprecated && field.deprecationReason) continue;
    const named = getNamedType(field.type);
    const c = call(type, field, ids);
    parts.push(isLeafType(named) ? c : `${c} { __typename }`);
  }
  return parts.join(' ');
}

export function queryFor(
  typeName: string,
  steps: Step[],
  ids: Map<string, string>,
  options: WalkOptions = {},
): string {
  const type = schema.getType(typeName) as GraphQLObjectType;
  let inner = selectAll(type, ids, options);
  for (const step of [...steps].reverse()) inner = `${call(step.parent, step.field, ids)} { ${inner} }`;
  return `{ ${inner} }`;
}
