/**
 * The API schema: what clients of the gateway see. It is the composed supergraph without the
 * federation machinery (join__/link__ types and directives, @inaccessible elements), printed with
 * types and fields sorted so that composition order never shows up as a change.
 *
 * `npm run api-schema` writes schema/api-schema.graphql from schema/supergraph.graphql (npm run compose
 * does this too); `--check` compares instead (exit 1 when stale). Team clients generate their types
 * from this file (see examples/team-client).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
// Ships with @apollo/composition (which pins the same version); it is what the gateway itself uses
// to turn a supergraph into the schema clients query.
import { Supergraph } from '@apollo/federation-internals';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';

export const supergraphFile = 'schema/supergraph.graphql';
export const apiSchemaFile = 'schema/api-schema.graphql';

/** The API schema of a supergraph, as a graphql-js schema. Throws if the SDL is not a valid supergraph. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return lexicographicSortSchema(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema());
}

/** The printed API schema of a supergraph (stable: sorted, trailing newline). */
export function apiSchemaSdl(supergraphSdl: string): string {
  return `${printSchema(apiSchemaOf(supergraphSdl)).trim()}\n`;
}

/** Writes (or, with `check`, compares) the API schema file; returns false when `check` finds it stale. */
export function writeApiSchema(options: { supergraph?: string; out?: string; check?: boolean } = {}): {
  ok: boolean;
  message: string;
} {
  const supergraph = options.supergraph ?? supergraphFile;
  const out = options.out ?? apiSchemaFile;
  const sdl = apiSchemaSdl(readFileSync(supergraph, 'utf8'));
  if (options.check) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing counts as stale
    }
    return current === sdl
      ? { ok: true, message: `${out} is up to date.` }
      : { ok: false, message: `${out} is stale: run "npm run compose" and commit the result.` };
  }
  writeFileSync(out, sdl);
  return { ok: true, message: `Wrote ${out} (${sdl.length} bytes).` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = writeApiSchema({ check: process.argv.includes('--check') });
  (result.ok ? console.log : console.error)(result.message);
  if (!result.ok) process.exit(1);
}
