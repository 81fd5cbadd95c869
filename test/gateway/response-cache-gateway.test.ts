/**
 * The whole-response cache in the real gateway: a repeated query is answered without executing it
 * (no upstream call), until its smallest maxAge passes (fake clock); a PRIVATE field is never shared
 * between two clients; a new SCB publication is never answered from the old version; answers with
 * errors are never kept; a hit still counts against the client's request and cost limits; with
 * Redis (CACHE_URL) a second gateway answers from what the first one kept; RESPONSE_CACHE=off
 * executes everything. Agencies are MockAgents (network refused) or the offline simulators.
 */
import { readFileSync } from 'node:fs';
import { createClient } from '@redis/client';
import type { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import type { UpstreamEvent } from '../../kit/upstream.ts';
import { offlineAgent } from '../helpers/gateway.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { dataAnswer, mockScb, SCB_BASE } from '../scb/helpers.ts';

const forecast = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };
const FORECAST_PATH = /\/geotype\/point\/lon\/[\d.]+\/lat\/[\d.]+\/data\.json$/;
const FORECAST_QUERY = '{ municipality(code: "0180") { name forecast(hours: 1) { airTemperature } } }';
const POPULATION_QUERY = '{ municipality(code: "0180") { name population(year: 2024) } }';
const MINUTE = 60_000;

interface Answer {
  status: number;
  outcome: string | null;
  cacheControl: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

interface Running {
  app: GatewayApp;
  url: string;
  events: UpstreamEvent[];
  post(query: string, headers?: Record<string, string>): Promise<Answer>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function gateway(
  env: Record<string, string>,
  deps: Pick<GatewayDeps, 'dispatcher' | 'now'> = {},
): Promise<Running> {
  const events: UpstreamEvent[] = [];
  const app = await createGatewayApp({
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    logger: silentLogger,
    onUpstreamEvent: (event) => events.push(event),
    ...deps,
  });
  cleanups.push(() => app.stop());
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    events,
    async post(query, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return {
        status: res.status,
        outcome: res.headers.get('x-response-cache'),
        cacheControl: res.headers.get('cache-control'),
        body: (await res.json()) as Answer['body'],
      };
    },
  };
}

/** A live SMHI answering forecasts (counted) with the recorded fixture. */
function liveSmhi(): { agent: MockAgent; calls: () => number } {
  const agent = offlineAgent();
  let calls = 0;
  agent
    .get('https://opendata-download-metfcst.smhi.se')
    .intercept({ path: FORECAST_PATH, method: 'GET' })
    .reply(() => {
      calls += 1;
      return {
        statusCode: 200,
        data: JSON.stringify(forecast),
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    })
    .persist();
  cleanups.push(() => agent.close());
  return { agent, calls: () => calls };
}

describe('whole-response cache in the gateway', () => {
  it('answers a repeated query without executing it, until its maxAge passes (fake clock)', async () => {
    let clock = Date.parse('2026-04-02T11:30:00Z');
    const smhi = liveSmhi();
    const gw = await gateway({ UPSTREAM_MODE: 'live' }, { dispatcher: smhi.agent, now: () => clock });
    const first = await gw.post(FORECAST_QUERY);
    expect(first.body.errors).toBeUndefined();
    expect(first).toMatchObject({ outcome: 'miss', cacheControl: 'max-age=1800, public' });
    const events = gw.events.length;

    clock += 29 * MINUTE;
    const second = await gw.post(FORECAST_QUERY);
    expect(second).toMatchObject({ outcome: 'hit', cacheControl: 'max-age=1800, public' });
    expect(second.body.data).toEqual(first.body.data);
    // The same extensions as an execution (cost), with this request's own id.
    expect(second.body.extensions?.['cost']).toEqual(first.body.extensions?.['cost']);
    expect(second.body.extensions?.['requestId']).not.toEqual(first.body.extensions?.['requestId']);
    // Not executed: no upstream call, not even a cache lookup.
    expect(gw.events.length).toBe(events);
    expect(smhi.calls()).toBe(1);

    // 30 minutes (the forecast's maxAge, and its upstream cache entry's life) after it was built.
    clock += 1 * MINUTE;
    expect(await gw.post(FORECAST_QUERY)).toMatchObject({ outcome: 'miss' });
    expect(smhi.calls()).toBe(2);

    // x-upstream-stats asks about an execution: it gets one, with its figures.
    const stats = await gw.post(FORECAST_QUERY, { 'x-upstream-stats': '1' });
    expect(stats.outcome).toBeNull();
    expect(stats.body.extensions?.['upstream']).toMatchObject({ calls: 0, cacheHits: 1 });
  });

  it('a hit sends the same bytes as the execution it kept (same request id), for /export too', async () => {
    const gw = await gateway({ UPSTREAM_MODE: 'offline' });
    const { url } = gw;
    const raw = async () => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'same-id' },
        body: JSON.stringify({ query: '{ municipalities { code name population } }' }),
      });
      return { outcome: res.headers.get('x-response-cache'), text: await res.text() };
    };
    const miss = await raw();
    // The gateway runs in this process: every JSON text it makes while serving the hit is seen.
    const stringify = JSON.stringify;
    const made: number[] = [];
    const spy = vi.spyOn(JSON, 'stringify').mockImplementation((...args: Parameters<typeof stringify>) => {
      const text = stringify(...args);
      made.push(text?.length ?? 0);
      return text;
    });
    let hit: Awaited<ReturnType<typeof raw>>;
    try {
      hit = await raw();
    } finally {
      spy.mockRestore();
    }
    expect([miss.outcome, hit.outcome]).toEqual(['miss', 'hit']);
    expect(hit.text).toBe(miss.text);
    // The kept JSON text is sent as it is: nothing the size of the data is serialised again.
    expect(Math.max(...made)).toBeLessThan(miss.text.length / 10);
    expect(hit.text).not.toContain('response-cache');
    const exported = await fetch(
      `${url}/export?format=json&query=${encodeURIComponent('{ municipalities { code name population } }')}`,
    );
    const rows = ((await exported.json()) as { rows: unknown[] }).rows;
    expect(rows).toEqual(
      (JSON.parse(miss.text) as { data: { municipalities: unknown[] } }).data.municipalities,
    );
  });

  it('RESPONSE_CACHE=off executes every query', async () => {
    const smhi = liveSmhi();
    const clock = Date.parse('2026-04-02T11:30:00Z');
    const gw = await gateway(
      { UPSTREAM_MODE: 'live', RESPONSE_CACHE: 'off' },
      { dispatcher: smhi.agent, now: () => clock },
    );
    await gw.post(FORECAST_QUERY);
    const again = await gw.post(FORECAST_QUERY);
    expect(again.outcome).toBeNull();
    // Executed: the upstream cache answered it.
    expect(gw.events.map((e) => e.outcome)).toEqual(['miss', 'hit']);
  });

  it('never shares a PRIVATE (personal-data) field between two clients, even at the same moment', async () => {
    const gw = await gateway({ UPSTREAM_MODE: 'offline' });
    const address = '{ place(latitude: 59.33, longitude: 18.06) { nearestAddress { street } } }';
    const a = await gw.post(address, { 'x-api-key': 'team-a' });
    expect(a.body.errors).toBeUndefined();
    expect(a).toMatchObject({ outcome: 'miss', cacheControl: 'max-age=3600, private' });
    const b = await gw.post(address, { 'x-api-key': 'team-b' });
    expect(b).toMatchObject({ outcome: 'miss', cacheControl: 'max-age=3600, private' });
    const together = await Promise.all([
      gw.post(address, { 'x-api-key': 'team-a' }),
      gw.post(address, { 'x-api-key': 'team-b' }),
    ]);
    expect(together.map((r) => r.outcome)).toEqual(['miss', 'miss']);
    // With public fields next to it, the whole answer is private: not kept either.
    const mixed = `{ municipality(code: "0180") { name } ${address.slice(1)}`;
    await gw.post(mixed, { 'x-api-key': 'team-a' });
    expect(await gw.post(mixed, { 'x-api-key': 'team-b' })).toMatchObject({ outcome: 'miss' });
    // A public answer is the same for everyone: kept and shared.
    await gw.post('{ municipality(code: "0180") { name } }', { 'x-api-key': 'team-a' });
    expect(await gw.post('{ municipality(code: "0180") { name } }', { 'x-api-key': 'team-b' })).toMatchObject(
      { outcome: 'hit' },
    );
  });

  it('a new SCB publication is never answered from the old version', async () => {
    let clock = Date.parse('2026-04-02T12:00:00Z');
    let updated: string | undefined;
    let publication = 0;
    const scb = mockScb({
      now: () => clock,
      updated: () => updated,
      // SYNTHETIC: each publication's figures differ by 1 000 from the previous one's.
      dataReply: (body, table) => {
        const answer = dataAnswer(table, body.selection) as { value: number[] };
        return { status: 200, body: { ...answer, value: answer.value.map((v) => v + 1000 * publication) } };
      },
    });
    cleanups.push(() => scb.agent.close());
    const gw = await gateway(
      { UPSTREAM_MODE: 'live', SCB_API_URL: SCB_BASE },
      { dispatcher: scb.agent, now: () => clock },
    );
    const population = async () => {
      const answer = await gw.post(POPULATION_QUERY);
      expect(answer.body.errors).toBeUndefined();
      return {
        outcome: answer.outcome,
        population: (answer.body.data!['municipality'] as { population: number }).population,
      };
    };
    const before = await population();
    expect(before.outcome).toBe('miss');
    expect(await population()).toEqual({ outcome: 'hit', population: before.population });

    // SCB publishes. Its version check (an hour) is still trusted for a moment, by the kit as by us…
    updated = '2026-04-02T12:05:00Z';
    publication = 1;
    clock += 10 * MINUTE;
    expect(await population()).toEqual({ outcome: 'hit', population: before.population });
    // …and once it expires (well within the statistics' one-day maxAge), the new figures are served.
    clock += 60 * MINUTE;
    const after = await population();
    expect(after).toEqual({ outcome: 'miss', population: before.population + 1000 });
    expect(await population()).toEqual({ outcome: 'hit', population: after.population });
  });

  it('never keeps an answer with errors: the next request executes and gets the good answer', async () => {
    let failing = true;
    const clock = Date.parse('2026-04-02T12:00:00Z');
    const scb = mockScb({
      now: () => clock,
      // 400: our request is refused (no retry, no stale answer).
      dataReply: () => (failing ? { status: 400, body: { title: 'Bad request' } } : undefined),
    });
    cleanups.push(() => scb.agent.close());
    const gw = await gateway(
      { UPSTREAM_MODE: 'live', SCB_API_URL: SCB_BASE },
      { dispatcher: scb.agent, now: () => clock },
    );
    const failed = await gw.post(POPULATION_QUERY);
    expect(failed.body.errors?.length).toBeGreaterThan(0);
    expect(failed.outcome).toBe('miss');
    failing = false;
    const good = await gw.post(POPULATION_QUERY);
    expect(good.body.errors).toBeUndefined();
    expect(good.outcome).toBe('miss');
    expect(await gw.post(POPULATION_QUERY)).toMatchObject({ outcome: 'hit' });
  });

  it("a hit still counts against the client's request and cost limits", async () => {
    const requests = await gateway({
      UPSTREAM_MODE: 'offline',
      CLIENT_REQUESTS_PER_MINUTE: '1',
      CLIENT_REQUEST_BURST: '3',
    });
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const r = await requests.post('{ municipality(code: "0180") { name } }');
      outcomes.push(r.status === 429 ? 429 : r.outcome);
    }
    expect(outcomes).toEqual(['miss', 'hit', 'hit', 429]);

    const cost = await gateway({
      UPSTREAM_MODE: 'offline',
      MAX_QUERY_COST: '100',
      CLIENT_COST_BURST: '100',
      CLIENT_COST_PER_MINUTE: '1',
    });
    const first = await cost.post(POPULATION_QUERY);
    const estimated = (first.body.extensions!['cost'] as { estimated: number }).estimated;
    expect(estimated).toBeGreaterThan(10);
    const allowed = Math.floor(100 / estimated);
    const statuses = [first.status];
    for (let i = 1; i <= allowed; i++) statuses.push((await cost.post(POPULATION_QUERY)).status);
    // The full estimate is charged on every request, hit or not: the bucket empties at the same pace.
    expect(statuses.slice(0, allowed)).toEqual(Array(allowed).fill(200));
    expect(statuses[allowed]).toBe(429);
  });
});

describe.skipIf(!hasRedis())('whole-response cache in Redis (CACHE_URL)', () => {
  it('a second gateway answers from what the first kept, offline markers included, under the prefix', async () => {
    const url = redisUrl(12);
    const redis = createClient({ url });
    await redis.connect();
    await redis.flushDb();
    cleanups.push(async () => {
      await redis.flushDb();
      await redis.quit();
    });
    const env = { UPSTREAM_MODE: 'offline', CACHE_URL: url };
    const a = await gateway(env);
    const b = await gateway(env);
    const first = await a.post(POPULATION_QUERY);
    expect(first.body.errors).toBeUndefined();
    expect(first.outcome).toBe('miss');
    // Written to Redis in the background: wait for the key.
    let keys: string[] = [];
    for (let i = 0; i < 50 && keys.length === 0; i++) {
      keys = await redis.keys('sodg:response:*');
      if (keys.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^sodg:response:v1:offline:/);
    const second = await b.post(POPULATION_QUERY);
    expect(second.outcome).toBe('hit');
    expect(b.events).toEqual([]);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.extensions?.['offline']).toEqual(first.body.extensions?.['offline']);
    // Another data mode on the same Redis never meets these answers.
    const live = await gateway({ UPSTREAM_MODE: 'snapshot', CACHE_URL: url });
    expect((await live.post(POPULATION_QUERY)).outcome).not.toBe('hit');
  });
});
