/**
 * The API contract for dates and times (README, "Conventions"): walks the composed API schema that
 * clients see and fails on
 *   - a field that is not deprecated, whose name or description says it holds a date or a time, but
 *     whose type is `String` (use `DateTime` / `Date`; a time code such as SCB's "2025M12" is named
 *     `period` or `…Period`, which says it is a code);
 *   - a scalar field named `…At` that is not a `DateTime`, or `…On` / `…Date` that is not a `Date`
 *     (object fields are not times: a field such as `placeAt` returning a `Place` would name a place);
 * and checks that every subgraph declaring the scalars declares them word for word as the kit does
 * and serves them with the kit's scalar (which refuses what is not RFC 3339).
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type DefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
} from 'graphql';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { SCALAR_SDL } from '../../kit/scalars.ts';
import { subgraphModules } from '../../subgraphs/index.ts';
import { createRuntime } from './harness.ts';

const api: GraphQLSchema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));

/** Names that say "a date or a time" (the convention's suffixes and the words agencies use). */
const TIME_NAME =
  /(At|Time|Date|On)$|^(from|to|time|date|start|end|updated|created|published|issued|modified)$/;
/** Descriptions that promise a date-time format. */
const TIME_DESCRIPTION = /ISO[- ]?8601|RFC ?3339/i;
/** Time codes and periods of varying precision are text by convention, and their name says so. */
const PERIOD_NAME = /^period$|Period$/;

interface FieldAt {
  coordinate: string;
  field: GraphQLField<unknown, unknown>;
  typeName: string;
}

/** Every field of every object and interface type of a schema. */
function fieldsOf(schema: GraphQLSchema): FieldAt[] {
  const out: FieldAt[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      out.push({ coordinate: `${type.name}.${field.name}`, field, typeName: getNamedType(field.type).name });
    }
  }
  return out;
}

/** Fields that break the convention, with the reason. */
function timeViolations(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const { coordinate, field, typeName } of fieldsOf(schema)) {
    if (field.deprecationReason) continue;
    const saysTime = TIME_NAME.test(field.name) || TIME_DESCRIPTION.test(field.description ?? '');
    if (typeName === 'String' && saysTime && !PERIOD_NAME.test(field.name)) {
      out.push(`${coordinate}: String, but its name or description says it is a date or a time`);
    }
    if (!isLeafType(getNamedType(field.type))) continue;
    if (field.name.endsWith('At') && typeName !== 'DateTime') {
      out.push(`${coordinate}: named …At, so it must be a DateTime (it is ${typeName})`);
    }
    if (/(On|Date)$/.test(field.name) && typeName !== 'Date') {
      out.push(`${coordinate}: named …On/…Date, so it must be a Date (it is ${typeName})`);
    }
  }
  return out;
}

describe('dates and times in the API schema', () => {
  it('every date or time that is not deprecated is a DateTime or a Date, named by the convention', () => {
    expect(timeViolations(api)).toEqual([]);
  });

  it('the check finds a text time, a misnamed instant and a misnamed date (it can fail)', () => {
    const bad = buildSchema(`
      type Query {
        "When it happened, ISO-8601 UTC."
        happened: String
        updated: String
        observedAt: String
        startsOn: Int
        placeAt: Query
        period: String
        old: String @deprecated(reason: "Use something else.")
      }
    `);
    expect(timeViolations(bad)).toEqual([
      'Query.happened: String, but its name or description says it is a date or a time',
      'Query.updated: String, but its name or description says it is a date or a time',
      'Query.observedAt: String, but its name or description says it is a date or a time',
      'Query.observedAt: named …At, so it must be a DateTime (it is String)',
      'Query.startsOn: named …On/…Date, so it must be a Date (it is Int)',
    ]);
  });

  it('the API has the scalars with their RFC 3339 specification', () => {
    for (const name of ['DateTime', 'Date']) {
      const scalar = api.getType(name);
      expect(isScalarType(scalar), name).toBe(true);
      if (isScalarType(scalar)) {
        expect(scalar.specifiedByURL).toBe('https://www.rfc-editor.org/rfc/rfc3339#section-5.6');
      }
    }
  });
});

describe('the scalars in each subgraph', () => {
  const expected = Object.fromEntries(
    Object.entries(SCALAR_SDL).map(([name, sdl]) => [name, print(parse(sdl).definitions[0]!)]),
  );
  const declared = (sdl: string) =>
    new Map(
      parse(sdl)
        .definitions.filter(
          (d): d is Extract<DefinitionNode, { kind: Kind.SCALAR_TYPE_DEFINITION }> =>
            d.kind === Kind.SCALAR_TYPE_DEFINITION && d.name.value in SCALAR_SDL,
        )
        .map((d) => [d.name.value, print(d)]),
    );

  const agent = new MockAgent();
  agent.disableNetConnect();

  it.each(subgraphModules.map((m) => [m.name, m] as const))(
    '%s declares DateTime/Date as the kit does and serves them with the kit scalar',
    (name, module) => {
      const sdl = readFileSync(`subgraphs/${name}/schema.graphql`, 'utf8');
      const scalars = declared(sdl);
      for (const [scalar, printed] of scalars) expect(printed, `${name}: ${scalar}`).toBe(expected[scalar]);
      if (scalars.size === 0) return;
      const runtime = createRuntime(module, { mode: 'snapshot', dispatcher: agent });
      for (const scalarName of scalars.keys()) {
        const type = runtime.schema.getType(scalarName);
        expect(isScalarType(type)).toBe(true);
        if (!isScalarType(type)) continue;
        // The SDL's description survives the resolver, and the kit's check is in place.
        expect(type.description).toContain('RFC 3339');
        expect(() => type.serialize('not a date'), `${name}: ${scalarName}`).toThrow(/cannot represent/);
      }
      const sample = { DateTime: '2024-04-24T14:27:02+02:00', Date: '2024-04-24' } as const;
      for (const scalarName of scalars.keys()) {
        const type = runtime.schema.getType(scalarName);
        if (isScalarType(type))
          expect(type.serialize(sample[scalarName as keyof typeof sample])).toBe(
            sample[scalarName as keyof typeof sample],
          );
      }
    },
  );
});
