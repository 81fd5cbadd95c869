/**
 * The JobTech part of the schema end to end through the gateway in offline mode (every agency
 * answered by its simulator): every field answers with values for plausible arguments across
 * several municipalities, the joins work, `extensions.offline` names JobTech, and injected faults
 * map to the right errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineKm } from '../../kit/geo.ts';
import { geography } from '../../kit/sweden.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

type Json = Record<string, unknown>;

/** Every field of JobAd (and its objects). */
const AD_FIELDS = `
  id externalId headline labels
  description { text formatted companyInformation needs requirements conditions }
  employer { name organizationNumber url workplace }
  occupation { conceptId label legacyId } occupationGroup { conceptId label legacyId }
  occupationField { conceptId label legacyId } employmentType { conceptId label legacyId }
  workingHours { conceptId label legacyId } duration { conceptId label legacyId }
  salaryType { conceptId label legacyId } salaryDescription scopeOfWork { min max }
  numberOfPositions experienceRequired drivingLicenseRequired publishedAt applicationDeadline lastPublishedAt
  application { url email information reference viaArbetsformedlingen }
  webpageUrl logoUrl
  workplace { street postcode city municipality { code name } county { code name } country location { latitude longitude } }
  relevance
`;

/** Paths of every null under `value`. */
function nulls(value: unknown, path = ''): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulls(v, `${path}[${i}]`));
  if (typeof value === 'object')
    return Object.entries(value as Json).flatMap(([k, v]) => nulls(v, path ? `${path}.${k}` : k));
  return [];
}

describe('jobtech through the gateway, offline mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  }, 60_000);
  afterAll(() => gw.stop());

  const ask = async <T = Json>(query: string) => {
    const body = await gw.query<T>(query);
    expect(body.errors, JSON.stringify(body.errors, null, 2)).toBeUndefined();
    return body;
  };

  it('jobAds(limit: 6): six ads of thousands; extensions.offline names JobTech as synthetic', async () => {
    const body = await ask<{ jobAds: { total: number; positions: number; ads: Json[] } }>(
      '{ jobAds(limit: 6) { total positions ads { id headline } } }',
    );
    expect(body.data!.jobAds.ads).toHaveLength(6);
    expect(body.data!.jobAds.total).toBeGreaterThanOrEqual(2000);
    expect(body.extensions?.['offline']).toMatchObject({
      agencies: { jobtech: { synthetic: true, note: expect.stringContaining('28746073') } },
    });
  });

  it.each([
    ['0180', 'Stockholm'],
    ['2584', 'Kiruna'],
    ['1480', 'Göteborg'],
    ['1280', 'Malmö'],
    ['0380', 'Uppsala'],
    ['0512', 'Ydre'],
  ])(
    'Municipality %s (%s): jobAds with every field, jobAdCount, county and nearby searches',
    async (code, name) => {
      const m = geography().municipalities.get(code)!;
      const body = await ask<{
        municipality: {
          name: string;
          jobAdCount: number;
          jobAds: { total: number; positions: number; ads: Json[] };
        };
        county: { jobAds: { total: number; ads: Json[] } };
        place: { jobAdsNearby: { total: number; ads: Json[] } };
      }>(`{
      municipality(code: "${code}") {
        name jobAdCount
        jobAds(limit: 3) { total positions ads { ${AD_FIELDS} } }
      }
      county(code: "${code.slice(0, 2)}") { jobAds(limit: 2) { total ads { id workplace { county { code } } } } }
      place(latitude: ${m.centroid.latitude}, longitude: ${m.centroid.longitude}) {
        jobAdsNearby(radiusKm: 25, limit: 5) { total ads { workplace { location { latitude longitude } } } }
      }
    }`);
      const muni = body.data!.municipality;
      expect(muni.name).toBe(name);
      expect(muni.jobAds.total).toBeGreaterThan(0);
      expect(muni.jobAdCount).toBe(muni.jobAds.total);
      // The newest ad of every municipality sets every optional field: nothing comes back null.
      const [first, ...rest] = muni.jobAds.ads;
      expect(nulls(first)).toEqual([]);
      for (const ad of [first!, ...rest]) {
        expect((ad['workplace'] as Json)['municipality']).toEqual({ code, name });
        expect(ad['publishedAt']).toMatch(/\+0[12]:00$/);
      }
      expect(body.data!.county.jobAds.total).toBeGreaterThanOrEqual(muni.jobAds.total);
      for (const ad of body.data!.county.jobAds.ads)
        expect(((ad['workplace'] as Json)['county'] as Json)['code']).toBe(code.slice(0, 2));
      const nearby = body.data!.place.jobAdsNearby;
      expect(nearby.total).toBeGreaterThan(0);
      for (const ad of nearby.ads) {
        const loc = (ad['workplace'] as Json)['location'] as { latitude: number; longitude: number };
        expect(
          haversineKm(m.centroid.latitude, m.centroid.longitude, loc.latitude, loc.longitude),
        ).toBeLessThanOrEqual(25);
      }
    },
  );

  it('municipalities(county: "01") { jobAdCount }: every one counted, Stockholm the most', async () => {
    const body = await ask<{ municipalities: Array<{ code: string; jobAdCount: number }> }>(
      '{ municipalities(county: "01") { code jobAdCount } }',
    );
    const list = body.data!.municipalities;
    expect(list).toHaveLength(26);
    for (const m of list) expect(m.jobAdCount, m.code).toBeGreaterThan(0);
    const max = list.reduce((a, b) => (b.jobAdCount > a.jobAdCount ? b : a));
    expect(max.code).toBe('0180');
    const county = await ask<{ county: { jobAds: { total: number } } }>(
      '{ county(code: "01") { jobAds(limit: 0) { total } } }',
    );
    expect(list.reduce((s, m) => s + m.jobAdCount, 0)).toBe(county.data!.county.jobAds.total);
  });

  it('jobAds with filters: query, near, occupationField, remote, publishedAfter, sort, paging', async () => {
    const body = await ask<{
      dev: { total: number; ads: Array<{ headline: string; workplace: { municipality: { code: string } } }> };
      near: { total: number };
      field: { ads: Array<{ occupationField: { label: string } }> };
      remote: { total: number };
      recent: { total: number };
      all: { total: number };
      page2: { ads: Array<{ id: string }> };
      first20: { ads: Array<{ id: string }> };
    }>(`{
      dev: jobAds(query: "utvecklare", municipality: "1480", limit: 5) { total ads { headline workplace { municipality { code } } } }
      near: jobAds(near: { latitude: 59.8586, longitude: 17.6389, radiusKm: 20 }, limit: 1) { total }
      field: jobAds(occupationField: "NYW6_mP6_vwf", limit: 5) { ads { occupationField { label } } }
      remote: jobAds(remote: true, limit: 0) { total }
      recent: jobAds(publishedAfter: "2000-01-01", limit: 0) { total }
      all: jobAds(limit: 0) { total }
      page2: jobAds(sort: PUBLISHED_OLDEST_FIRST, offset: 10, limit: 10) { ads { id } }
      first20: jobAds(sort: PUBLISHED_OLDEST_FIRST, limit: 20) { ads { id } }
    }`);
    const d = body.data!;
    expect(d.dev.total).toBeGreaterThan(0);
    for (const ad of d.dev.ads) {
      expect(ad.headline).toMatch(/utvecklare/i);
      expect(ad.workplace.municipality.code).toBe('1480');
    }
    expect(d.near.total).toBeGreaterThan(0);
    for (const ad of d.field.ads) expect(ad.occupationField.label).toBe('Hälso- och sjukvård');
    expect(d.remote.total).toBeGreaterThan(0);
    expect(d.remote.total).toBeLessThan(d.all.total);
    expect(d.recent.total).toBe(d.all.total);
    expect(d.page2.ads.map((a) => a.id)).toEqual(d.first20.ads.slice(10).map((a) => a.id));
  });

  it('jobAd(id) for a generated ad and for the real recorded ad 28746073', async () => {
    const list = await ask<{ jobAds: { ads: Array<{ id: string; headline: string }> } }>(
      '{ jobAds(municipality: "2584", limit: 1) { ads { id headline } } }',
    );
    const generated = list.data!.jobAds.ads[0]!;
    const body = await ask<{ generated: Json; real: Json; missing: Json | null }>(`{
      generated: jobAd(id: "${generated.id}") { id headline workplace { municipality { code } } }
      real: jobAd(id: "28746073") {
        headline publishedAt applicationDeadline
        employer { name organizationNumber }
        occupation { label conceptId }
        workplace { municipality { name } county { name } location { latitude longitude } }
      }
      missing: jobAd(id: "1") { id }
    }`);
    expect(body.data!.generated).toEqual({
      id: generated.id,
      headline: generated.headline,
      workplace: { municipality: { code: '2584' } },
    });
    expect(body.data!.real).toEqual({
      headline: 'Group Product Manager - Customer Care',
      publishedAt: '2024-04-24T14:27:02+02:00',
      applicationDeadline: '2024-05-08T23:59:59+02:00',
      employer: { name: 'Volvo Personvagnar AB', organizationNumber: '5560743089' },
      occupation: { label: 'Produktutvecklare', conceptId: '32bC_YdL_JtU' },
      workplace: {
        municipality: { name: 'Stockholm' },
        county: { name: 'Stockholms län' },
        location: { latitude: 59.329323, longitude: 18.06858 },
      },
    });
    expect(body.data!.missing).toBeNull();
  });

  it('jobAdSuggestions(prefix, limit): typeahead terms starting with the prefix', async () => {
    const body = await ask<{
      jobAdSuggestions: Array<{ value: string; foundPhrase: string; type: string; occurrences: number }>;
    }>('{ jobAdSuggestions(prefix: "utv", limit: 5) { value foundPhrase type occurrences } }');
    const list = body.data!.jobAdSuggestions;
    expect(list.length).toBeGreaterThan(0);
    for (const s of list) {
      expect(nulls(s)).toEqual([]);
      expect(s.value.startsWith('utv')).toBe(true);
    }
  });

  it('limits are enforced before any call: limit 101 is BAD_USER_INPUT', async () => {
    const body = await gw.query('{ jobAds(limit: 101) { total } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'jobtech' });
  });
});

describe('jobtech through the gateway, offline mode with injected faults', () => {
  it.each([
    ['429', 'UPSTREAM_RATE_LIMITED'],
    ['500', 'UPSTREAM_UNAVAILABLE'],
    ['401', 'UPSTREAM_AUTH_REQUIRED'],
  ])(
    'OFFLINE_FAULTS=jobtech=%s → %s, the other agencies still answer',
    async (fault, code) => {
      const gw = await startTestGateway({
        env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: `jobtech=${fault}` },
      });
      try {
        const body = await gw.query<{ municipality: { name: string; jobAdCount: number | null } }>(
          '{ municipality(code: "0180") { name jobAdCount } }',
        );
        expect(body.data?.municipality.name).toBe('Stockholm');
        expect(body.data?.municipality.jobAdCount).toBeNull();
        expect(body.errors?.[0]?.extensions).toMatchObject({ code, agency: 'jobtech' });
      } finally {
        await gw.stop();
      }
    },
    60_000,
  );
});
