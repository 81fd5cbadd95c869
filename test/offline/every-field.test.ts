/**
 * Offline mode answers any query: for every field of the API schema reachable from `Query`, a query
 * runs against the gateway in offline mode (every agency answered by its simulator) with each
 * argument set to a valid value drawn from the embedded data, and comes back without errors.
 *
 * The walk is driven by the schema, so a field added later is covered without touching this file;
 * an `id` argument this file does not know how to fill fails the test and says what to add.
 */
import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { collectIds, ID_SOURCES, pathsToTypes, queryFor, type Step, schema } from '../helpers/schema-walk.ts';

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
  'Observation.intervalStartsAt': 'as Observation.intervalStart (the same value as a DateTime)',
  'Observation.ref': 'SMHI sets ref only on aggregated values',
  'Observation.validOn': 'as Observation.ref (the same day as a Date)',
};

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
    await collectIds((text) => gw.query(text), ids);
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
