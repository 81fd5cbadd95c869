/**
 * Replayed response-cache hits in the real gateway (offline simulators, fixed clock): an identical
 * POST after a hit is sent again as the hit was sent, without Apollo Server's pipeline. Each test
 * runs the same requests against a gateway with replays (the default) and one without
 * (RESPONSE_CACHE_REPLAY_BYTES=0), and requires the same bytes, headers, usage counts and client
 * charges from both; and that what must not be replayed is not.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { README_QUERY } from '../helpers/readme-query.ts';

const NOW = Date.parse('2026-04-02T11:30:00Z');
const POPULATION = '{ municipalities { code name population } }';

const running: TestGateway[] = [];
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop();
});

async function pair(env: Record<string, string> = {}, now: () => number = () => NOW) {
  const start = (extra: Record<string, string>) =>
    startTestGateway({ env: { UPSTREAM_MODE: 'offline', ...env, ...extra }, now }).then((gw) => {
      running.push(gw);
      return gw;
    });
  return { replaying: await start({}), pipeline: await start({ RESPONSE_CACHE_REPLAY_BYTES: '0' }) };
}

interface Sent {
  status: number;
  headers: Record<string, string>;
  text: string;
}

async function post(gw: TestGateway, body: string, headers: Record<string, string> = {}): Promise<Sent> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'fixed-id', ...headers },
    body,
  });
  const all = Object.fromEntries(res.headers);
  delete all['date'];
  // How the body is framed may differ: a replay that fetch's Accept-Encoding lets us gzip is
  // compressed once and sent with its length, the middleware streams it in chunks. The text is
  // compared decompressed (fetch decodes it), and compression.test.ts checks the lengths.
  if (all['content-encoding']) {
    delete all['content-length'];
    delete all['transfer-encoding'];
  }
  let text = await res.text();
  const id = all['x-request-id']!;
  if (!headers['x-request-id'] && 'x-request-id' in headers) {
    // A generated id differs per request by design: compare the rest.
    text = text.replaceAll(JSON.stringify(id), '"<generated>"');
    all['x-request-id'] = '<generated>';
  }
  return { status: res.status, headers: all, text };
}

/** The gateway's count of what its response cache did, from /metrics. */
async function outcomes(gw: TestGateway): Promise<Record<string, number>> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^gateway_response_cache_requests_total\{outcome="(\w+)"\} (\d+)$/gm)].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  );
}

describe('replayed response-cache hits', () => {
  it('send the bytes and headers the pipeline sends, for each request id and accept header', async () => {
    const { replaying, pipeline } = await pair();
    for (const query of [README_QUERY, POPULATION]) {
      const body = JSON.stringify({ query });
      for (const headers of [
        {},
        { 'x-request-id': 'another "id" \\ here' },
        // None given: each request gets its own (compared as <generated>).
        { 'x-request-id': '' },
        { accept: 'application/graphql-response+json' },
        { 'x-api-key': 'team-b' },
      ]) {
        const a: Sent[] = [];
        const b: Sent[] = [];
        for (let i = 0; i < 3; i++) {
          a.push(await post(replaying, body, headers));
          b.push(await post(pipeline, body, headers));
        }
        expect(a).toEqual(b);
        expect(a[2]!.status).toBe(200);
        expect(a[2]!.headers['x-response-cache']).toBe('hit');
        expect(JSON.parse(a[2]!.text).extensions.requestId).toBe(
          headers['x-request-id'] === '' ? '<generated>' : (headers['x-request-id'] ?? 'fixed-id'),
        );
      }
    }
    const accept = await post(replaying, JSON.stringify({ query: POPULATION }), {
      accept: 'application/graphql-response+json',
    });
    expect(accept.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    // Per query: the first request is the miss; the first hit of each replay key (the default accept
    // header, then application/graphql-response+json) goes through the pipeline and is kept; every
    // later identical request is replayed, whatever its request id or client.
    expect(await outcomes(replaying)).toEqual({ miss: 2, hit: 4, replayed: 25 });
    expect(await outcomes(pipeline)).toEqual({ miss: 2, hit: 28 });
  });

  it('count in /usage as the pipeline counts, and charge the client the same cost', async () => {
    const { replaying, pipeline } = await pair({
      MAX_QUERY_COST: '1000',
      CLIENT_COST_BURST: '1000',
      CLIENT_COST_PER_MINUTE: '1',
    });
    const body = JSON.stringify({ query: README_QUERY });
    const statuses = async (gw: TestGateway) => {
      const out: Array<[number, string]> = [];
      for (let i = 0; i < 60; i++) {
        const sent = await post(gw, body);
        out.push([sent.status, sent.status === 429 ? sent.text : (sent.headers['x-response-cache'] ?? '')]);
        if (sent.status === 429) break;
      }
      return out;
    };
    const a = await statuses(replaying);
    const b = await statuses(pipeline);
    // The bucket empties at the same pace: the same request is refused, with the same answer.
    expect(a).toEqual(b);
    expect(a.at(-1)![0]).toBe(429);
    expect(a.length).toBeGreaterThan(5);
    expect((await outcomes(replaying))['replayed']).toBe(a.length - 3);

    const [ua, ub] = [await replaying.app.usage.report(), await pipeline.app.usage.report()];
    expect(ua.requests.byOutcome).toEqual(ub.requests.byOutcome);
    expect(ua.requests.latency.count).toBe(ub.requests.latency.count);
    expect(ua.subgraphs).toEqual(ub.subgraphs);
    expect(ua.timeline.map((m) => [m.requests, m.subgraphs, m.types])).toEqual(
      ub.timeline.map((m) => [m.requests, m.subgraphs, m.types]),
    );
  });

  it('end when the answer expires: the next request executes again', async () => {
    let clock = NOW;
    const { replaying } = await pair({}, () => clock);
    const body = JSON.stringify({ query: README_QUERY });
    const outcome = async () => (await post(replaying, body)).headers['x-response-cache'];
    expect([await outcome(), await outcome(), await outcome()]).toEqual(['miss', 'hit', 'hit']);
    expect((await outcomes(replaying))['replayed']).toBe(1);
    const maxAge = Number(/max-age=(\d+)/.exec((await post(replaying, body)).headers['cache-control']!)![1]);
    expect((await outcomes(replaying))['replayed']).toBe(2);
    clock += (maxAge - 1) * 1000;
    const late = await post(replaying, body);
    expect(late.headers['x-response-cache']).toBe('hit');
    expect(late.headers['age']).toBe(String(maxAge - 1));
    clock += 1000;
    expect(await outcome()).toBe('miss');
    expect(await outcomes(replaying)).toEqual({ miss: 2, hit: 1, replayed: 3 });
  });

  it('are never used for x-upstream-stats, GET, persisted-query extensions or another body text', async () => {
    const { replaying } = await pair();
    const body = JSON.stringify({ query: POPULATION });
    for (let i = 0; i < 3; i++) await post(replaying, body);
    expect(await outcomes(replaying)).toEqual({ miss: 1, hit: 1, replayed: 1 });
    const stats = await post(replaying, body, { 'x-upstream-stats': '1' });
    expect(JSON.parse(stats.text).extensions.upstream).toBeDefined();
    const get = await fetch(`${replaying.url}/graphql?query=${encodeURIComponent(POPULATION)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('x-response-cache')).toBe('hit');
    // The same operation spelt differently is a hit of the same kept answer, through the pipeline.
    await post(replaying, JSON.stringify({ query: POPULATION, variables: {} }));
    await post(replaying, JSON.stringify({ query: `${POPULATION} ` }));
    const sha256Hash = createHash('sha256').update(POPULATION).digest('hex');
    const persisted = JSON.stringify({
      query: POPULATION,
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    for (let i = 0; i < 2; i++)
      expect((await post(replaying, persisted)).headers['x-response-cache']).toBe('hit');
    expect(await outcomes(replaying)).toEqual({ miss: 1, hit: 6, replayed: 1 });
  });
});
