import { readFileSync } from 'node:fs';
import { GraphQLScalarType, parse } from 'graphql';
import { createSubgraph } from '../kit/subgraph.ts';
import type { LantmaterietContext } from './context.ts';
import { createResolvers } from './resolvers.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

const GeoJSON = new GraphQLScalarType({
  name: 'GeoJSON',
  description: 'A GeoJSON geometry object (RFC 7946), WGS84 with [longitude, latitude] positions.',
  serialize: (value) => value,
});

/** Lantmäteriet subgraph: the geographic backbone (embedded, no account) that every agency joins on. */
export const lantmateriet = createSubgraph({
  name: 'lantmateriet',
  agency: 'Lantmäteriet',
  attribution:
    'Municipality and county outlines: okfse/sweden-geojson (derived from Valmyndigheten data via opendatasoft), simplified. Official names: Källa: SCB (CC0). Live Lantmäteriet data: © Lantmäteriet.',
  typeDefs,
  env: {},
  setup: () => ({
    resolvers: { ...createResolvers(), GeoJSON },
    context: (): LantmaterietContext => ({}),
  }),
});
