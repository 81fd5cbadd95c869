/**
 * Generated artefacts that are checked in must equal a fresh run of their generator, or the
 * gateway serves a schema (or resolvers are typed against one) that no longer matches the code.
 */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.ts';
import { composeSupergraph } from '../../gateway/src/compose.ts';
import { loadSubgraphList } from '../../gateway/src/subgraph-list.ts';

describe('checked-in generated files are fresh', () => {
  it('schema/supergraph.graphql equals a fresh composition of schema/subgraphs.json', () => {
    const result = composeSupergraph(loadSubgraphList('schema/subgraphs.json'));
    if (!result.ok) throw new Error(`composition failed:\n${result.errors.join('\n')}`);
    const checkedIn = readFileSync('schema/supergraph.graphql', 'utf8');
    expect(
      checkedIn === result.supergraphSdl,
      'schema/supergraph.graphql is stale: run "npm run compose"',
    ).toBe(true);
  });

  it('every generated resolver types file equals a fresh codegen run', { timeout: 60_000 }, async () => {
    const targets = Object.keys(codegenConfig.generates);
    expect(targets.length).toBeGreaterThan(0);
    // saveToFile = false: codegen returns what it would write; nothing in the checkout changes.
    const outputs: Array<{ filename: string; content: string }> = await generate(
      { ...codegenConfig, silent: true },
      false,
    );
    expect(outputs.map((o) => o.filename).sort()).toEqual([...targets].sort());
    const stale = outputs
      .filter((o) => {
        try {
          return readFileSync(o.filename, 'utf8') !== o.content;
        } catch {
          return true;
        }
      })
      .map((o) => o.filename);
    expect(stale, 'stale generated files: run "npm run codegen" and commit the result').toEqual([]);
  });
});
