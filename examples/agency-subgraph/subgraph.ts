/**
 * The example agency subgraph: a plain Apollo subgraph that does not use this repository's kit,
 * as an agency's own service would be. It extends `Municipality` (key "code") and adds an entity
 * of its own (`ProtectedArea`, key "id"). Errors carry `extensions.code` from the graph's fixed set
 * and `extensions.agency`, like every subgraph.
 */
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, type GraphQLSchema, parse } from 'graphql';
import { PROTECTED_AREAS, type ProtectedArea } from './data.synthetic.ts';

/** The subgraph name: the gateway's list entry and `extensions.agency`. */
export const AGENCY = 'protected-areas';
export const schemaFile = new URL('./schema.graphql', import.meta.url);

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', agency: AGENCY } });
}

function requireCode(code: string): string {
  if (!/^\d{4}$/.test(code)) {
    throw badInput(`Municipality code "${code}" is malformed: use the 4-digit SCB code, e.g. "0180".`);
  }
  return code;
}

function areaById(id: string): ProtectedArea | null {
  if (!/^EX-\d{4}-\d+$/.test(id))
    throw badInput(`Protected area id "${id}" is malformed: ids look like "EX-0180-1".`);
  return PROTECTED_AREAS.find((a) => a.id === id) ?? null;
}

export function createSchema(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(readFileSync(schemaFile, 'utf8')),
    resolvers: {
      Query: {
        protectedArea: (_: unknown, { id }: { id: string }) => areaById(id),
      },
      Municipality: {
        __resolveReference: (ref: { code: string }) => ({ code: requireCode(ref.code) }),
        protectedAreas: (m: { code: string }) =>
          PROTECTED_AREAS.filter((a) => a.municipalityCode === m.code).sort((a, b) =>
            a.id.localeCompare(b.id),
          ),
      },
      ProtectedArea: {
        __resolveReference: (ref: { id: string }) => areaById(ref.id),
        municipality: (a: ProtectedArea) => ({ code: a.municipalityCode }),
      },
    },
  });
}
