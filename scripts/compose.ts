/**
 * npm run compose — composes every listed subgraph into schema/supergraph.graphql.
 * Also writes schema/api-schema.graphql (the client-facing schema, see scripts/api-schema.ts) and the
 * copy of the supergraph the Kubernetes manifests mount (kustomize reads no file outside its folder).
 * `--check` compares instead of writing (exit 1 when stale). Composition errors exit 1, one per line.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { composeSupergraph } from '../gateway/src/compose.ts';
import { loadSubgraphList } from '../gateway/src/subgraph-list.ts';
import { apiSchemaFile, apiSchemaSdl } from './api-schema.ts';

const listFile = 'schema/subgraphs.json';
const outFile = 'schema/supergraph.graphql';
const kubernetesCopy = 'deploy/kubernetes/supergraph.graphql';
const check = process.argv.includes('--check');

const result = composeSupergraph(loadSubgraphList(listFile));
if (!result.ok) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) console.error(`  ${error}`);
  process.exit(1);
}
if (check) {
  const current = readFileSync(outFile, 'utf8');
  if (current !== result.supergraphSdl) {
    console.error(`${outFile} is stale: run "npm run compose" and commit the result.`);
    process.exit(1);
  }
  if (
    !existsSync(apiSchemaFile) ||
    readFileSync(apiSchemaFile, 'utf8') !== apiSchemaSdl(result.supergraphSdl)
  ) {
    console.error(`${apiSchemaFile} is stale: run "npm run compose" and commit the result.`);
    process.exit(1);
  }
  if (!existsSync(kubernetesCopy) || readFileSync(kubernetesCopy, 'utf8') !== result.supergraphSdl) {
    console.error(`${kubernetesCopy} is stale: run "npm run compose" and commit the result.`);
    process.exit(1);
  }
  console.log(`${outFile}, ${apiSchemaFile} and ${kubernetesCopy} are up to date.`);
} else {
  writeAtomically(outFile, result.supergraphSdl);
  console.log(`Wrote ${outFile} (${result.supergraphSdl.length} bytes).`);
  // The client-facing schema (no federation machinery), for team clients' codegen.
  writeAtomically(apiSchemaFile, apiSchemaSdl(result.supergraphSdl));
  console.log(`Wrote ${apiSchemaFile}.`);
  writeAtomically(kubernetesCopy, result.supergraphSdl);
  console.log(`Wrote ${kubernetesCopy} (mounted by the Kubernetes manifests).`);
}

/**
 * Writes through a temporary file and a rename, so a running gateway (which reloads the supergraph
 * when the file changes) never reads a half-written file.
 */
function writeAtomically(file: string, text: string) {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, file);
}
