/**
 * Every argument, input field and object field of the API schema says what it is: clients see these
 * descriptions in the explorer and in their generated types. A field or argument added without one
 * fails here with its schema coordinate (`Type.field(arg:)`), so the next change documents it.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

const undocumented = (description: string | null | undefined) => !description?.trim();

/** Schema coordinates of everything clients can pass or select that has no description. */
function missingDescriptions(schema: GraphQLSchema): { arguments: string[]; fields: string[] } {
  const args: string[] = [];
  const fields: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (undocumented(field.description)) fields.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (undocumented(arg.description)) args.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (undocumented(field.description)) args.push(`${type.name}.${field.name} (input field)`);
      }
    }
  }
  return { arguments: args.sort(), fields: fields.sort() };
}

describe('missingDescriptions', () => {
  it('names each undocumented argument, input field and field by its coordinate', () => {
    const schema = buildSchema(`
      "A thing."
      type Thing {
        "Documented."
        ok(
          "Documented."
          a: Int
          b: Int
        ): Int
        bare(c: String): String
      }
      input Where { "Documented." x: Int y: Int }
      type Query { "Documented." thing(where: Where): Thing }
    `);
    expect(missingDescriptions(schema)).toEqual({
      arguments: ['Query.thing(where:)', 'Thing.bare(c:)', 'Thing.ok(b:)', 'Where.y (input field)'],
      fields: ['Thing.bare'],
    });
  });

  it('counts a blank description as none', () => {
    const schema = buildSchema('type Query { "  " f(" " a: Int): Int }');
    expect(missingDescriptions(schema)).toEqual({ arguments: ['Query.f(a:)'], fields: ['Query.f'] });
  });
});

describe('the API schema is documented', () => {
  const schema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));
  const missing = missingDescriptions(schema);

  it('has arguments to check', () => {
    const count = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) || isInterfaceType(t))
      .flatMap((t) => Object.values(t.getFields()))
      .reduce((n, f) => n + f.args.length, 0);
    expect(count).toBeGreaterThan(100);
  });

  it('describes every argument and input field (unit, range, default, what omitting it means)', () => {
    expect(missing.arguments, 'arguments without a description').toEqual([]);
  });

  it('describes every field of every object type', () => {
    expect(missing.fields, 'fields without a description').toEqual([]);
  });
});
