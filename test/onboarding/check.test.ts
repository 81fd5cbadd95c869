import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaSdl } from '../../scripts/api-schema.ts';
import { checkSupergraphs } from '../../scripts/check.ts';

const fixtures = 'test/onboarding/fixtures/check';

/** Composes one fixture subgraph (plus nothing else) into a real supergraph. */
function supergraphOf(file: string): string {
  const result = composeServices([
    {
      name: 'fixture',
      url: 'in-process://fixture',
      typeDefs: parse(readFileSync(join(fixtures, file), 'utf8')),
    },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return `${result.supergraphSdl.trim()}\n`;
}

const base = supergraphOf('base.graphql');
const breaking = supergraphOf('breaking.graphql');
const additive = supergraphOf('additive.graphql');

const check = (newSdl: string, extra: Partial<Parameters<typeof checkSupergraphs>[0]> = {}) =>
  checkSupergraphs({ baseSdl: base, baseName: 'base', newSdl, ...extra });

describe('npm run check: the diff (scripts/check.ts)', () => {
  it('lists every breaking change and exits 1', () => {
    const result = check(breaking);
    expect(result.exitCode).toBe(1);
    const breakingChanges = result.changes
      .filter((c) => c.level === 'breaking')
      .map((c) => `${c.type}: ${c.description}`);
    // Every class: removed type/field/argument/enum value/input field; changed field and argument
    // types; outputs made nullable; arguments and input fields made required or added as required.
    expect(breakingChanges.sort()).toEqual(
      [
        'ARG_CHANGED_KIND: Municipality.population arg year has changed type from Int to Int!.',
        'ARG_CHANGED_KIND: Query.filter arg first has changed type from Int to String.',
        'ARG_CHANGED_KIND: Query.search arg text has changed type from String to String!.',
        'ARG_REMOVED: Query.search arg kind was removed.',
        'FIELD_CHANGED_KIND: Municipality.inhabitants changed type from Int to String.',
        'FIELD_CHANGED_KIND: Municipality.name changed type from String! to String.',
        'FIELD_CHANGED_KIND: MunicipalityFilter.county changed type from String to String!.',
        'FIELD_REMOVED: Municipality.area was removed.',
        'FIELD_REMOVED: MunicipalityFilter.minPopulation was removed.',
        'FIELD_REMOVED: Query.lakes was removed.',
        'REQUIRED_ARG_ADDED: A required arg sort on Query.filter was added.',
        'REQUIRED_INPUT_FIELD_ADDED: A required field area on input type MunicipalityFilter was added.',
        'TYPE_REMOVED: Lake was removed.',
        'VALUE_REMOVED_FROM_ENUM: RURAL was removed from enum type MunicipalityKind.',
      ].sort(),
    );
    expect(result.lines[0]).toMatch(/^BREAKING: 14 change\(s\)/);
    expect(result.lines.at(-1)).toMatch(/run "npm run compose"/);
  });

  it('lists non-breaking changes as info and exits 0, still saying to run compose', () => {
    const result = check(additive);
    expect(result.exitCode).toBe(0);
    expect(result.changes.filter((c) => c.level === 'breaking')).toEqual([]);
    const byType = result.changes.map((c) => `${c.type}: ${c.description}`);
    expect(byType).toEqual(
      expect.arrayContaining([
        'TYPE_ADDED: Person was added.',
        'FIELD_ADDED: Municipality.density was added.',
        'FIELD_ADDED: Municipality.mayor was added.',
        'OPTIONAL_ARG_ADDED: An optional arg sex on Municipality.population was added.',
        'VALUE_ADDED_TO_ENUM: MIXED was added to enum type MunicipalityKind.',
        'FIELD_MADE_NON_NULL: Municipality.area changed type from Float to Float!.',
        'ARG_MADE_OPTIONAL: Query.municipality(code:) changed type from String! to String.',
        'INPUT_FIELD_MADE_OPTIONAL: MunicipalityFilter.kind changed type from MunicipalityKind! to MunicipalityKind.',
        'OPTIONAL_INPUT_FIELD_ADDED: An optional field name on input type MunicipalityFilter was added.',
        // Deprecating an argument is the step before removing it: reported, not breaking.
        'DEPRECATED: Query.search(kind:) was deprecated: Filter the answer instead.',
      ]),
    );
    expect(result.lines[0]).toMatch(/^Non-breaking: \d+ change\(s\)/);
    expect(result.lines.at(-1)).toBe(
      'base differ(s) from the composed schema: run "npm run compose" and commit the result.',
    );
    expect(check(additive, { strict: true }).exitCode).toBe(1);
  });

  it('is silent and exits 0 when nothing changed; flags a stale API schema file', () => {
    expect(check(base)).toEqual({
      exitCode: 0,
      changes: [],
      lines: ['No API changes compared with base.'],
    });
    expect(check(base, { apiSchemaText: apiSchemaSdl(base) }).exitCode).toBe(0);
    const stale = check(base, { apiSchemaText: 'type Query { old: Int }\n' });
    expect(stale.exitCode).toBe(0);
    expect(stale.lines.at(-1)).toMatch(/schema\/api-schema.graphql differ\(s\).*npm run compose/);
  });

  it('fails on composition errors, listing them', () => {
    const result = check(undefined as never, { newSdl: undefined, compositionErrors: ['[X] boom'] });
    expect(result).toMatchObject({
      exitCode: 1,
      lines: ['Composition failed with 1 error(s):', '  [X] boom'],
    });
  });
});

describe('npm run check: the command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'check-'));
    writeFileSync(join(dir, 'base.graphql'), base);
    writeFileSync(join(dir, 'breaking.graphql'), breaking);
    writeFileSync(join(dir, 'additive.graphql'), additive);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    spawnSync('npx', ['tsx', 'scripts/check.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('exits 1 and prints the breaking changes for a breaking pair', () => {
    const r = run('--base', join(dir, 'base.graphql'), '--new', join(dir, 'breaking.graphql'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('✗ FIELD_REMOVED: Municipality.area was removed.');
  });

  it('exits 0 for an additive pair (two given files: no advice to compose)', () => {
    const r = run('--base', join(dir, 'base.graphql'), '--new', join(dir, 'additive.graphql'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('+ FIELD_ADDED: Municipality.density was added.');
    expect(r.stdout).not.toContain('npm run compose');
  });

  it('names a missing option value (exit 2)', () => {
    const r = run('--base');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--base needs a value');
  });
});
