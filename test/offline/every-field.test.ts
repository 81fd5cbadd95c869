/**
 * Offline mode answers any query: for every field of the API schema reachable from `Query`, a query
 * runs against the gateway in offline mode (every agency answered by its simulator) with each
 * argument set to a valid value drawn from the embedded data, and comes back without errors.
 *
 * The walk is driven by the schema, so a field added later is covered without touching this file;
 * an `id` argument this file does not know how to fill fails the test and says what to add.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const schema: GraphQLSchema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));

/** Arguments with a meaningful value for one field (coordinate `Type.field`), as GraphQL literals. */
const FIELD_ARGS: Record<string, Record<string, string>> = {
  'Query.municipality': { code: '"0380"' },
  'Query.county': { code: '"25"' },
  'Query.place': { latitude: '59.8586', longitude: '17.6389' },
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
const ARGS_BY_NAME: Record<string, string> = {
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
const ID_SOURCES: Record<string, { query: string; pick: (data: Record<string, unknown>) => unknown }> = {
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
 * Fields that may legitimately come back null or empty on the paths this test takes: "no such thing"
 * in the data, never a failure. Each says why; anything else must have a value at least once.
 */
const MAY_STAY_EMPTY: Record<string, string> = {
  'County.weatherWarnings':
    'no warning is in force on many days (simulated like SMHI: episodes on about 40 % of days)',
  'Municipality.weatherWarnings': 'as County.weatherWarnings',
  'Place.weatherWarnings': 'as County.weatherWarnings',
  'WeatherWarning.descriptions':
    'SMHI gives descriptions only with some warnings (the recorded one has none)',
  'WarningText.text': 'reached only through WeatherWarning.descriptions',
  'WarningText.title': 'reached only through WeatherWarning.descriptions',
  'SmhiLocalizedText.en': 'English texts exist only where SMHI wrote them; reached through descriptions',
  'JobAd.labels': 'JobTech sets labels on few ads',
  'JobAd.relevance': 'a relevance score exists only for a free-text search, not for jobAd(id)',
  'Address.distanceMeters': 'a distance exists only for Place.nearestAddress, not for a search',
  'Address.letter': 'most addresses have no letter (12 vs 12 B)',
  'PlaceName.distanceMeters': 'a distance exists only for Place.nearestPlaceName, not for a search',
  'StatisticsRow.status': "SCB's status symbol is set only where a value is missing",
  'Observation.intervalStart': 'only aggregated periods (day, months) have an interval',
  'Observation.ref': 'SMHI sets ref only on aggregated values',
};

interface Step {
  field: GraphQLField<unknown, unknown>;
  parent: GraphQLObjectType;
}

/** The shortest way from Query to each object type (singular fields preferred over lists). */
function pathsToTypes(): Map<string, Step[]> {
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
function selectAll(type: GraphQLObjectType, ids: Map<string, string>): string {
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const c = call(type, field, ids);
    parts.push(isLeafType(named) ? c : `${c} { __typename }`);
  }
  return parts.join(' ');
}

function queryFor(typeName: string, steps: Step[], ids: Map<string, string>): string {
  const type = schema.getType(typeName) as GraphQLObjectType;
  let inner = selectAll(type, ids);
  for (const step of [...steps].reverse()) inner = `${call(step.parent, step.field, ids)} { ${inner} }`;
  return `{ ${inner} }`;
}

/** Marks which fields of `typeName` came back non-null somewhere in `value` (found by following `steps`). */
function collectNonNull(value: unknown, steps: Step[], seen: Set<string>, typeName: string): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) collectNonNull(v, steps, seen, typeName);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (steps.length === 0) {
    for (const [k, v] of Object.entries(obj)) {
      if (v !== null && !(Array.isArray(v) && v.length === 0)) seen.add(`${typeName}.${k}`);
    }
    return;
  }
  const [first, ...rest] = steps;
  collectNonNull(obj[first!.field.name], rest, seen, typeName);
}

describe('offline mode answers every field reachable from Query', () => {
  let gw: TestGateway;
  const ids = new Map<string, string>();
  const paths = pathsToTypes();
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
    for (const [coordinate, source] of Object.entries(ID_SOURCES)) {
      const [, field] = coordinate.split('.');
      if (!schema.getQueryType()!.getFields()[field!]) continue;
      const body = await gw.query(source.query);
      const id = body.data ? source.pick(body.data as Record<string, unknown>) : undefined;
      if (typeof id === 'string' || typeof id === 'number') ids.set(coordinate, String(id));
    }
  }, 60_000);
  afterAll(() => gw.stop());

  it('finds a valid id for every field that takes one', () => {
    const missing = Object.keys(ID_SOURCES).filter(
      (c) => schema.getQueryType()!.getFields()[c.split('.')[1]!] && !ids.has(c),
    );
    expect(missing).toEqual([]);
  });

  const nonNull = new Set<string>();
  const types = [...paths.keys()].filter((t) => !t.startsWith('_'));
  it.each(types)('%s: every field answers offline without errors', async (typeName) => {
    const steps = paths.get(typeName)!;
    const query = queryFor(typeName, steps, ids);
    const body = await gw.query(query);
    expect(body.errors, `${query}\n${JSON.stringify(body.errors, null, 2)}`).toBeUndefined();
    expect(body.extensions?.['offline']).toBeDefined();
    collectNonNull(body.data, steps, nonNull, typeName);
  });

  it('every reachable field came back with a value at least once', () => {
    const all = types.flatMap((t) =>
      Object.keys((schema.getType(t) as GraphQLObjectType).getFields()).map((f) => `${t}.${f}`),
    );
    const never = all.filter((c) => !nonNull.has(c) && !(c in MAY_STAY_EMPTY));
    expect(never).toEqual([]);
    // The allowance is not a blanket: most of the listed fields do answer on these paths.
    expect(all.length - never.length - Object.keys(MAY_STAY_EMPTY).length).toBeGreaterThan(300);
  });
});
