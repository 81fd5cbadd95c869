/**
 * Typed client for teams: graphql-codegen's client preset against the graph's API schema
 * (schema/api-schema.graphql, written by `npm run compose`). Run from the repository root:
 *   npm run codegen:team-client      (= graphql-codegen --config examples/team-client/codegen.ts)
 * It reads the `graphql(`…`)` calls in src/ and writes typed documents to generated/.
 * In your own project: copy this file, point `schema` at the gateway's URL or a copy of
 * api-schema.graphql (or set TEAM_CLIENT_SCHEMA to either), and `documents` at your sources.
 */
import { resolve } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The config for a client whose sources are in `<dir>/src` and whose output goes to `<dir>/generated/`.
 * `schema` is a file (resolved from the current directory) or a running gateway's URL
 * (`http://localhost:4000/graphql`, read by introspection).
 */
export function teamClientConfig(dir: string, schema = 'schema/api-schema.graphql'): CodegenConfig {
  return {
    overwrite: true,
    schema: /^https?:\/\//i.test(schema) ? schema : resolve(schema),
    documents: [resolve(dir, 'src/**/*.ts')],
    ignoreNoDocuments: false,
    generates: {
      [`${resolve(dir, 'generated')}/`]: {
        preset: 'client',
        config: {
          // Documents as strings with their types attached: no GraphQL library needed at run time.
          documentMode: 'string',
          useTypeImports: true,
          enumsAsTypes: true,
          // Custom scalars of the graph: GeoJSON geometry objects.
          scalars: { GeoJSON: 'unknown', JSON: 'unknown', DateTime: 'string' },
        },
        presetConfig: { fragmentMasking: false },
      },
    },
  };
}

// TEAM_CLIENT_SCHEMA=http://localhost:4000/graphql npm run codegen:team-client reads a running gateway.
export default teamClientConfig('examples/team-client', process.env['TEAM_CLIENT_SCHEMA'] || undefined);
