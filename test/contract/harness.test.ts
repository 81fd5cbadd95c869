import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { entitiesOf, everyField, samplesFor } from './harness.ts';

const SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])
type Municipality @key(fields: "code") {
  code: String!
  centroid: Place! @external
  weather(hours: Int = 3, unit: Unit!): Weather @requires(fields: "centroid { latitude longitude }")
}
type Place @key(fields: "latitude longitude") { latitude: Float! longitude: Float! }
type County @key(fields: "code", resolvable: false) { code: String! }
type Station @key(fields: "id") { id: ID! name: String! place: Place! filter(where: Filter!): Int }
input Filter { x: Int }
enum Unit { CELSIUS KELVIN }
type Weather { temperature: Float station: Station }
type Query { station(id: ID!): Station }
`;

describe('contract harness', () => {
  const entities = entitiesOf(SDL);
  const byName = Object.fromEntries(entities.map((e) => [e.typeName, e]));

  it('reads keys, resolvability, @external and @requires from the SDL', () => {
    expect(entities.map((e) => [e.typeName, e.keys, e.resolvable])).toEqual([
      ['Municipality', ['code'], true],
      ['Place', ['latitude longitude'], true],
      ['County', ['code'], false],
      ['Station', ['id'], true],
    ]);
    expect([...byName['Municipality']!.external]).toEqual(['centroid']);
    expect([...byName['Municipality']!.requires]).toEqual([['weather', 'centroid { latitude longitude }']]);
  });

  it('uses the shared samples for shared entities and insists on the shared key', () => {
    expect(samplesFor('x', byName['Municipality']!, {})).toEqual([{ code: '0180' }]);
    expect(samplesFor('x', byName['Place']!, {})).toEqual([{ latitude: 59.3293, longitude: 18.0686 }]);
    expect(samplesFor('x', { ...byName['Municipality']!, keys: ['id'] }, {})).toMatch(
      /Municipality must be keyed @key\(fields: "code"\)/,
    );
  });

  it('fails an own entity without a sample key, naming the file to add', () => {
    expect(samplesFor('agency', byName['Station']!, {})).toBe(
      'agency declares the entity Station but gives no sample key: add subgraphs/agency/contract-samples.json with {"Station": [{ "id": … }]} — a key the offline snapshot can resolve.',
    );
    expect(samplesFor('agency', byName['Station']!, { Station: [] })).toMatch(/gives no sample key/);
    expect(samplesFor('agency', byName['Station']!, { Station: [{ id: '42' }] })).toEqual([{ id: '42' }]);
  });

  it('selects every field it can, skipping @external, filling required arguments', () => {
    const schema = buildSubgraphSchema([{ typeDefs: parse(SDL), resolvers: {} }]);
    expect(everyField(schema, schema.getType('Municipality')!, byName['Municipality']!.external)).toBe(
      '__typename code weather(unit: CELSIUS) { __typename temperature station { __typename } }',
    );
    // `filter` needs an input object: no sample value, so it is left out.
    expect(everyField(schema, schema.getType('Station')!)).toBe(
      '__typename id name place { __typename latitude longitude }',
    );
  });
});
