/**
 * County job counts are batched like the municipalities': all 21 counties' `jobAdCount` is one
 * JobSearch call (its region statistics), and each count equals that county's own search total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
});
afterAll(() => gw.stop());

type Counties = { counties: Array<{ code: string; jobAdCount: number | null }> };

describe('County.jobAdCount', () => {
  it('counts all 21 counties in one JobTech call', async () => {
    const before = gw.events.filter((e) => e.agency === 'jobtech' && e.outcome === 'miss').length;
    const body = await gw.query<Counties>('{ counties { code jobAdCount(query: "lärare") } }', undefined, {
      'x-upstream-stats': '1',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.counties).toHaveLength(21);
    expect(body.data?.counties.every((c) => Number.isInteger(c.jobAdCount))).toBe(true);
    const calls = gw.events.filter((e) => e.agency === 'jobtech' && e.outcome === 'miss').length - before;
    expect(calls).toBe(1);
    expect(body.extensions?.['cost']).toMatchObject({ upstreamCalls: { jobtech: 1 } });
  });

  it("each count equals the county's own search total (one county: one plain search)", async () => {
    const all = await gw.query<Counties>('{ counties { code jobAdCount(query: "sjuksköterska") } }');
    const counts = new Map(all.data!.counties.map((c) => [c.code, c.jobAdCount]));
    expect([...counts.values()].some((n) => (n ?? 0) > 0)).toBe(true);
    for (const code of ['01', '12', '25']) {
      const one = await gw.query<{
        county: { jobAdCount: number; jobAds: { total: number } };
      }>(
        `{ county(code: "${code}") { jobAdCount(query: "sjuksköterska") jobAds(query: "sjuksköterska", limit: 0) { total } } }`,
      );
      expect(one.errors).toBeUndefined();
      expect(one.data?.county.jobAdCount).toBe(one.data?.county.jobAds.total);
      expect(counts.get(code)).toBe(one.data?.county.jobAdCount);
    }
  });
});
