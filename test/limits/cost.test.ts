/**
 * Cost analysis before execution: the queries that took the process down or flooded an agency are
 * refused before any upstream call, with the cost, the limit and the costliest paths; everyday
 * queries (every example, all 290 municipalities' population) pass and report their cost.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());

async function post(query: string) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
      extensions?: Record<string, unknown>;
    },
  };
}

describe('refused before any agency is called', () => {
  it('five nested list levels (the 170-byte query that ran the heap out) are QUERY_TOO_EXPENSIVE', async () => {
    const query = `{ county(code: "01") { municipalities { county { municipalities { county { municipalities { county { municipalities { county { municipalities { code name } } } } } } } } } } }`;
    expect(query.length).toBeLessThan(200);
    const events = gw.events.length;
    const started = Date.now();
    const { status, body } = await post(query);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_EXPENSIVE', limit: 100_000 });
    expect(error.extensions['cost'] as number).toBeGreaterThan(1_000_000);
    expect(error.message).toMatch(/MAX_QUERY_COST/);
    const paths = error.extensions['paths'] as Array<{ path: string; cost: number }>;
    expect(paths[0]!.path).toBe('county');
    expect(paths.some((p) => p.path.endsWith('municipalities.county.municipalities'))).toBe(true);
    expect(gw.events.length).toBe(events);
    // The process is alive and answers the next query.
    expect((await post('{ county(code: "01") { name } }')).body).toEqual({
      data: { county: { name: 'Stockholms län' } },
      extensions: expect.any(Object),
    });
  });

  it('a 5 000-alias query is refused quickly (MAX_ALIASES)', async () => {
    const fields = Array.from({ length: 5000 }, (_, i) => `a${i}: county(code: "01") { name }`).join(' ');
    const started = Date.now();
    const { status, body } = await post(`{ ${fields} }`);
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions['code']).toBe('QUERY_TOO_EXPENSIVE');
    expect(body.errors![0]!.message).toMatch(/5000 aliased fields; at most 100 .*MAX_ALIASES/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('one SGU call per municipality for all 290 is over the per-agency call budget', async () => {
    const events = gw.events.length;
    const { status, body } = await post('{ municipalities { wellCount } }');
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_EXPENSIVE', calls: { sgu: 290 } });
    expect(body.errors![0]!.message).toMatch(/about 290 calls to sgu; at most 50 .*MAX_UPSTREAM_CALLS/);
    expect(gw.events.length).toBe(events);
  });

  it('250 aliased searches make zero upstream calls', async () => {
    const fields = Array.from(
      { length: 40 },
      (_, i) =>
        `j${i}: jobAds(query: "q${i}", limit: 1) { total } w${i}: municipality(code: "0180") { wellCount }`,
    ).join(' ');
    const events = gw.events.length;
    const { status, body } = await post(`{ ${fields} }`);
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions['code']).toBe('QUERY_TOO_EXPENSIVE');
    expect(gw.events.length).toBe(events);
  });
});

describe('everyday queries pass and say what they cost', () => {
  it('all 290 municipalities with population: one batched SCB estimate', async () => {
    const { body } = await post('{ municipalities { code population(year: 2024) } }');
    const cost = body.extensions?.['cost'] as { estimated: number; limit: number; upstreamCalls: object };
    expect(cost.limit).toBe(100_000);
    expect(cost.estimated).toBeGreaterThan(290 * 2);
    expect(cost.estimated).toBeLessThan(2_000);
    expect(cost.upstreamCalls).toEqual({ scb: 2 });
  });

  it('a page is sized by its limit', async () => {
    const small = await post('{ jobAds(limit: 2) { ads { id headline } } }');
    const large = await post('{ jobAds(limit: 100) { ads { id headline } } }');
    const c = (b: typeof small) => (b.body.extensions!['cost'] as { estimated: number }).estimated;
    expect(c(large) - c(small)).toBe(98 * 3);
  });

  it('a FeatureCollection is sized by its members: 290 municipalities, a county at most 49, 21 counties', async () => {
    const estimated = async (query: string) =>
      ((await post(query)).body.extensions!['cost'] as { estimated: number }).estimated;
    const all = await estimated('{ municipalityFeatures { features { id } } }');
    const county = await estimated('{ municipalityFeatures(county: "01") { features { id } } }');
    const counties = await estimated('{ countyFeatures { features { id } } }');
    const nested = await estimated('{ county(code: "01") { municipalityFeatures { features { id } } } }');
    // Each feature costs itself and its id.
    expect(all - county).toBe((290 - 49) * 2);
    expect(county - counties).toBe((49 - 21) * 2);
    expect(nested - county).toBe(1);
  });

  it.each(readdirSync('schema/examples').filter((f) => f.endsWith('.graphql')))(
    'example %s is within the default limits',
    async (file) => {
      const text = readFileSync(`schema/examples/${file}`, 'utf8');
      const variables = /^# Variables:\s*(.+)$/m.exec(text)?.[1];
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: text, variables: variables ? JSON.parse(variables) : undefined }),
      });
      const body = (await res.json()) as { errors?: Array<{ extensions: { code: string } }> };
      expect((body.errors ?? []).filter((e) => e.extensions.code === 'QUERY_TOO_EXPENSIVE')).toEqual([]);
    },
  );
});
