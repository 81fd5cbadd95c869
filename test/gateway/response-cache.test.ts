/**
 * The whole-response cache plugin on its own (`gateway/src/response-cache.ts`), in an Apollo Server
 * over a small schema with `@cacheControl` hints: what is kept, for how long, under which key, what
 * is never kept or shared, and identical operations in flight executed once. A fake clock moves time;
 * resolvers count their executions. `response-cache-gateway.test.ts` runs the same cache in the gateway.
 */
import { gunzipSync } from 'node:zlib';
import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../../gateway/src/datasources.ts';
import { createResponseCache, RESPONSE_CACHE_HEADER } from '../../gateway/src/response-cache.ts';
import { createCache } from '../../kit/cache.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createTrace, noteFreshUntil } from '../../kit/upstream.ts';
import { fakeClock } from '../kit/helpers.ts';

const typeDefs = `#graphql
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Query {
    count(tag: String): Int @cacheControl(maxAge: 60)
    "Fresh upstream data for only 10 s more (RequestTrace.freshUntil)."
    shortLived: Int @cacheControl(maxAge: 60)
    address: String @cacheControl(maxAge: 60, scope: PRIVATE)
    uncached: Int
    fails: Int @cacheControl(maxAge: 60)
    stale: Int @cacheControl(maxAge: 60)
    slow(tag: String): Int @cacheControl(maxAge: 60)
    big: String @cacheControl(maxAge: 60)
  }
`;

interface Harness {
  run(query: string, variables?: Record<string, unknown>, ctx?: Partial<GatewayContext>): Promise<Answer>;
  executions: Record<string, number>;
  clock: ReturnType<typeof fakeClock>;
  cache: ReturnType<typeof createResponseCache>;
  /** Releases every `slow` resolver waiting so far. */
  release(): void;
}

interface Answer {
  data: Record<string, unknown> | null | undefined;
  errors: unknown;
  outcome: string | undefined;
  cacheControl: string | undefined;
  age: string | undefined;
}

const servers: ApolloServer<GatewayContext>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function harness(options: { replayBytes?: number } = {}): Promise<Harness> {
  const clock = fakeClock();
  const executions: Record<string, number> = {};
  const count = (name: string) => {
    executions[name] = (executions[name] ?? 0) + 1;
    return executions[name];
  };
  let waiting: Array<() => void> = [];
  const cache = createResponseCache({
    store: createCache({ logger: silentLogger }),
    scope: 'test',
    logger: silentLogger,
    now: clock.now,
    maxBytes: 2048,
    ...options,
  });
  const server = new ApolloServer<GatewayContext>({
    typeDefs,
    resolvers: {
      Query: {
        count: () => count('count'),
        shortLived: (_: unknown, __: unknown, ctx: GatewayContext) => {
          noteFreshUntil(ctx.trace, clock.now() + 10_000);
          return count('shortLived');
        },
        address: () => `Storgatan ${count('address')}`,
        uncached: () => count('uncached'),
        fails: () => {
          count('fails');
          throw new Error('the agency failed');
        },
        stale: (_: unknown, __: unknown, ctx: GatewayContext) => {
          ctx.trace.stale.add('smhi');
          return count('stale');
        },
        slow: async () => {
          await new Promise<void>((resolve) => waiting.push(resolve));
          return count('slow');
        },
        big: () => `${'x'.repeat(4096)}${count('big')}`,
      },
    },
    plugins: [cache.plugin],
  });
  await server.start();
  servers.push(server);
  return {
    clock,
    executions,
    cache,
    release() {
      for (const resolve of waiting) resolve();
      waiting = [];
    },
    async run(query, variables, ctx) {
      const response: GraphQLResponse = await server.executeOperation(
        { query, ...(variables ? { variables } : {}) },
        { contextValue: { trace: createTrace(), wantsStats: false, ...ctx } },
      );
      const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
      return {
        data: body?.data,
        errors: body?.errors,
        outcome: response.http.headers.get(RESPONSE_CACHE_HEADER),
        cacheControl: response.http.headers.get('cache-control'),
        age: response.http.headers.get('age'),
      };
    },
  };
}

describe('whole-response cache: what is kept, for how long', () => {
  it('serves the second identical query from the cache (hit), the first executed (miss), with Cache-Control and Age', async () => {
    const h = await harness();
    expect(await h.run('{ count }')).toMatchObject({
      data: { count: 1 },
      outcome: 'miss',
      cacheControl: 'max-age=60, public',
    });
    h.clock.advance(5_000);
    expect(await h.run('{ count }')).toMatchObject({
      data: { count: 1 },
      outcome: 'hit',
      cacheControl: 'max-age=60, public',
      age: '5',
    });
    expect(h.executions['count']).toBe(1);
  });

  it('keeps an answer for its smallest maxAge, then executes it again (fake clock)', async () => {
    const h = await harness();
    await h.run('{ count }');
    h.clock.advance(59_999);
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 1 }, outcome: 'hit' });
    h.clock.advance(1);
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 2 }, outcome: 'miss' });
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 2 }, outcome: 'hit' });
  });

  it('never longer than the upstream answers it was built from stay fresh', async () => {
    const h = await harness();
    await h.run('{ shortLived }');
    h.clock.advance(9_999);
    expect(await h.run('{ shortLived }')).toMatchObject({ data: { shortLived: 1 }, outcome: 'hit' });
    h.clock.advance(1);
    expect(await h.run('{ shortLived }')).toMatchObject({ data: { shortLived: 2 }, outcome: 'miss' });
  });

  it('a new data version seen by the upstreams drops the answers built before it', async () => {
    const h = await harness();
    await h.run('{ count }');
    expect(await h.run('{ count }')).toMatchObject({ outcome: 'hit' });
    h.clock.advance(1_000);
    h.cache.onUpstreamEvent({ agency: 'scb', outcome: 'miss', attempts: 1, newVersion: true });
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 2 }, outcome: 'miss' });
    // Events without a new version change nothing.
    h.cache.onUpstreamEvent({ agency: 'scb', outcome: 'hit', attempts: 0 });
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 2 }, outcome: 'hit' });
  });

  it('keys by the normalised operation: spelling and comments do not matter; aliases, arguments and variables do', async () => {
    const h = await harness();
    await h.run('{ count }');
    expect(await h.run('# the same\nquery   {\n  count\n}')).toMatchObject({ outcome: 'hit' });
    expect(await h.run('{ n: count }')).toMatchObject({ data: { n: 2 }, outcome: 'miss' });
    expect(await h.run('{ count(tag: "a") }')).toMatchObject({ data: { count: 3 }, outcome: 'miss' });
    const q = 'query Q($tag: String, $other: String) { count(tag: $tag) o: count(tag: $other) }';
    expect(await h.run(q, { tag: 'x', other: 'y' })).toMatchObject({ outcome: 'miss' });
    // Variables in another key order are the same variables.
    expect(await h.run(q, { other: 'y', tag: 'x' })).toMatchObject({ outcome: 'hit' });
    expect(await h.run(q, { tag: 'y', other: 'x' })).toMatchObject({ outcome: 'miss' });
  });

  it('never keeps an answer with errors: the next request executes again', async () => {
    const h = await harness();
    const first = await h.run('{ fails count }');
    expect(first.errors).toBeDefined();
    expect(first.outcome).toBe('miss');
    expect(await h.run('{ fails count }')).toMatchObject({ outcome: 'miss' });
    expect(h.executions['fails']).toBe(2);
  });

  it('never keeps a PRIVATE (personal-data) answer, nor an uncacheable or stale one, nor one too large', async () => {
    const h = await harness();
    for (const query of ['{ address }', '{ count address }', '{ uncached }', '{ stale }', '{ big }']) {
      await h.run(query);
      expect(await h.run(query), query).toMatchObject({ outcome: 'miss' });
    }
    expect(h.executions).toMatchObject({ address: 4, uncached: 2, stale: 2, big: 2 });
    expect((await h.run('{ address }')).cacheControl).toBe('max-age=60, private');
  });

  it('x-upstream-stats requests bypass it: they execute and their figures are their own', async () => {
    const h = await harness();
    await h.run('{ count }');
    expect(await h.run('{ count }', undefined, { wantsStats: true })).toMatchObject({
      data: { count: 2 },
      outcome: undefined,
    });
    expect(await h.run('{ count }')).toMatchObject({ data: { count: 1 }, outcome: 'hit' });
  });
});

describe('identical operations in flight', () => {
  it('N identical concurrent queries execute once; a different one is not merged', async () => {
    const h = await harness();
    const same = Array.from({ length: 5 }, () => h.run('{ slow(tag: "a") }'));
    const other = h.run('{ slow(tag: "b") }');
    // Let every request reach the resolver (or the wait for the first one), then release them.
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.release();
    const answers = await Promise.all(same);
    expect(answers.map((a) => a.outcome).sort()).toEqual(['joined', 'joined', 'joined', 'joined', 'miss']);
    expect(new Set(answers.map((a) => JSON.stringify(a.data)))).toEqual(
      new Set([JSON.stringify(answers[0]!.data)]),
    );
    expect(await other).toMatchObject({ outcome: 'miss' });
    expect(h.executions['slow']).toBe(2);
  });

  it('private answers are not shared by concurrent requests either', async () => {
    const h = await harness();
    const answers = await Promise.all([h.run('{ address }'), h.run('{ address }'), h.run('{ address }')]);
    expect(answers.map((a) => a.outcome)).toEqual(['miss', 'miss', 'miss']);
    expect(new Set(answers.map((a) => (a.data as { address: string }).address)).size).toBe(3);
    expect(h.executions['address']).toBe(3);
  });
});

describe('replays: a hit kept as it was sent', () => {
  /** Runs `query` and keeps what it would have sent under `key`, as the server does after a hit. */
  async function sendAndRemember(h: Harness, key: string, query: string, requestId = 'r-1') {
    const trace = createTrace();
    const answer = await h.run(query, undefined, { trace });
    const body = JSON.stringify({ data: answer.data, extensions: { requestId, cost: { estimated: 3 } } });
    const headers: Array<[string, string]> = [
      ['cache-control', answer.cacheControl ?? ''],
      [RESPONSE_CACHE_HEADER, answer.outcome ?? ''],
      ['age', answer.age ?? ''],
    ];
    const counted: number[] = [];
    h.cache.remember(
      key,
      { trace, wantsStats: false },
      { status: 200, headers, body, requestId },
      { cost: 3, count: (seconds) => counted.push(seconds) },
    );
    return { answer, body, counted };
  }
  const send = (replay: NonNullable<ReturnType<Harness['cache']['replay']>>, requestId: string) =>
    replay.body(requestId).toString('utf8');

  it('keeps only hits; sends their body with another request id, their headers and a new Age', async () => {
    const h = await harness();
    await sendAndRemember(h, 'k', '{ count }');
    // A miss is not kept: it was executed, and its answer may not be the one in the cache.
    expect(h.cache.replay('k')).toBeUndefined();
    h.clock.advance(5_000);
    const { body, counted } = await sendAndRemember(h, 'k', '{ count }', 'first "id"');
    const replay = h.cache.replay('k')!;
    expect(replay).toBeDefined();
    expect(send(replay, 'first "id"')).toBe(body);
    expect(JSON.parse(send(replay, 'other'))).toEqual({
      ...JSON.parse(body),
      extensions: { requestId: 'other', cost: { estimated: 3 } },
    });
    expect(replay.headers).toEqual([
      ['cache-control', 'max-age=60, public'],
      [RESPONSE_CACHE_HEADER, 'hit'],
    ]);
    h.clock.advance(7_000);
    expect(replay.age()).toBe(12);
    expect(replay.cost).toBe(3);
    replay.count(0.5);
    expect(counted).toEqual([0.5]);
  });

  it('stops replaying when the answer expires, when a new data version is seen, and when forgotten', async () => {
    const h = await harness();
    await h.run('{ count }');
    await sendAndRemember(h, 'k', '{ count }');
    h.clock.advance(59_999);
    expect(h.cache.replay('k')).toBeDefined();
    h.clock.advance(1);
    expect(h.cache.replay('k')).toBeUndefined();

    await h.run('{ shortLived }');
    await sendAndRemember(h, 's', '{ shortLived }');
    h.clock.advance(10_000);
    expect(h.cache.replay('s')).toBeUndefined();

    await sendAndRemember(h, 'k', '{ count }');
    await sendAndRemember(h, 'k', '{ count }');
    expect(h.cache.replay('k')).toBeDefined();
    h.clock.advance(1_000);
    h.cache.onUpstreamEvent({ agency: 'scb', outcome: 'miss', attempts: 1, newVersion: true });
    expect(h.cache.replay('k')).toBeUndefined();

    await sendAndRemember(h, 'k', '{ count }');
    await sendAndRemember(h, 'k', '{ count }');
    expect(h.cache.replay('k')).toBeDefined();
    h.cache.forgetReplays();
    expect(h.cache.replay('k')).toBeUndefined();
  });

  it('never keeps a body without the request id once, nor a private answer; holds at most replayBytes', async () => {
    const h = await harness({ replayBytes: 300 });
    await h.run('{ count }');
    const trace = createTrace();
    await h.run('{ count }', undefined, { trace });
    const remember = (key: string, body: string, requestId = 'r') =>
      h.cache.remember(
        key,
        { trace, wantsStats: false },
        { status: 200, headers: [[RESPONSE_CACHE_HEADER, 'hit']], body, requestId },
        { cost: 1, count: () => {} },
      );
    remember('none', '{"data":{"count":1}}');
    remember('twice', '{"data":{"requestId":"r"},"extensions":{"requestId":"r"}}');
    expect(h.cache.replay('none')).toBeUndefined();
    expect(h.cache.replay('twice')).toBeUndefined();
    // Private answers are never hits, so never replayed.
    await h.run('{ address }');
    await sendAndRemember(h, 'private', '{ address }');
    expect(h.cache.replay('private')).toBeUndefined();
    // 300 characters: the oldest kept hit makes way.
    remember('a', `{"data":{"count":1},"extensions":{"requestId":"r","pad":"${'x'.repeat(100)}"}}`);
    remember('b', `{"data":{"count":1},"extensions":{"requestId":"r","pad":"${'y'.repeat(100)}"}}`);
    expect(h.cache.replay('b')).toBeDefined();
    remember('c', `{"data":{"count":1},"extensions":{"requestId":"r","pad":"${'z'.repeat(100)}"}}`);
    expect(h.cache.replay('a')).toBeUndefined();
    expect(h.cache.replay('c')).toBeDefined();
  });

  it('gzips a kept hit once, off the main thread, within replayBytes', async () => {
    const until = async <T>(get: () => T | undefined): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const value = get();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('not ready after 1 s');
    };
    const body = `{"data":{"count":1},"extensions":{"requestId":"r","pad":"${'x'.repeat(3000)}"}}`;
    const keep = async (h: Harness) => {
      await h.run('{ count }');
      const trace = createTrace();
      await h.run('{ count }', undefined, { trace });
      h.cache.remember(
        'k',
        { trace, wantsStats: false },
        { status: 200, headers: [[RESPONSE_CACHE_HEADER, 'hit']], body, requestId: 'r' },
        { cost: 1, count: () => {} },
      );
      return h.cache.replay('k')!;
    };
    const h = await harness({ replayBytes: 20_000 });
    const replay = await keep(h);
    const plainBytes = body.length - '"r"'.length;
    expect(replay.size).toBe(plainBytes);
    expect(replay.bytes).toBe(plainBytes);
    // The first call starts the compression and says it is not ready.
    expect(replay.gzip('first')).toBeUndefined();
    const gzipped = await until(() => replay.gzip('g-2'));
    expect(gunzipSync(gzipped).toString('utf8')).toBe(send(replay, 'g-2'));
    expect(gzipped.length).toBeLessThan(200);
    expect(gunzipSync(replay.gzip('g-3')!).toString('utf8')).toBe(send(replay, 'g-3'));
    // Counted in the bound, and still kept.
    expect(replay.bytes).toBeGreaterThan(plainBytes);
    expect(replay.size).toBe(plainBytes);
    expect(h.cache.replay('k')).toBe(replay);

    // A bound the plain body fits but not with its gzip: the replay stays, never gzipped.
    const tight = await harness({ replayBytes: plainBytes + 'k'.length + 10 });
    const kept = await keep(tight);
    expect(kept.gzip('a')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(kept.gzip('b')).toBeUndefined();
    expect(tight.cache.replay('k')).toBe(kept);
    expect(kept.bytes).toBe(plainBytes);
  });

  it('replayBytes 0: nothing is kept', async () => {
    const h = await harness({ replayBytes: 0 });
    await h.run('{ count }');
    await sendAndRemember(h, 'k', '{ count }');
    expect(h.cache.replay('k')).toBeUndefined();
  });
});
