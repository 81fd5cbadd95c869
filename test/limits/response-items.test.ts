/**
 * The limit on what one answer may build, enforced while it runs: with the cost analysis out of the
 * way (its limit raised to the maximum), a query nesting the embedded geography four list levels deep
 * stops at MAX_RESPONSE_ITEMS with RESPONSE_TOO_LARGE, and the process keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    env: { UPSTREAM_MODE: 'offline', MAX_QUERY_COST: '100000000', MAX_RESPONSE_ITEMS: '5000' },
  });
});
afterAll(() => gw.stop());

// Four list levels of 26 municipalities: 26⁴ ≈ 457 000 items, under the highest MAX_QUERY_COST.
const NESTED = `{ county(code: "01") { municipalities { county { municipalities { county { municipalities { county { municipalities { code name } } } } } } } } }`;

describe('MAX_RESPONSE_ITEMS', () => {
  it('stops the nesting query at the limit with RESPONSE_TOO_LARGE', async () => {
    const before = process.memoryUsage().heapUsed;
    const body = await gw.query<{ county: { municipalities: unknown[] | null } }>(NESTED);
    const codes = new Set(body.errors?.map((e) => e.extensions?.['code']));
    expect(codes).toEqual(new Set(['RESPONSE_TOO_LARGE']));
    expect(body.errors?.[0]?.message).toMatch(/more than 5000 list items \(MAX_RESPONSE_ITEMS\)/);
    expect(body.errors?.[0]?.extensions?.['limit']).toBe(5000);
    // The third level went past the limit; its non-null lists null their parents up to \`county\`.
    expect(body.data).toEqual({ county: null });
    expect(JSON.stringify(body).length).toBeLessThan(5_000_000);
    // Nowhere near the half a million objects the full answer would need.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(400 * 1024 * 1024);
  });

  it('answers the next request as usual (the process is alive, the count is per request)', async () => {
    const body = await gw.query<{ county: { municipalities: Array<{ code: string }> } }>(
      '{ county(code: "01") { municipalities { code county { municipalities { code } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.county.municipalities).toHaveLength(26);
  });
});
