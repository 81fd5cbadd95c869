/**
 * SUBGRAPH_EXECUTOR: in-process subgraphs run their operations compiled by graphql-jit (`jit`, the
 * default) or interpreted by graphql-js. The two must give the same answers — data, errors, error
 * codes and paths — for every field reachable from Query, for bad input, and for a failing agency;
 * and `jit` must really be the one that runs (counted in /metrics).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preloadJit } from '../../gateway/src/datasources.ts';
import { type GraphQLBody, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { collectIds, pathsToTypes, queryFor } from '../helpers/schema-walk.ts';

/** One clock for both gateways: the simulators anchor forecasts and dates at it. */
const NOW = Date.parse('2026-06-15T10:00:00Z');

/** What must be the same: data, and errors in a stable order (executors may finish fields in another order). */
function answer(body: GraphQLBody<unknown>) {
  const errors = (body.errors ?? []).map((e) => ({
    message: e.message,
    path: e.path,
    code: e.extensions?.['code'],
    agency: e.extensions?.['agency'],
  }));
  errors.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { data: body.data, errors };
}

async function pair(env: Record<string, string>) {
  const common = { UPSTREAM_MODE: 'offline', RESPONSE_CACHE: 'off', ...env };
  const jit = await startTestGateway({ env: { ...common, SUBGRAPH_EXECUTOR: 'jit' }, now: () => NOW });
  const reference = await startTestGateway({
    env: { ...common, SUBGRAPH_EXECUTOR: 'graphql-js' },
    now: () => NOW,
  });
  return { jit, reference };
}

async function fetchesBy(gw: TestGateway): Promise<Record<string, number>> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gateway_inprocess_fetches_total\{([^}]*)\} (\d+)/gm)) {
    const executor = /executor="([^"]+)"/.exec(m[1]!)![1]!;
    out[executor] = (out[executor] ?? 0) + Number(m[2]);
  }
  return out;
}

describe('SUBGRAPH_EXECUTOR=jit answers as graphql-js does', () => {
  let jit: TestGateway;
  let reference: TestGateway;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    await preloadJit();
    ({ jit, reference } = await pair({}));
    await collectIds((text) => reference.query(text), ids);
  }, 60_000);
  afterAll(async () => {
    await jit.stop();
    await reference.stop();
  });

  const paths = pathsToTypes();
  const types = [...paths.keys()].filter((t) => !t.startsWith('_'));
  it.each(types)('%s: every field', async (typeName) => {
    const query = queryFor(typeName, paths.get(typeName)!, ids);
    const [a, b] = await Promise.all([jit.query(query), reference.query(query)]);
    expect(answer(a), query).toEqual(answer(b));
    expect(a.data, query).toBeTruthy();
  });

  it.each([
    [
      'a point outside Sweden',
      '{ location(latitude: 10, longitude: 10) { elevation } municipality(code: "0180") { name } }',
    ],
    ['an unknown municipality', '{ municipality(code: "9999") { name population } }'],
    [
      'a bad SCB selection',
      '{ municipality(code: "0180") { statistics(table: "TAB638", selection: [{ variable: "Nope", values: ["x"] }]) { label } } }',
    ],
    [
      'a variable passed through the planner',
      'query ($y: Int) { municipalities { code population(year: $y) } }',
    ],
    [
      'aliases and fragments over an entity fetch',
      '{ a: county(code: "01") { ...C } b: county(code: "25") { ...C } } fragment C on County { name municipalities { code p: population(year: 2023) q: population(year: 2024) } }',
    ],
  ])(
    '%s',
    async (_what, query) => {
      const [a, b] = await Promise.all([jit.query(query, { y: 2024 }), reference.query(query, { y: 2024 })]);
      expect(answer(a)).toEqual(answer(b));
    },
    // SCB's simulated rate limit (30 calls in 10 s) is shared by both gateways' cold caches.
    60_000,
  );

  it('the jit gateway compiled its operations; the graphql-js one never used graphql-jit', async () => {
    const compiled = await fetchesBy(jit);
    expect(compiled['jit']).toBeGreaterThan(100);
    // Only an operation's first fetch before graphql-jit loaded could run with graphql-js; it had loaded.
    expect(compiled['graphql-js'] ?? 0).toBe(0);
    const interpreted = await fetchesBy(reference);
    expect(interpreted['jit'] ?? 0).toBe(0);
    expect(interpreted['graphql-js']).toBeGreaterThan(100);
  });
});

describe('SUBGRAPH_EXECUTOR=jit with a failing agency', () => {
  it('nulls only that agency’s fields, with the same typed errors as graphql-js', async () => {
    const { jit, reference } = await pair({
      OFFLINE_FAULTS: 'scb=500',
      BREAKER_THRESHOLD: '100',
      // As in the fault matrix: SCB gives up within its own deadline instead of retrying for a minute.
      REQUEST_DEADLINE_MS: '4000',
      UPSTREAM_TIMEOUTS: 'scb=1500',
    });
    try {
      const query =
        '{ county(code: "01") { name municipalities { code name population(year: 2024) income { median } } } }';
      const [a, b] = await Promise.all([jit.query(query), reference.query(query)]);
      expect(answer(a)).toEqual(answer(b));
      const errors = a.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.extensions?.['agency'] === 'scb')).toBe(true);
      // 500s, retried until SCB's own deadline: unavailable or timed out, never anything untyped.
      for (const e of errors)
        expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']).toContain(e.extensions?.['code']);
      const municipalities = (a.data as { county: { municipalities: Array<Record<string, unknown>> } }).county
        .municipalities;
      expect(municipalities).toHaveLength(26);
      expect(municipalities.every((m) => typeof m['name'] === 'string' && m['population'] === null)).toBe(
        true,
      );
    } finally {
      await jit.stop();
      await reference.stop();
    }
  }, 60_000);
});
