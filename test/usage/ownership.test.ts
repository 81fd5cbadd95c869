import { readFileSync } from 'node:fs';
import { buildASTSchema, buildSchema, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldOwners } from '../../gateway/src/usage/ownership.ts';
import { operationFields } from '../../gateway/src/usage/walk.ts';

/** A hand-written supergraph fragment with each ownership case the join directives express. */
const SUPERGRAPH = `
enum join__Graph {
  ALPHA @join__graph(name: "alpha", url: "http://alpha")
  BETA @join__graph(name: "beta-agency", url: "http://beta")
}
type Query @join__type(graph: ALPHA) @join__type(graph: BETA) {
  thing(id: ID!): Thing @join__field(graph: ALPHA)
  other: Thing @join__field(graph: BETA)
}
type Thing @join__type(graph: ALPHA, key: "id") @join__type(graph: BETA, key: "id") {
  id: ID!
  name: String! @join__field(graph: ALPHA) @join__field(graph: BETA, external: true)
  moved: String @join__field(graph: ALPHA, usedOverridden: true) @join__field(graph: BETA, override: "alpha")
  shared: Int @join__field(graph: ALPHA) @join__field(graph: BETA)
}
interface Node @join__type(graph: ALPHA) {
  id: ID!
}
`;

describe('fieldOwners', () => {
  const owners = fieldOwners(SUPERGRAPH);

  it('takes a field to the graphs of its @join__field, by subgraph name', () => {
    expect(owners.get('Query.thing')).toEqual(['alpha']);
    expect(owners.get('Query.other')).toEqual(['beta-agency']);
    expect(owners.get('Thing.shared')).toEqual(['alpha', 'beta-agency']);
  });

  it('does not count external or overridden declarations as owners', () => {
    expect(owners.get('Thing.name')).toEqual(['alpha']);
    expect(owners.get('Thing.moved')).toEqual(['beta-agency']);
  });

  it('gives a field without @join__field to every graph of its type (key fields)', () => {
    expect(owners.get('Thing.id')).toEqual(['alpha', 'beta-agency']);
    expect(owners.get('Node.id')).toEqual(['alpha']);
  });

  it('reads the real supergraph: geography from lantmateriet, forecasts from smhi', () => {
    const real = fieldOwners(readFileSync('schema/supergraph.graphql', 'utf8'));
    expect(real.get('Query.municipality')).toEqual(['lantmateriet']);
    expect(real.get('Municipality.name')).toEqual(['lantmateriet']);
    expect(real.get('Municipality.forecast')).toEqual(['smhi']);
    expect(real.get('Place.forecast')).toEqual(['smhi']);
    expect(real.get('ForecastStep.airTemperature')).toEqual(['smhi']);
    // The entity key belongs to every subgraph that declares the entity.
    expect(real.get('Municipality.code')).toEqual(expect.arrayContaining(['lantmateriet', 'smhi']));
  });
});

describe('attribution of fields several subgraphs resolve', () => {
  const owners = fieldOwners(SUPERGRAPH);
  const schema = buildASTSchema(parse(SUPERGRAPH), { assumeValidSDL: true });
  const attribute = (query: string) => {
    const document = parse(query);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    const f = operationFields(schema, document, operation, (c) => owners.get(c) ?? []);
    return Object.fromEntries([...f.subgraphs].map(([c, s]) => [c, [...s].sort()]));
  };

  it('keeps a key or shareable field in the subgraph of the field it was selected under', () => {
    expect(attribute('{ thing(id: "1") { id shared name } }')).toEqual({
      'Query.thing': ['alpha'],
      'Thing.id': ['alpha'],
      'Thing.shared': ['alpha'],
      'Thing.name': ['alpha'],
    });
    expect(attribute('{ other { id shared moved } }')).toEqual({
      'Query.other': ['beta-agency'],
      'Thing.id': ['beta-agency'],
      'Thing.shared': ['beta-agency'],
      'Thing.moved': ['beta-agency'],
    });
  });

  it('goes to the owning subgraph when the parent is elsewhere, and unions over occurrences', () => {
    expect(attribute('{ other { name } thing(id: "1") { id } x: other { id } }')).toEqual({
      'Query.other': ['beta-agency'],
      'Query.thing': ['alpha'],
      'Thing.name': ['alpha'],
      'Thing.id': ['alpha', 'beta-agency'],
    });
  });
});

describe('operationFields', () => {
  const schema = buildSchema(`
    type Query { thing(id: ID!): Thing, things: [Thing!]!, search: [Result!]! }
    type Thing implements Node { id: ID!, name: String!, parts: [Part!]! }
    type Part { label: String }
    interface Node { id: ID! }
    union Result = Thing | Part
  `);
  const fieldsOf = (query: string) => {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    if (operation?.kind !== 'OperationDefinition') throw new Error('no operation');
    return operationFields(schema, document, operation);
  };

  it('names each selected field by its coordinate, once, through fragments and aliases', () => {
    const f = fieldsOf(`
      query Q {
        a: thing(id: "secret-id") { ...T parts { label } }
        b: thing(id: "2") { name __typename }
        things { ... on Node { id } }
        search { ... on Part { label } ... on Thing { name } }
        __schema { queryType { name } }
      }
      fragment T on Thing { id name }
    `);
    expect([...f.coordinates].sort()).toEqual([
      'Node.id',
      'Part.label',
      'Query.search',
      'Query.thing',
      'Query.things',
      'Thing.id',
      'Thing.name',
      'Thing.parts',
    ]);
  });

  it('maps response paths (aliases, no list indices) to coordinates for error attribution', () => {
    const f = fieldsOf('{ a: thing(id: "1") { parts { label } } things { name } }');
    expect(f.byPath.get('a')).toEqual(new Set(['Query.thing']));
    expect(f.byPath.get('a.parts.label')).toEqual(new Set(['Part.label']));
    expect(f.byPath.get('things.name')).toEqual(new Set(['Thing.name']));
  });

  it('survives a fragment cycle (rejected by validation, never looped on)', () => {
    const f = fieldsOf(
      '{ thing(id: "1") { ...A } } fragment A on Thing { name ...B } fragment B on Thing { id ...A }',
    );
    expect([...f.coordinates].sort()).toEqual(['Query.thing', 'Thing.id', 'Thing.name']);
  });
});
