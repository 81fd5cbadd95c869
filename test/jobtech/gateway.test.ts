import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { fixture, JSON_HEADERS } from './helpers.ts';

const jobtechEvents = (gw: TestGateway) => gw.events.filter((e) => e.agency === 'jobtech');

describe('jobtech through the gateway, snapshot mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers the contract query (synthetic snapshot)', async () => {
    const body = await gw.query(`{
      jobAds(query: "utvecklare", municipality: "0180", limit: 5) {
        total
        ads { id headline employer { name } workplace { municipality { code name } } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      jobAds: {
        total: 412,
        ads: [
          ['90000001', 'Backendutvecklare Java', 'Exempelbolaget Norr AB'],
          ['90000002', 'Frontendutvecklare React', 'Exempelbolaget Syd AB'],
          ['90000003', 'Systemutvecklare .NET till myndighet', 'Exempelmyndigheten'],
          ['90000004', 'Fullstackutvecklare, konsult', 'Exempelkonsult AB'],
          ['90000005', 'Utvecklare inbyggda system', 'Exempelteknik AB'],
        ].map(([id, headline, name]) => ({
          id,
          headline,
          employer: { name },
          workplace: { municipality: { code: '0180', name: 'Stockholm' } },
        })),
      },
    });
  });

  it('answers the README cross-agency example (jobtech part from the snapshot)', async () => {
    const body = await gw.query<{
      municipality: {
        name: string;
        forecast: unknown[];
        jobAds: { total: number; ads: Array<{ headline: string }> };
      };
    }>(`{
      municipality(code: "0180") {
        name
        forecast(hours: 3) { validAt airTemperature }
        jobAds(query: "sjuksköterska", limit: 3) { total ads { headline } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.municipality.name).toBe('Stockholm');
    expect(body.data?.municipality.forecast).toHaveLength(3);
    expect(body.data?.municipality.jobAds).toEqual({
      total: 187,
      ads: [
        { headline: 'Sjuksköterska till akutmottagning' },
        { headline: 'Sjuksköterska, vårdcentral' },
        { headline: 'Nattsjuksköterska till äldreboende' },
      ],
    });
  });

  it('counts ads for all municipalities of a county with one upstream call', async () => {
    const before = jobtechEvents(gw).length;
    const body = await gw.query<{
      county: { municipalities: Array<{ code: string; name: string; jobAdCount: number }> };
    }>('{ county(code: "01") { municipalities { code name jobAdCount } } }');
    expect(body.errors).toBeUndefined();
    const list = body.data!.county.municipalities;
    expect(list).toHaveLength(26);
    const byCode = Object.fromEntries(list.map((m) => [m.code, m.jobAdCount]));
    expect(byCode['0180']).toBe(9731);
    expect(byCode['0140']).toBe(0);
    expect(jobtechEvents(gw).slice(before)).toEqual([
      expect.objectContaining({ outcome: 'miss', attempts: 1 }),
    ]);
  });

  it('serves the recorded ad with its municipality joined to Lantmäteriet names', async () => {
    const body = await gw.query(
      '{ jobAd(id: "28746073") { headline publishedAt workplace { municipality { name county { name } } location { latitude longitude municipality { code } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      jobAd: {
        headline: 'Group Product Manager - Customer Care',
        publishedAt: '2024-04-24T14:27:02+02:00',
        workplace: {
          municipality: { name: 'Stockholm', county: { name: 'Stockholms län' } },
          location: { latitude: 59.329323, longitude: 18.06858, municipality: { code: '0180' } },
        },
      },
    });
  });

  it('rejects offset beyond 2000 with BAD_USER_INPUT and no upstream call', async () => {
    const before = gw.events.length;
    const body = await gw.query('{ municipality(code: "0180") { name jobAds(offset: 2001) { total } } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'jobtech' });
    expect(body.errors?.[0]?.message).toMatch(/offset must be an integer from 0 to 2000.*Narrow the search/);
    expect(body.data).toEqual({ municipality: { name: 'Stockholm', jobAds: null } });
    expect(gw.events.length).toBe(before);
  });
});

describe('jobtech joins through the gateway, live mode against a mocked JobSearch', () => {
  const agent = offlineAgent();
  let gw: TestGateway;
  const paths: string[] = [];
  beforeAll(async () => {
    gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'live', JOBTECH_SEARCH_URL: 'https://jobsearch.test' },
      dispatcher: agent,
    });
  });
  afterAll(async () => {
    await gw.stop();
    await agent.close();
  });

  const reply = (body: unknown, times = 1) =>
    agent
      .get('https://jobsearch.test')
      .intercept({ method: 'GET', path: (p: string) => p.startsWith('/search') })
      .reply(
        200,
        (opts) => {
          paths.push(String(opts.path));
          return body as object;
        },
        { headers: JSON_HEADERS },
      )
      .times(times);

  it('County.jobAds and Place.jobAdsNearby translate to region= and position=lat,lon', async () => {
    paths.length = 0;
    reply(fixture('jobsearch_search_sjukskoterska_0180_limit3_synthetic.json'), 2);
    const body = await gw.query(`{
      county(code: "25") { jobAds(query: "lärare", limit: 2) { total } }
      place(latitude: 63.8258, longitude: 20.263) { jobAdsNearby(radiusKm: 20, limit: 1) { total } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(paths.sort()).toEqual(
      [
        '/search?q=l%C3%A4rare&region=9hXe_F4g_eTG&offset=0&limit=2',
        '/search?position=63.8258%2C20.263&position.radius=20&offset=0&limit=1',
      ].sort(),
    );
    agent.assertNoPendingInterceptors();
  });

  it('jobAdCount for a whole county: one stats call per request, per query', async () => {
    paths.length = 0;
    reply(fixture('jobsearch_search_stats_municipality_region01_synthetic.json'), 2);
    const body = await gw.query<{ county: { municipalities: Array<{ all: number; nurses: number }> } }>(`{
      county(code: "01") { municipalities { all: jobAdCount nurses: jobAdCount(query: "sjuksköterska") } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.county.municipalities).toHaveLength(26);
    expect(paths.sort()).toEqual([
      '/search?q=sjuksk%C3%B6terska&region=CifL_Rzy_Mku&stats=municipality&stats.limit=30&offset=0&limit=0',
      '/search?region=CifL_Rzy_Mku&stats=municipality&stats.limit=30&offset=0&limit=0',
    ]);
    agent.assertNoPendingInterceptors();
  });
});
