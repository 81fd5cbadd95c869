/**
 * The READMEs match the schema: every `Type.field` they name exists in the composed API schema, and a
 * deprecated one is named only where the text says it is deprecated (a line saying so, or a row of a
 * "Deprecated | Use" table). So a renamed or removed field cannot linger in the documentation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

const schema = buildSchema(readFileSync('schema/api-schema.graphql', 'utf8'));
const readmes = [
  'README.md',
  ...readdirSync('subgraphs', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `subgraphs/${d.name}/README.md`),
];

/** Every `Type.field` mention of a file: missing fields, and deprecated ones named as if current. */
function problemsOf(file: string): string[] {
  const problems: string[] = [];
  let inDeprecationTable = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.startsWith('|')) inDeprecationTable = false;
      else if (/^\|\s*Deprecated\b/.test(line)) inDeprecationTable = true;
      for (const m of line.matchAll(/`([A-Z][A-Za-z]+)\.([a-z][A-Za-z]*)/g)) {
        const type = schema.getType(m[1]!);
        if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
        const field = type.getFields()[m[2]!];
        const where = `${file}:${i + 1} ${m[1]}.${m[2]}`;
        if (!field) problems.push(`${where} does not exist`);
        else if (
          'deprecationReason' in field &&
          field.deprecationReason &&
          !inDeprecationTable &&
          !/deprecat/i.test(line)
        )
          problems.push(`${where} is deprecated, but the line does not say so`);
      }
    });
  return problems;
}

describe('the READMEs name only fields the schema has', () => {
  it.each(readmes)('%s', (file) => {
    expect(problemsOf(file)).toEqual([]);
  });

  it('reads the deprecation table of the README (the check above is not vacuous)', () => {
    const text = readFileSync('README.md', 'utf8');
    expect(text).toMatch(/^\| Deprecated \| Use \|$/m);
    expect(text.match(/`[A-Z][A-Za-z]+\.[a-z][A-Za-z]*/g)!.length).toBeGreaterThan(40);
  });
});
