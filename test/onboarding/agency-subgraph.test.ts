/**
 * The example agency subgraph (examples/agency-subgraph) runs as a SEPARATE PROCESS, the way an
 * agency runs its own service, and is queried through the gateway together with the built-in
 * subgraphs: a temp subgraph list adds it with `url` + `sdlFile`, a temp supergraph is composed from
 * that list, and the gateway starts in-process on them (snapshot mode: no network for the built-ins).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../gateway/src/compose.ts';
import { loadSubgraphList } from '../../gateway/src/subgraph-list.ts';
import { ERROR_CODES } from '../../kit/errors.ts';
import { entitiesOf } from '../contract/harness.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sh } from './temp-repo.ts';

const EXAMPLE = 'examples/agency-subgraph';
const NAME = 'protected-areas';

/** Starts the example with `tsx` on a free port (port 0) and resolves with the URL it prints. */
function startExample(): Promise<{ child: ChildProcess; url: string }> {
  // Same as `npx tsx examples/agency-subgraph/server.ts`, but one process we can stop by its pid.
  const child = spawn(process.execPath, ['--import', 'tsx', `${EXAMPLE}/server.ts`, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = / ready at (http:\/\/\S+\/graphql)/.exec(out);
      if (match) {
        child.stdout?.off('data', onData);
        resolveUrl({ child, url: match[1]! });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('exit', (code) =>
      reject(new Error(`example subgraph exited (${code}) before it was ready:\n${out}`)),
    );
  });
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown>;
    errors?: Array<{ extensions?: Record<string, unknown> }>;
  };
}

describe('an agency subgraph running as its own service, through the gateway', () => {
  let example: { child: ChildProcess; url: string };
  let dir: string;
  let gw: TestGateway;

  beforeAll(async () => {
    example = await startExample();
    dir = mkdtempSync(join(tmpdir(), 'agency-'));
    // The repository's list plus the example, as an agency would add it.
    const list = JSON.parse(readFileSync('schema/subgraphs.json', 'utf8')) as { subgraphs: object[] };
    list.subgraphs.push({ name: NAME, url: example.url, sdlFile: resolve(EXAMPLE, 'schema.graphql') });
    writeFileSync(join(dir, 'subgraphs.json'), JSON.stringify(list, null, 2));
    const composed = composeSupergraph(loadSubgraphList(join(dir, 'subgraphs.json')));
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
    gw = await startTestGateway({
      env: { SUBGRAPHS_FILE: join(dir, 'subgraphs.json'), SUPERGRAPH_FILE: join(dir, 'supergraph.graphql') },
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    if (example?.child.exitCode === null) {
      const exited = new Promise((r) => example.child.once('exit', r));
      example.child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the SDL it was composed from (sdlFile and the running service agree)', async () => {
    const body = await post(example.url, '{ _service { sdl } }');
    const served = (body.data?.['_service'] as { sdl: string } | undefined)?.sdl ?? '';
    const file = readFileSync(`${EXAMPLE}/schema.graphql`, 'utf8');
    expect(entitiesOf(served).map((e) => [e.typeName, e.keys])).toEqual(
      entitiesOf(file).map((e) => [e.typeName, e.keys]),
    );
    const names = (sdl: string) =>
      parse(sdl)
        .definitions.flatMap((d) => ('name' in d && d.name ? [d.name.value] : []))
        .sort();
    expect(names(served)).toEqual(expect.arrayContaining(names(file)));
  });

  it('is reachable for the gateway and listed as remote', async () => {
    expect(gw.app.subgraphs.find((s) => s.name === NAME)?.url).toBe(example.url);
    const ready = (await (await fetch(`${gw.url}/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks[NAME]).toBe('reachable');
    expect(ready.checks['lantmateriet']).toBe('in-process');
  });

  it('joins its synthetic protected areas with the built-in geography in one query', async () => {
    const body = await gw.query(`{
      municipality(code: "0180") {
        name
        county { name }
        protectedAreas { id name kind areaHectares municipality { code name } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      municipality: {
        name: 'Stockholm',
        county: { name: 'Stockholms län' },
        protectedAreas: [
          {
            id: 'EX-0180-1',
            name: 'Exempelreservatet Norr (exempel)',
            kind: 'NATURE_RESERVE',
            areaHectares: 120.5,
            municipality: { code: '0180', name: 'Stockholm' },
          },
          {
            id: 'EX-0180-2',
            name: 'Exempelreservatet Söder (exempel)',
            kind: 'NATURE_RESERVE',
            areaHectares: 48,
            municipality: { code: '0180', name: 'Stockholm' },
          },
        ],
      },
    });
  });

  it('resolves its own entity and links back to the built-in Municipality', async () => {
    const body = await gw.query(
      '{ protectedArea(id: "EX-2480-1") { name municipality { name county { code } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      protectedArea: {
        name: 'Exempelparken (exempel)',
        municipality: { name: 'Umeå', county: { code: '24' } },
      },
    });
  });

  it('passes its errors through with a code from the fixed set and its agency', async () => {
    const body = await gw.query('{ protectedArea(id: "not an id") { name } }');
    expect(body.data).toEqual({ protectedArea: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', agency: NAME });
    expect(ERROR_CODES).toContain(body.errors?.[0]?.extensions?.['code']);
    expect(body.errors?.[0]?.message).toMatch(/ids look like "EX-0180-1"/);
  });

  it('resolves the contract samples over HTTP (Municipality 0180 and its own entity)', async () => {
    const samples = JSON.parse(readFileSync(`${EXAMPLE}/contract-samples.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const body = await post(
      example.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Municipality { code } ... on ProtectedArea { id } } }',
      {
        r: [
          { __typename: 'Municipality', code: '0180' },
          ...(samples['ProtectedArea'] as object[]).map((s) => ({ __typename: 'ProtectedArea', ...s })),
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['_entities']).toEqual([
      { __typename: 'Municipality', code: '0180' },
      { __typename: 'ProtectedArea', id: 'EX-0180-1' },
    ]);
  });

  it('type-checks (the example is outside the root tsconfig, so it has its own)', () => {
    const tsc = sh('.', 'npx', ['tsc', '-p', `${EXAMPLE}/tsconfig.json`, '--pretty', 'false']);
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});
