/**
 * Every SGU field reachable in a query carries a cache hint, so the gateway's Cache-Control never
 * falls to no-store because an SGU field returns a shared entity (Place, Municipality, County)
 * without one; and the hints combine to the TTL of the data asked for.
 */
import { type GraphQLField, getNamedType, isCompositeType, isObjectType, parse } from 'graphql';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { cachePolicyOf } from '../../kit/cache-policy.ts';
import { silentLogger } from '../../kit/logger.ts';
import { TTL } from '../../subgraphs/sgu/client.ts';
import { sgu } from '../../subgraphs/sgu/index.ts';

const schema = sgu.create({
  config: { SGU_API_URL: 'https://api.sgu.test/oppnadata' },
  cache: new Keyv(),
  logger: silentLogger,
  mode: 'live',
  now: Date.now,
}).schema;

const hinted = (node: { directives?: readonly { name: { value: string } }[] } | null | undefined) =>
  node?.directives?.some((d) => d.name.value === 'cacheControl') ?? false;

describe('every type and field of the SGU schema carries a cache hint', () => {
  const own = new Set(
    sgu.typeDefs.definitions.flatMap((d) =>
      d.kind === 'ObjectTypeDefinition' || d.kind === 'ObjectTypeExtension' ? [d.name.value] : [],
    ),
  );
  it.each([...own].sort())('%s', (typeName) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    expect(hinted(type.astNode), `type ${typeName} has no @cacheControl`).toBe(true);
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const named = getNamedType(field.type);
      if (!isCompositeType(named) || hinted(field.astNode) || field.name.startsWith('_')) continue;
      expect(hinted(named.astNode), `${typeName}.${field.name} → ${named.name} has no hint`).toBe(true);
    }
  });
});

describe('SGU cache policy per query', () => {
  const maxAge = (query: string) => cachePolicyOf(schema, parse(query)).maxAge;
  const entities = (type: string, selection: string) =>
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { ${selection} } } }`;
  const DAY = TTL.stationsMs / 1000;

  it.each([
    // These three were no-store before: a station's municipality, county and location.
    [
      'station with its municipality',
      '{ groundwaterStation(id: "95_2") { name municipality { code } } }',
      DAY,
    ],
    ['station with its county', '{ groundwaterStation(id: "95_2") { county { code } } }', DAY],
    ['station with its location', '{ groundwaterStation(id: "95_2") { location { latitude } } }', DAY],
    [
      'wells with location and municipality',
      entities('Municipality', 'wells { id location { latitude } municipality { code } use { code } }'),
      TTL.wellsMs / 1000,
    ],
    [
      'soil and bedrock: 30 days',
      entities('Place', 'soilType { name } bedrock { name }'),
      TTL.geologyMs / 1000,
    ],
    [
      'nearest stations',
      entities('Place', 'nearestGroundwaterStations { distanceKm station { id location { longitude } } }'),
      DAY,
    ],
    [
      'the contract query takes the levels',
      entities('Municipality', 'groundwaterStations { id name latestLevel { date } } wellCount'),
      TTL.levelsMs / 1000,
    ],
  ])('%s', (_, query, seconds) => {
    expect(maxAge(query)).toBe(seconds);
  });
});
