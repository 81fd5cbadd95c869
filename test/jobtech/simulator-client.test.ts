/**
 * The real JobTech client (URL building, parsing, errors) and loaders against the JobSearch
 * simulator through the OfflineDispatcher: every client method, the counts batching, and the
 * statuses the simulator produces mapping to the right errors.
 */
import { describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { haversineKm } from '../../kit/geo.ts';
import { geography } from '../../kit/sweden.ts';
import type { SearchParams } from '../../subgraphs/jobtech/client.ts';
import { countMunicipalities } from '../../subgraphs/jobtech/loaders.ts';
import { locationTable } from '../../subgraphs/jobtech/locations.ts';
import { harness, NOW } from './simulator-helpers.ts';

const concepts = locationTable();
const m = (code: string) => concepts.municipality[code]!.conceptId;
const r = (code: string) => concepts.region[code]!.conceptId;

/** Calls `fn` and returns the UpstreamError it rejects with. */
async function upstreamError(fn: () => Promise<unknown>): Promise<UpstreamError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected an UpstreamError');
}

describe('JobTech client over the simulator: search', () => {
  const client = harness().client();

  it('parses hits into the DTO: workplace joins, taxonomy, dates with the Swedish offset', async () => {
    const result = await client.search({ municipality: m('2584'), offset: 0, limit: 10 });
    expect(result.total).toBeGreaterThan(0);
    expect(result.ads.length).toBe(Math.min(10, result.total));
    for (const ad of result.ads) {
      expect(ad.workplace.municipalityCode).toBe('2584');
      expect(ad.workplace.countyCode).toBe('25');
      expect(ad.workplace.country).toBe('Sverige');
      expect(ad.workplace.location).not.toBeNull();
      expect(ad.occupation?.conceptId).toMatch(/^\w{4}_\w{3}_\w{3}$/);
      expect(ad.labels).toEqual([]);
      expect(ad.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+01:00$/); // March: winter time
      expect(ad.relevance).toBe(1);
      expect(Date.parse(ad.applicationDeadline!)).toBeGreaterThan(NOW);
    }
  });

  it('sends every filter the resolvers use, and each one filters', async () => {
    const base: SearchParams = { offset: 0, limit: 100 };
    const all = await client.search({ ...base, limit: 0 });
    const cases: Array<
      [string, SearchParams, (ad: Awaited<ReturnType<typeof client.search>>['ads'][number]) => boolean]
    > = [
      ['q', { ...base, q: 'lagerarbetare' }, (ad) => /lagerarbetare/i.test(ad.headline ?? '')],
      ['region', { ...base, region: r('12') }, (ad) => ad.workplace.countyCode === '12'],
      [
        'occupationField',
        { ...base, occupationField: 'NYW6_mP6_vwf' },
        (ad) => ad.occupationField?.conceptId === 'NYW6_mP6_vwf',
      ],
      [
        'occupationGroup',
        { ...base, occupationGroup: 'DJh5_yyF_hEM' },
        (ad) => ad.occupationGroup?.conceptId === 'DJh5_yyF_hEM',
      ],
      [
        'remote',
        { ...base, remote: true },
        (ad) => /distans|hemifrån|remote work/i.test(ad.description.text ?? ''),
      ],
      [
        'publishedAfter',
        { ...base, publishedAfter: '2026-03-14T00:00:00' },
        (ad) => Date.parse(ad.publishedAt!) >= Date.parse('2026-03-14T00:00:00+01:00'),
      ],
      [
        'position',
        { ...base, position: { latitude: 55.605, longitude: 13.0038, radiusKm: 15 } },
        (ad) =>
          haversineKm(55.605, 13.0038, ad.workplace.location!.latitude, ad.workplace.location!.longitude) <=
          15,
      ],
    ];
    for (const [name, params, check] of cases) {
      const result = await client.search(params);
      expect(result.total, name).toBeGreaterThan(0);
      expect(result.total, name).toBeLessThan(all.total);
      for (const ad of result.ads) expect(check(ad), `${name}: ${ad.id}`).toBe(true);
    }
  });

  it('every sort value the client sends orders the hits', async () => {
    const order = async (sort: string | undefined) =>
      (await client.search({ offset: 0, limit: 50, ...(sort ? { sort } : {}) })).ads;
    const asc = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);
    const pub = (ads: Awaited<ReturnType<typeof order>>) => ads.map((a) => Date.parse(a.publishedAt!));
    const deadline = (ads: Awaited<ReturnType<typeof order>>) =>
      ads.map((a) => Date.parse(a.applicationDeadline!));
    expect(asc(pub(await order('pubdate-desc')).reverse())).toBe(true);
    expect(asc(pub(await order('pubdate-asc')))).toBe(true);
    expect(asc(deadline(await order('applydate-desc')).reverse())).toBe(true);
    expect(asc(deadline(await order('applydate-asc')))).toBe(true);
    expect((await order('updated')).length).toBe(50);
    expect((await order(undefined)).map((a) => a.id)).toEqual((await order('pubdate-desc')).map((a) => a.id));
  });

  it('stats=municipality with stats.limit: the facet the counts loader reads', async () => {
    const result = await client.search({
      region: r('01'),
      stats: 'municipality',
      statsLimit: 30,
      offset: 0,
      limit: 0,
    });
    const facet = result.stats.find((s) => s.type === 'municipality')!;
    expect(facet.values.reduce((s, v) => s + v.count, 0)).toBe(result.total);
    for (const v of facet.values) expect(v.conceptId).toBe(m(v.code!));
  });

  it('an unknown concept id is 0 hits, not an error', async () => {
    const result = await client.search({ municipality: 'AAAA_BBB_CCC', offset: 0, limit: 10 });
    expect(result).toEqual({ total: 0, positions: 0, ads: [], stats: [] });
  });
});

describe('JobTech client over the simulator: ad and complete', () => {
  const client = harness().client();

  it('ad(id): a generated ad, the real recorded ad, and null for an unknown id (404)', async () => {
    const first = (await client.search({ offset: 0, limit: 1 })).ads[0]!;
    const again = await client.ad(first.id);
    expect({ ...again, relevance: first.relevance }).toEqual(first);
    const real = await client.ad('28746073');
    expect(real).toMatchObject({
      id: '28746073',
      headline: 'Group Product Manager - Customer Care',
      publishedAt: '2024-04-24T14:27:02+02:00',
      employer: { name: 'Volvo Personvagnar AB', organizationNumber: '5560743089' },
      workplace: {
        municipalityCode: '0180',
        countyCode: '01',
        location: { latitude: 59.329323, longitude: 18.06858 },
      },
    });
    expect(JSON.stringify(real)).not.toContain('31590000');
    expect(await client.ad('999999999')).toBeNull();
  });

  it('complete(prefix, limit): typeahead with types and occurrences', async () => {
    const suggestions = await client.complete('sjuk', 5);
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(5);
    for (const s of suggestions) {
      expect(s.value.startsWith('sjuk')).toBe(true);
      expect(s.type).toBe('occupation');
      expect(s.occurrences).toBeGreaterThan(0);
    }
  });
});

describe('JobTech loaders over the simulator: jobAdCount batching', () => {
  it("counts a county's municipalities with one facet, matching one search per municipality", async () => {
    const h = harness();
    const client = h.client();
    const codes = geography().counties.get('01')!.municipalityCodes;
    let calls = 0;
    const counting = {
      ...client,
      search: (p: SearchParams) => {
        calls++;
        return client.search(p);
      },
    };
    const counts = await countMunicipalities(
      counting,
      codes.map((code) => ({ code, query: null })),
    );
    expect(calls).toBe(1);
    for (const [i, code] of codes.entries()) {
      const single = await client.search({ municipality: m(code), offset: 0, limit: 0 });
      expect(counts[i], code).toBe(single.total);
    }
    // Västra Götaland: 49 municipalities, every one with ads, more than a facet lists (30): the
    // other 19 are searched one by one.
    const vg = geography().counties.get('14')!.municipalityCodes;
    calls = 0;
    const vgCounts = await countMunicipalities(
      counting,
      vg.map((code) => ({ code, query: null })),
    );
    expect(calls).toBe(1 + 19);
    for (const [i, code] of vg.entries()) {
      const single = await client.search({ municipality: m(code), offset: 0, limit: 0 });
      expect(vgCounts[i], code).toBe(single.total);
    }
  });
});

describe('JobTech client over the simulator: error statuses', () => {
  it('400 over the caps (limit 101, offset 2001) → HTTP_STATUS 400 → UPSTREAM_BAD_RESPONSE', async () => {
    const client = harness().client();
    const err = await upstreamError(() => client.search({ offset: 0, limit: 101 }));
    expect(err).toMatchObject({ kind: 'HTTP_STATUS', status: 400, agency: 'jobtech' });
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
    const offset = await upstreamError(() => client.search({ offset: 2001, limit: 1 }));
    expect(offset.status).toBe(400);
    const complete = await upstreamError(() => client.complete('lag', 51));
    expect(complete.status).toBe(400);
  });

  it('injected 429 → RATE_LIMITED, 500 → UPSTREAM_UNAVAILABLE, 401 → AUTH_REQUIRED naming JOBTECH_API_KEY', async () => {
    const limited = await upstreamError(() =>
      harness(NOW, { jobtech: { kind: 'status', status: 429 } })
        .client()
        .search({ offset: 0, limit: 1 }),
    );
    expect(codeForUpstream(limited)).toBe('UPSTREAM_RATE_LIMITED');
    const down = await upstreamError(() =>
      harness(NOW, { jobtech: { kind: 'status', status: 500 } })
        .client()
        .ad('28746073'),
    );
    expect(codeForUpstream(down)).toBe('UPSTREAM_UNAVAILABLE');
    const refused = await upstreamError(() =>
      harness(NOW, { jobtech: { kind: 'status', status: 401 } })
        .client()
        .complete('lag', 5),
    );
    expect(refused.kind).toBe('AUTH_REQUIRED');
    expect(refused.message).toContain('JOBTECH_API_KEY');
  });

  it('a malformed answer → BAD_PAYLOAD (UPSTREAM_BAD_RESPONSE)', async () => {
    const err = await upstreamError(() =>
      harness(NOW, { jobtech: { kind: 'malformed' } })
        .client()
        .search({ offset: 0, limit: 1 }),
    );
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
  });
});
