/**
 * Identical subgraph fetches in flight share one HTTP call (`sharedFetches` in the remote data
 * source), against a tiny local subgraph server that holds its answers until the test lets them go:
 * N identical concurrent fetches are one call, different ones are not merged, nor mutations, nor an
 * answer marked private; a request that joined a fetch gets the answer's stale markers but not its
 * call counts.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type GatewayContext,
  JOINED_HEADER,
  type SubgraphFetch,
  sharedFetches,
  UndiciRemoteDataSource,
} from '../../gateway/src/datasources.ts';
import { createTrace } from '../../kit/upstream.ts';

interface Subgraph {
  url: string;
  /** Bodies of the requests received, in order. */
  received: string[];
  /** Answers every request held so far. */
  release(): void;
  server: Server;
}

const servers: Server[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function subgraph(cacheControl = 'max-age=60, public'): Promise<Subgraph> {
  const received: string[] = [];
  let held: Array<() => void> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push(body);
    await new Promise<void>((resolve) => held.push(resolve));
    const { variables } = JSON.parse(body) as { variables?: { n?: number } };
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl });
    res.end(
      JSON.stringify({
        data: { n: variables?.n ?? 0, call: received.length },
        extensions: { upstream: { calls: 1, cacheHits: 0, stale: ['smhi'], offline: [], freshForMs: 5_000 } },
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received,
    server,
    release() {
      for (const go of held) go();
      held = [];
    },
  };
}

function plainFetch(): SubgraphFetch {
  const agent = new Agent();
  agents.push(agent);
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent });
}

const post = (query: string, variables: Record<string, unknown> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query, variables }),
});

/** Waits until the server has received `n` requests (they are held there until released). */
async function arrived(sg: Subgraph, n: number) {
  while (sg.received.length < n) await new Promise((resolve) => setImmediate(resolve));
}

describe('identical subgraph fetches in flight', () => {
  it('N identical concurrent fetches make one HTTP call; each caller gets its own answer object', async () => {
    const sg = await subgraph();
    const fetch = sharedFetches(plainFetch());
    const query = 'query Q__smhi__1($n: Int) { n }';
    const pending = Array.from({ length: 5 }, () => fetch(sg.url, post(query, { n: 1 })));
    await arrived(sg, 1);
    sg.release();
    const responses = await Promise.all(pending);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(sg.received).toHaveLength(1);
    expect(bodies.every((b) => JSON.stringify(b) === JSON.stringify(bodies[0]))).toBe(true);
    expect(new Set(bodies).size).toBe(5);
    expect(responses.map((r) => r.headers.get(JOINED_HEADER))).toEqual([null, '1', '1', '1', '1']);
    // Done: the next identical fetch is a call of its own.
    const later = fetch(sg.url, post(query, { n: 1 }));
    await arrived(sg, 2);
    sg.release();
    expect((await (await later).json()) as unknown).toMatchObject({ data: { call: 2 } });
  });

  it('different variables, another query, a mutation or another subgraph are not merged', async () => {
    const sg = await subgraph();
    const other = await subgraph();
    const fetch = sharedFetches(plainFetch());
    const pending = [
      fetch(sg.url, post('query A { n }', { n: 1 })),
      fetch(sg.url, post('query A { n }', { n: 2 })),
      fetch(sg.url, post('query B { n }', { n: 1 })),
      fetch(sg.url, post('mutation M { n }', { n: 1 })),
      fetch(sg.url, post('mutation M { n }', { n: 1 })),
      fetch(other.url, post('query A { n }', { n: 1 })),
    ];
    await arrived(sg, 5);
    await arrived(other, 1);
    sg.release();
    other.release();
    await Promise.all(pending);
    expect(sg.received).toHaveLength(5);
    expect(other.received).toHaveLength(1);
  });

  it('an answer marked private is not shared: a request that joined makes its own call', async () => {
    const sg = await subgraph('max-age=3600, private');
    const fetch = sharedFetches(plainFetch());
    const query = 'query Address { n }';
    const first = fetch(sg.url, post(query));
    const second = fetch(sg.url, post(query));
    await arrived(sg, 1);
    sg.release();
    await first;
    await arrived(sg, 2);
    sg.release();
    const joined = await second;
    expect(joined.headers.get(JOINED_HEADER)).toBeNull();
    expect(((await joined.json()) as { data: { call: number } }).data.call).toBe(2);
    expect(sg.received).toHaveLength(2);
  });

  it('through the remote data source: the joined request gets the stale markers and freshness, not the call counts', async () => {
    const sg = await subgraph();
    const agent = new Agent();
    agents.push(agent);
    const source = new UndiciRemoteDataSource({
      name: 'smhi',
      url: sg.url,
      timeoutMs: 5_000,
      dispatcher: agent,
      now: () => 1_000,
    });
    const contexts = [0, 1, 2].map((): GatewayContext => ({ trace: createTrace(), wantsStats: true }));
    const pending = contexts.map((context) =>
      source.process({
        // GraphQLDataSourceRequestKind.HEALTH_CHECK (the enum is not exported by @apollo/gateway).
        kind: 'health check' as never,
        request: { query: 'query Q__smhi__0 { n }', variables: {} },
        context,
      }),
    );
    await arrived(sg, 1);
    sg.release();
    const answers = await Promise.all(pending);
    expect(sg.received).toHaveLength(1);
    expect(answers.map((a) => a.data)).toEqual([answers[0]!.data, answers[0]!.data, answers[0]!.data]);
    expect(contexts.map((c) => c.trace.upstreamCalls)).toEqual([1, 0, 0]);
    expect(contexts.map((c) => [...c.trace.stale])).toEqual([['smhi'], ['smhi'], ['smhi']]);
    // How long the subgraph's agency answers stay fresh, on the gateway's clock: the whole answer keeps no longer.
    expect(contexts.map((c) => c.trace.freshUntil)).toEqual([6_000, 6_000, 6_000]);
  });
});
