import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, inProcessUrl } from '../../gateway/src/compose.ts';
import { loadSubgraphList } from '../../gateway/src/subgraph-list.ts';
import { supergraphMismatches } from '../../gateway/src/supergraph-check.ts';
import { type GraphQLBody, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const QUERY = '{ municipality(code: "0180") { name county { name } } }';
const DESCRIPTION_QUERY = '{ __type(name: "Query") { description } }';

/** The supergraph with a description on `type Query`, the smallest visible change. */
function withQueryDescription(sdl: string, description: string): string {
  const marker = '\ntype Query\n';
  if (!sdl.includes(marker)) throw new Error('the composed supergraph has no "type Query" line');
  return sdl.replace(marker, `\n"""${description}"""\ntype Query\n`);
}

/** The repository's subgraphs composed as if `subgraph`'s code also had `extra` (SDL it does not serve). */
function composedWithExtra(subgraph: string, extra: string) {
  return composeServices(
    loadSubgraphList('schema/subgraphs.json').map((s) => ({
      name: s.name,
      url: inProcessUrl(s.name),
      typeDefs: s.name === subgraph ? parse(`${print(s.module!.typeDefs)}\n${extra}`) : s.module!.typeDefs,
    })),
  );
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('supergraph reload on file change', () => {
  let dir: string;
  let file: string;
  let original: string;
  let gw: TestGateway;

  beforeAll(async () => {
    const composed = composeSupergraph(loadSubgraphList('schema/subgraphs.json'));
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    original = composed.supergraphSdl;
    dir = mkdtempSync(join(tmpdir(), 'sodg-supergraph-'));
    file = join(dir, 'supergraph.graphql');
    writeFileSync(file, original);
    gw = await startTestGateway({ env: { SUPERGRAPH_FILE: file } });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const description = async () =>
    (await gw.query<{ __type: { description: string | null } }>(DESCRIPTION_QUERY)).data?.__type.description;

  it('serves the new schema after the file is rewritten in place, dropping no request', async () => {
    expect(await description()).toBeNull();
    const loadsBefore = gw.app.schemaLoads;
    const answers: Array<GraphQLBody<unknown>> = [];
    const failures: unknown[] = [];
    let running = true;
    // A steady stream of queries from 4 clients while the schema changes under them.
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        try {
          answers.push(await gw.query(QUERY));
        } catch (err) {
          failures.push(err);
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    writeFileSync(file, withQueryDescription(original, 'Reloaded in place.'));
    await until(async () => (await description()) === 'Reloaded in place.', 'the reloaded description');
    await new Promise((resolve) => setTimeout(resolve, 150));
    running = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(10);
    const bad = answers.filter(
      (a) =>
        a.errors !== undefined ||
        JSON.stringify(a.data) !==
          JSON.stringify({
            municipality: { name: 'Stockholm', county: { name: 'Stockholms län' } },
          }),
    );
    expect(bad).toEqual([]);
    expect(gw.app.schemaLoads).toBe(loadsBefore + 1);
  });

  it('picks up a file replaced by rename (how editors and scripts write atomically)', async () => {
    const temp = join(dir, 'supergraph.graphql.tmp');
    writeFileSync(temp, withQueryDescription(original, 'Replaced by rename.'));
    renameSync(temp, file);
    await until(async () => (await description()) === 'Replaced by rename.', 'the renamed file');
  });

  it('keeps serving the previous schema when the new file does not parse', async () => {
    const loads = gw.app.schemaLoads;
    writeFileSync(file, 'this is not a supergraph {');
    // Give the watcher time to see it and reject it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await description()).toBe('Replaced by rename.');
    expect(gw.app.schemaLoads).toBe(loads);
    const body = await gw.query(QUERY);
    expect(body.errors).toBeUndefined();
    // A good file afterwards is picked up again.
    writeFileSync(file, withQueryDescription(original, 'Recovered.'));
    await until(async () => (await description()) === 'Recovered.', 'recovery after a bad file');
  });

  it('keeps the previous schema when the new supergraph names a subgraph that is not in the list', async () => {
    const list = loadSubgraphList('schema/subgraphs.json');
    const unknown = composeServices([
      ...list.map((s) => ({ name: s.name, url: inProcessUrl(s.name), typeDefs: s.module!.typeDefs })),
      {
        name: 'stranger',
        url: inProcessUrl('stranger'),
        typeDefs: parse(
          'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { stranger: String }',
        ),
      },
    ]);
    expect(unknown.errors).toBeUndefined();
    const loads = gw.app.schemaLoads;
    writeFileSync(file, unknown.supergraphSdl!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gw.app.schemaLoads).toBe(loads);
    expect(await description()).toBe('Recovered.');
    expect((await gw.query('{ stranger }')).errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect((await gw.query(QUERY)).errors).toBeUndefined();
  });

  it('refuses a supergraph composed from other subgraph code than this process runs', async () => {
    // SMHI's SDL with a field this process's SMHI subgraph does not have: the supergraph would route
    // `tomorrowsWeather` to it, and every such query would fail (before, it answered null).
    const list = loadSubgraphList('schema/subgraphs.json');
    const other = composedWithExtra('smhi', 'extend type Query { tomorrowsWeather: String }');
    expect(other.errors).toBeUndefined();
    const served = new Map(list.map((s) => [s.name, { schema: gw.app.runtimes.get(s.name)!.schema }]));
    expect(supergraphMismatches(other.supergraphSdl!, served)).toEqual([
      'smhi has no field Query.tomorrowsWeather',
    ]);
    expect(supergraphMismatches(original, served)).toEqual([]);

    const loads = gw.app.schemaLoads;
    writeFileSync(file, other.supergraphSdl!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gw.app.schemaLoads).toBe(loads);
    expect((await gw.query('{ tomorrowsWeather }')).errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
    });
    expect((await gw.query(QUERY)).errors).toBeUndefined();
    // A matching file afterwards is served.
    writeFileSync(file, withQueryDescription(original, 'Matching again.'));
    await until(
      async () => (await description()) === 'Matching again.',
      'a matching supergraph after a refused one',
    );
  });

  it('replays no hit kept under the previous schema: the first answer after a reload is executed', async () => {
    const outcome = async () =>
      (
        await fetch(`${gw.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: QUERY }),
        })
      ).headers.get('x-response-cache');
    await outcome();
    // Kept, then replayed (without Apollo Server's pipeline, which would see the new schema).
    expect([await outcome(), await outcome()]).toEqual(['hit', 'hit']);
    writeFileSync(file, withQueryDescription(original, 'Replays forgotten.'));
    await until(async () => (await description()) === 'Replays forgotten.', 'the reloaded description');
    expect(await outcome()).toBe('miss');
  });
});

describe('a supergraph that does not match at start-up', () => {
  it('fails the start with the reason and what to run', async () => {
    const other = composedWithExtra('scb', 'extend type Query { unemployment: Float }');
    const dir = mkdtempSync(join(tmpdir(), 'sodg-mismatch-'));
    try {
      const file = join(dir, 'supergraph.graphql');
      writeFileSync(file, other.supergraphSdl!);
      const failure = await startTestGateway({ env: { SUPERGRAPH_FILE: file } }).then(
        async (started) => {
          await started.stop();
          return undefined;
        },
        (err: Error) => err.message,
      );
      expect(failure).toMatch(
        /does not match the subgraphs this process runs \(scb has no field Query\.unemployment\)/,
      );
      expect(failure).toMatch(/npm run compose/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('supergraph reload through a symlink swap (how Kubernetes updates a mounted ConfigMap)', () => {
  let dir: string;
  let gw: TestGateway;
  let original: string;

  beforeAll(async () => {
    const composed = composeSupergraph(loadSubgraphList('schema/subgraphs.json'));
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    original = composed.supergraphSdl;
    // dir/supergraph.graphql -> ..data/supergraph.graphql, ..data -> ..v1: the file itself never changes.
    dir = mkdtempSync(join(tmpdir(), 'sodg-configmap-'));
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'supergraph.graphql'), original);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/supergraph.graphql', join(dir, 'supergraph.graphql'));
    gw = await startTestGateway({ env: { SUPERGRAPH_FILE: join(dir, 'supergraph.graphql') } });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the new schema after ..data is swapped to a new version', async () => {
    const description = async () =>
      (await gw.query<{ __type: { description: string | null } }>(DESCRIPTION_QUERY)).data?.__type
        .description;
    expect(await description()).toBeNull();
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'supergraph.graphql'), withQueryDescription(original, 'Swapped.'));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await until(async () => (await description()) === 'Swapped.', 'the swapped supergraph');
    expect((await gw.query(QUERY)).errors).toBeUndefined();
  });
});
