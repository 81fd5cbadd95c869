/**
 * npm run persisted:manifest — writes an Apollo persisted query manifest of the example operations
 * (schema/examples/*.graphql), for the gateway's allow-list mode:
 *
 *   npm run persisted:manifest                        # writes persisted-query-manifest.json
 *   npm run persisted:manifest -- --out ops.json      # elsewhere
 *   PERSISTED_QUERIES_MANIFEST=persisted-query-manifest.json PERSISTED_QUERIES_ONLY=true npm start
 *
 * Each operation's body is the printed operation plus the fragments it uses; its id is the SHA-256
 * of that body (what Apollo's own `generate-persisted-query-manifest` does). Every operation is
 * validated against schema/api-schema.graphql first: an invalid one exits 1. Teams generate the
 * manifest of their own app's operations with Apollo's tool; the format is the same.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildSchema,
  type DefinitionNode,
  type FragmentDefinitionNode,
  Kind,
  parse,
  print,
  type SelectionSetNode,
  validate,
} from 'graphql';
import { MANIFEST_FORMAT, type PersistedQueryManifest, sha256 } from '../gateway/src/persisted.ts';
import { apiSchemaFile } from './api-schema.ts';

export const examplesDir = 'schema/examples';
export const defaultManifestFile = 'persisted-query-manifest.json';

/** Names of the fragments a selection set spreads, followed transitively through `fragments`. */
function usedFragments(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): Set<string> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (seen.has(name) || !fragment) continue;
      seen.add(name);
      usedFragments(fragment.selectionSet, fragments, seen);
    } else if (selection.selectionSet) {
      usedFragments(selection.selectionSet, fragments, seen);
    }
  }
  return seen;
}

/** The manifest of every operation in `dir`'s `.graphql` files (file-name order), validated against `schemaFile`. */
export function buildManifest(dir = examplesDir, schemaFile = apiSchemaFile): PersistedQueryManifest {
  const schema = buildSchema(readFileSync(schemaFile, 'utf8'));
  const operations: PersistedQueryManifest['operations'] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const path = join(dir, file);
    const document = parse(readFileSync(path, 'utf8'));
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`${path}: ${errors.map((e) => e.message).join('; ')}`);
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    for (const op of document.definitions) {
      if (op.kind !== Kind.OPERATION_DEFINITION) continue;
      if (!op.name) throw new Error(`${path}: every operation must be named`);
      const used = usedFragments(op.selectionSet, fragments);
      const definitions: DefinitionNode[] = [
        op,
        ...[...fragments.values()].filter((f) => used.has(f.name.value)),
      ];
      const body = print({ kind: Kind.DOCUMENT, definitions });
      operations.push({ id: sha256(body), name: op.name.value, type: op.operation, body });
    }
  }
  return { format: MANIFEST_FORMAT, version: 1, operations };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? process.argv[at + 1] : defaultManifestFile;
  if (!out) {
    console.error('--out needs a file name');
    process.exit(1);
  }
  try {
    const manifest = buildManifest();
    writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`Wrote ${out}: ${manifest.operations.length} operations from ${examplesDir}.`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
