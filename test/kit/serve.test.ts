/**
 * The stand-alone subgraph server (`npm run subgraph -- <name>`, kit/serve.ts): what an agency runs
 * as its own service. A misbehaving client must never take it down.
 */
import { connect } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SubgraphServer, serveSubgraph } from '../../kit/serve.ts';
import type { SharedRequestContext, SubgraphRuntime } from '../../kit/subgraph.ts';
import { noteFreshUntil } from '../../kit/upstream.ts';

function runtime(): SubgraphRuntime {
  return {
    name: 'tiny',
    agency: 'tiny',
    schema: buildSubgraphSchema({
      typeDefs: parse(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { hello: String }',
      ),
      resolvers: { Query: { hello: () => 'world' } },
    }),
    contextFor: () => ({}),
    close: async () => {},
  };
}

const hello = async (url: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ hello }' }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown } };
};

/** Sends the start of a POST that announces more body than it sends, then resets the connection. */
function abortedUpload(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
      );
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 50);
    });
    socket.on('error', reject);
  });
}

describe('serveSubgraph: a stand-alone subgraph over HTTP', () => {
  let server: SubgraphServer;
  beforeAll(async () => {
    server = await serveSubgraph(runtime(), 0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers GraphQL at /graphql and /health', async () => {
    expect(await hello(server.url)).toEqual({
      status: 200,
      body: expect.objectContaining({ data: { hello: 'world' } }),
    });
    const health = await fetch(new URL('/health', server.url));
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('survives clients that abort mid-upload (the process used to exit on the unhandled rejection)', async () => {
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 3; i++) await abortedUpload(port);
    // Give the server the chance to see the resets before asking again.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await hello(server.url)).body).toEqual(expect.objectContaining({ data: { hello: 'world' } }));
  });

  it('refuses a body larger than 1 MB with 413 and BAD_USER_INPUT', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ hello } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect((await hello(server.url)).status).toBe(200);
  });

  it('says which port is taken instead of crashing with an unhandled error event', async () => {
    const port = Number(new URL(server.url).port);
    await expect(serveSubgraph(runtime(), port)).rejects.toThrow(
      `Cannot serve the subgraph on 127.0.0.1:${port}: the port is in use`,
    );
  });

  it('prints a URL that can be called when listening on every interface', async () => {
    const everywhere = await serveSubgraph(runtime(), 0, '0.0.0.0');
    try {
      expect(everywhere.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      expect((await hello(everywhere.url)).status).toBe(200);
    } finally {
      await everywhere.stop();
    }
  });
});

describe('serveSubgraph: freshness of the answers used', () => {
  it('reports in extensions.upstream.freshForMs how much longer the agency answers it used stay fresh', async () => {
    const server = await serveSubgraph(
      {
        ...runtime(),
        schema: buildSubgraphSchema({
          typeDefs: parse(
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { hello: String }',
          ),
          resolvers: {
            Query: {
              hello: (_: unknown, __: unknown, ctx: unknown) => {
                // An upstream answer fresh for 4 s more, on the subgraph's clock.
                noteFreshUntil((ctx as SharedRequestContext).trace, 1_000 + 4_000);
                return 'world';
              },
            },
          },
        }),
        contextFor: (shared) => shared,
      },
      0,
      '127.0.0.1',
      { now: () => 1_000 },
    );
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ hello }' }),
      });
      const body = (await res.json()) as { extensions: { upstream: { freshForMs?: number } } };
      expect(body.extensions.upstream.freshForMs).toBe(4_000);
    } finally {
      await server.stop();
    }
  });
});

describe('serveSubgraph: Cache-Control from the schema hints, as for in-process subgraphs', () => {
  let server: SubgraphServer;
  beforeAll(async () => {
    const schema = buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT
        enum CacheControlScope { PUBLIC PRIVATE }
        type Municipality @key(fields: "code") {
          code: String!
          jobCount: Int @cacheControl(maxAge: 300)
          contact: String @cacheControl(maxAge: 600, scope: PRIVATE)
          broken: Int @cacheControl(maxAge: 300)
        }
        type Query { hello: String }
      `),
      resolvers: {
        Query: { hello: () => 'world' },
        Municipality: {
          __resolveReference: (ref: { code: string }) => ref,
          jobCount: () => 7,
          contact: () => 'someone',
          broken: () => {
            throw new Error('down');
          },
        },
      },
    });
    server = await serveSubgraph({ ...runtime(), schema }, 0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const cacheControlOf = async (selection: string) => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Municipality { ${selection} } } }`,
        variables: { r: [{ __typename: 'Municipality', code: '0180' }] },
      }),
    });
    await res.json();
    return res.headers.get('cache-control');
  };

  it('an entity fetch of a type without a maxAge of its own is cached as long as its fields allow', async () => {
    // Apollo's own header said no-store here, so over HTTP such answers were never kept.
    expect(await cacheControlOf('jobCount')).toBe('max-age=300, public');
  });

  it('a PRIVATE field keeps the answer private', async () => {
    expect(await cacheControlOf('jobCount contact')).toBe('max-age=300, private');
  });

  it('an answer with an error is not cached', async () => {
    expect(await cacheControlOf('jobCount broken')).toBe('no-store');
  });
});
