import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../kit/logger.ts';
import type { SubgraphRuntime } from '../../kit/subgraph.ts';
import { offlineAgent } from '../helpers/gateway.ts';
import { createRuntime, fixture, intercept, ORIGIN, run, type Seen } from './helpers.ts';

const ad = fixture('jobsearch_ad_28746073.json');
const hits = fixture('jobsearch_search_utvecklare_0180_limit5_synthetic.json');
const complete = fixture('jobsearch_complete_qfields_skill.json');

describe('jobtech subgraph over a mocked JobSearch', () => {
  let agent: ReturnType<typeof offlineAgent>;
  let runtime: SubgraphRuntime;
  let seen: Seen[];

  beforeEach(() => {
    agent = offlineAgent();
    runtime = createRuntime(agent);
    seen = [];
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await runtime.close();
    await agent.close();
  });

  const pool = () => agent.get(ORIGIN);

  it('translates codes and filters to JobSearch parameters (query string asserted)', async () => {
    intercept(pool(), '/search', 200, hits, seen);
    const res = await run(
      runtime,
      `{ jobAds(query: "utvecklare", municipality: "0180", county: "01", occupationField: "apaJ_2ja_LuF",
           occupationGroup: "DJh5_yyF_hEM", remote: true, publishedAfter: "2024-04-01T06:00:00Z",
           near: { latitude: 59.3293, longitude: 18.0686, radiusKm: 10 }, sort: PUBLISHED_NEWEST_FIRST,
           limit: 5, offset: 20) { total positions ads { id } } }`,
    );
    expect(res.errors).toEqual([]);
    expect(seen.map((s) => s.path)).toEqual([
      // county "01" is implied by municipality "0180": JobSearch would OR the two, so only the municipality is sent.
      '/search?q=utvecklare&municipality=AvNB_uwa_6n6&occupation-field=apaJ_2ja_LuF' +
        '&occupation-group=DJh5_yyF_hEM&remote=true&published-after=2024-04-01T08%3A00%3A00' +
        '&position=59.3293%2C18.0686&position.radius=10&sort=pubdate-desc&offset=20&limit=5',
    ]);
    expect(res.data).toMatchObject({ jobAds: { total: 412, positions: 468 } });
  });

  it('sends a county as region=<concept id>', async () => {
    intercept(pool(), '/search', 200, hits, seen);
    await run(runtime, '{ jobAds(county: "14", query: "+lärare -vikarie") { total } }');
    expect(seen.map((s) => s.path)).toEqual([
      '/search?q=%2Bl%C3%A4rare+-vikarie&region=zdoY_6u5_Krt&offset=0&limit=10',
    ]);
  });

  it.each([
    ['PUBLISHED_OLDEST_FIRST', 'pubdate-asc'],
    ['DEADLINE_LATEST_FIRST', 'applydate-desc'],
    ['DEADLINE_SOONEST_FIRST', 'applydate-asc'],
    ['UPDATED', 'updated'],
  ])('maps sort %s to %s; defaults send only paging', async (sort, value) => {
    intercept(pool(), '/search', 200, hits, seen, 2);
    await run(runtime, `{ jobAds(sort: ${sort}) { total } }`);
    await run(runtime, '{ jobAds { total } }');
    expect(seen.map((s) => s.path)).toEqual([
      `/search?sort=${value}&offset=0&limit=10`,
      '/search?offset=0&limit=10',
    ]);
  });

  it.each([
    ['limit: 101', /limit 101 is out of range: limit must be an integer from 0 to 100\. Narrow the search/],
    ['limit: -1', /limit -1 is out of range/],
    [
      'offset: 2001',
      /offset 2001 is out of range: offset must be an integer from 0 to 2000\. Narrow the search/,
    ],
    ['municipality: "0000"', /Unknown municipality code "0000"/],
    ['municipality: "Stockholm"', /malformed/],
    ['county: "90"', /Unknown county code "90"/],
    ['municipality: "0180", county: "14"', /Municipality "0180" is not in county "14"/],
    ['occupationField: "Data/IT"', /not a taxonomy concept id/],
    ['publishedAfter: "last week"', /publishedAfter "last week" is not an ISO-8601/],
    ['near: { latitude: 52.5, longitude: 13.4 }', /outside Sweden/],
    ['near: { latitude: 59.3, longitude: 18.1, radiusKm: 0 }', /radiusKm 0 is out of range/],
  ])('rejects %s with BAD_USER_INPUT before any upstream call', async (arg, message) => {
    const res = await run(runtime, `{ jobAds(${arg}) { total } }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]?.code).toBe('BAD_USER_INPUT');
    expect(res.errors[0]?.message).toMatch(message);
    expect(res.data).toEqual({ jobAds: null });
    expect(res.trace.upstreamCalls).toBe(0);
  });

  it('serves an ad by id with the joins and Swedish offsets', async () => {
    intercept(pool(), '/ad/28746073', 200, ad, seen);
    const res = await run(
      runtime,
      `{ jobAd(id: "28746073") { id headline publishedAt applicationDeadline salaryDescription labels
           employer { name organizationNumber url } occupation { label conceptId }
           workplace { street postcode city municipality { code } county { code } location { latitude longitude } } } }`,
    );
    expect(res.errors).toEqual([]);
    expect(res.data).toEqual({
      jobAd: {
        id: '28746073',
        headline: 'Group Product Manager - Customer Care',
        publishedAt: '2024-04-24T14:27:02+02:00',
        applicationDeadline: '2024-05-08T23:59:59+02:00',
        salaryDescription: null,
        labels: [],
        employer: {
          name: 'Volvo Personvagnar AB',
          organizationNumber: '5560743089',
          url: 'https://www.volvocars.com/',
        },
        occupation: { label: 'Produktutvecklare', conceptId: '32bC_YdL_JtU' },
        workplace: {
          street: null,
          postcode: null,
          city: null,
          municipality: { code: '0180' },
          county: { code: '01' },
          location: { latitude: 59.329323, longitude: 18.06858 },
        },
      },
    });
  });

  it('answers null (no error) for an unknown ad id', async () => {
    intercept(pool(), '/ad/99999999', 404, { message: 'Ad not found' }, seen);
    const res = await run(runtime, '{ jobAd(id: "99999999") { id headline } }');
    expect(res.errors).toEqual([]);
    expect(res.data).toEqual({ jobAd: null });
    expect(seen).toHaveLength(1);
  });

  it('rejects a malformed ad id without a call', async () => {
    const res = await run(runtime, '{ jobAd(id: "../search") { id } }');
    expect(res.errors[0]?.code).toBe('BAD_USER_INPUT');
    expect(res.trace.upstreamCalls).toBe(0);
  });

  it('caches an ad: the second request makes no upstream call', async () => {
    intercept(pool(), '/ad/28746073', 200, ad, seen);
    await run(runtime, '{ jobAd(id: "28746073") { id } }');
    const second = await run(runtime, '{ jobAd(id: "28746073") { headline } }');
    expect(second.data).toEqual({ jobAd: { headline: 'Group Product Manager - Customer Care' } });
    expect(second.trace.upstreamCalls).toBe(0);
    expect(second.trace.cacheHits).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('maps an upstream 503 to UPSTREAM_UNAVAILABLE with the agency, nulling only that field', async () => {
    pool()
      .intercept({ method: 'GET', path: /^\/search/ })
      .reply(503, {})
      .times(3);
    const res = await run(runtime, '{ jobAds(query: "x") { total } }');
    expect(res.data).toEqual({ jobAds: null });
    expect(res.errors[0]).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', agency: 'jobtech' });
  });

  it('typeahead: /complete with q and limit; limit beyond 50 is rejected first', async () => {
    intercept(pool(), '/complete', 200, complete, seen);
    const res = await run(
      runtime,
      '{ jobAdSuggestions(prefix: "in", limit: 5) { value foundPhrase type occurrences } }',
    );
    expect(seen.map((s) => s.path)).toEqual(['/complete?q=in&limit=5']);
    expect(res.data).toEqual({
      jobAdSuggestions: [
        { value: 'installation', foundPhrase: 'installation', type: 'skill', occurrences: 3 },
        { value: 'microsoft exchange', foundPhrase: 'microsoft exchange', type: 'skill', occurrences: 3 },
      ],
    });
    const tooMany = await run(runtime, '{ jobAdSuggestions(prefix: "in", limit: 51) { value } }');
    expect(tooMany.errors[0]?.message).toMatch(
      /limit 51 is out of range: limit must be an integer from 0 to 50/,
    );
    expect(tooMany.trace.upstreamCalls).toBe(0);
    const empty = await run(runtime, '{ jobAdSuggestions(prefix: " ") { value } }');
    expect(empty.errors[0]?.code).toBe('BAD_USER_INPUT');
  });

  it('sends no api-key header when none is configured', async () => {
    intercept(pool(), '/search', 200, hits, seen);
    await run(runtime, '{ jobAds { total } }');
    expect(seen[0]?.headers).not.toHaveProperty('api-key');
  });
});

describe('api key', () => {
  it('is sent as the api-key header when JOBTECH_API_KEY is set, and never logged', async () => {
    const agent = offlineAgent();
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, msg: string) =>
      lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
    const logger: Logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    const runtime = createRuntime(agent, { JOBTECH_API_KEY: 's3cret-key-value' }, logger);
    const seen: Seen[] = [];
    intercept(agent.get(ORIGIN), '/search', 200, hits, seen);
    // A failing call too, so that the warn path logs something.
    agent
      .get(ORIGIN)
      .intercept({ method: 'GET', path: /^\/ad\// })
      .reply(401, { message: 'Missing or invalid API key' });
    await run(runtime, '{ jobAds { total } }');
    const failed = await run(runtime, '{ jobAd(id: "1") { id } }');
    expect(seen[0]?.headers['api-key']).toBe('s3cret-key-value');
    expect(seen[0]?.path).not.toContain('s3cret');
    expect(failed.errors[0]?.code).toBe('UPSTREAM_AUTH_REQUIRED');
    // Says which variable to check, never its value.
    expect(failed.errors[0]?.message).toContain('JOBTECH_API_KEY');
    expect(failed.errors[0]?.message).not.toContain('s3cret');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('s3cret');
    agent.assertNoPendingInterceptors();
    await runtime.close();
    await agent.close();
  });
});
