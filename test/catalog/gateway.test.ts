/**
 * End to end through the real gateway in offline mode (every agency answered by its simulator): the
 * issue's own query, each filter, one dataset, the joins to Agency / Municipality / County, bad input
 * rejected before any registry call, and injected registry failures nulling only catalog fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLBody, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

type Node = Record<string, unknown>;
type Page = {
  totalCount: number;
  nodes: Node[];
  facets?: Record<string, Array<{ value: string; code: string | null; label: string | null; count: number }>>;
};

describe('catalog through the gateway (offline)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  const ok = async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) => {
    const body = await gw.query<T>(query, variables);
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body as GraphQLBody<T> & { data: T };
  };

  it('answers the issue’s query: SCB’s “befolkning” datasets, some served by the graph', async () => {
    const body = await ok<{
      agency: { datasets: { nodes: Array<{ title: string; servedByGraph: boolean }> } };
    }>('{ agency(id: SCB) { datasets(search: "befolkning") { nodes { title servedByGraph } } } }');
    const nodes = body.data.agency.datasets.nodes;
    expect(nodes.length).toBeGreaterThan(5);
    expect(nodes.some((n) => n.servedByGraph)).toBe(true);
    expect(nodes.some((n) => !n.servedByGraph)).toBe(true);
    for (const n of nodes) expect(n.title.toLowerCase()).toMatch(/befolkning|folkmängd/);
    expect(
      (body.extensions?.['offline'] as { agencies: Record<string, unknown> } | undefined)?.agencies,
    ).toHaveProperty('catalog');
  });

  it('names the graph fields that serve a dataset (SCB’s population table TAB638)', async () => {
    const body = await ok<{
      agency: { datasets: { nodes: Array<{ uri: string; graphFields: string[]; agency: { id: string } }> } };
    }>(
      '{ agency(id: SCB) { datasets(search: "folkmängden civilstånd", limit: 5) { nodes { uri graphFields agency { id } } } } }',
    );
    const tab638 = body.data.agency.datasets.nodes.find((n) => n.uri.endsWith('/TAB638'))!;
    expect(tab638.graphFields).toEqual(
      expect.arrayContaining(['Municipality.population', 'Query.statistics']),
    );
    expect(tab638.agency.id).toBe('SCB');
  });

  it.each([
    [
      'publisher (an AgencyId)',
      'publisher: "SGU"',
      (n: Node) => expect((n['publisher'] as Node)['agency']).toEqual({ id: 'SGU' }),
    ],
    [
      'publisher (an organisation number)',
      'publisher: "2021000696"',
      (n: Node) => expect((n['publisher'] as Node)['agency']).toEqual({ id: 'SMHI' }),
    ],
    [
      'theme',
      'theme: TRAN',
      (n: Node) => expect((n['themes'] as Node[]).map((t) => t['code'])).toContain('TRAN'),
    ],
    ['format (a code)', 'format: "CSV"', (n: Node) => expect(n['formats']).toContain('text/csv')],
    [
      'format (a media type)',
      'format: "application/geo+json"',
      (n: Node) => expect(n['formats']).toContain('application/geo+json'),
    ],
    [
      'HVD category',
      'highValueCategory: MOBILITY',
      (n: Node) => expect((n['highValueCategories'] as Node[]).map((t) => t['code'])).toEqual(['c_b79e35eb']),
    ],
    [
      'type',
      'type: DATA_SERVICE',
      (n: Node) =>
        expect(n).toMatchObject({
          type: 'DATA_SERVICE',
          hasApi: true,
          endpointUrls: [expect.stringMatching(/^https:/)],
        }),
    ],
  ])('filters by %s', async (_what, args, check) => {
    const body = await ok<{ all: Page; some: Page }>(
      `{ all: datasets(limit: 0) { totalCount }
         some: datasets(${args}, limit: 100) { totalCount nodes { type publisher { agency { id } } themes { code } formats highValueCategories { code } hasApi endpointUrls } } }`,
    );
    const { all, some } = body.data;
    expect(some.totalCount).toBeGreaterThan(0);
    expect(some.totalCount).toBeLessThan(all.totalCount);
    expect(some.nodes).toHaveLength(Math.min(100, some.totalCount));
    for (const n of some.nodes) check(n);
  });

  it('combines filters and text, with facets counted over all matches', async () => {
    const body = await ok<{ datasets: Page }>(`{
      datasets(search: "grundvatten", publisher: "SGU", limit: 3) {
        totalCount
        nodes { id title(lang: SV) titles { sv en } servedByGraph }
        facets { publishers { value code label count } themes { code label count } formats { value code count } highValueCategories { code label count } }
      }
    }`);
    const page = body.data.datasets;
    expect(page.nodes).toHaveLength(3);
    expect(page.facets!['publishers']).toEqual([
      {
        value: 'http://dataportal.se/organisation/SE2021002528',
        code: 'SGU',
        label: 'Sveriges geologiska undersökning',
        count: page.totalCount,
      },
    ]);
    expect(page.facets!['themes']![0]).toMatchObject({ code: 'ENVI', label: 'Miljö' });
    expect(page.facets!['highValueCategories']!.map((f) => f.code)).toEqual(
      expect.arrayContaining(['EARTH_OBSERVATION_AND_ENVIRONMENT']),
    );
  });

  it('dataset(id): everything the catalogue says, contact point organisation only', async () => {
    const body = await ok<{ dataset: Record<string, unknown> }>(`{
      dataset(id: "547_28672") {
        id type uri title description(lang: SV) titles { sv en text }
        publisher { uri name agency { id } } agency { id }
        themes { code sv en } highValueCategories { code } keywords { value lang }
        license accessRights updateFrequency temporalCoverage { start end } spatialCoverage { uri name bbox }
        landingPage publisherModified issued modified formats hasApi
        contactPoint { organisation }
        distributions { uri title format mediaType accessUrl downloadUrl license }
        portalUrl servedByGraph graphFields
      }
    }`);
    expect(body.data.dataset).toMatchObject({
      id: '547_28672',
      type: 'DATASET',
      title: 'Antal personer som har fått omvårdnadsbidrag',
      titles: { sv: 'Antal personer som har fått omvårdnadsbidrag', en: null },
      publisher: { name: 'Försäkringskassan', agency: null },
      agency: null,
      accessRights: 'PUBLIC',
      updateFrequency: 'ANNUAL',
      temporalCoverage: [{ start: '2019', end: null }],
      modified: '2026-09-21T04:05:52.918+02:00',
      contactPoint: { organisation: 'Statistikservice' },
      portalUrl: 'https://www.dataportal.se/sv/datasets/547_28672',
      servedByGraph: false,
      graphFields: [],
    });
    expect(body.data.dataset['distributions']).toHaveLength(3);
    expect(JSON.stringify(body)).not.toMatch(/mailto|@example|fornamn/);
  });

  it('dataset(id) of an unknown entry is null without an error; a malformed id is BAD_USER_INPUT', async () => {
    expect((await ok<{ dataset: null }>('{ dataset(id: "547_999999") { id } }')).data.dataset).toBeNull();
    const bad = await gw.query('{ dataset(id: "../etc") { id } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'catalog' });
    expect(bad.errors?.[0]?.message).toMatch(/547_28672/);
  });

  it('agencies: each with its catalogue counts and what the graph serves', async () => {
    const body = await ok<{
      agencies: Array<{
        id: string;
        subgraph: string;
        datasetCounts: { totalCount: number; byTheme: Array<{ code: string; count: number }> };
        servedByGraph: Array<{ fields: string[] }>;
      }>;
    }>(
      '{ agencies { id name subgraph publisherUris cataloguedDatasetsRecorded datasetCounts { totalCount byTheme { code count } byHighValueCategory { code count } byFormat { code count } } servedByGraph { title match fields note } } }',
    );
    const ids = body.data.agencies.map((a) => a.id);
    expect(ids.sort()).toEqual(['JOBTECH', 'LANTMATERIET', 'SCB', 'SGU', 'SMHI']);
    for (const a of body.data.agencies) {
      expect(a.subgraph).toBe(a.id.toLowerCase());
      expect(a.datasetCounts.totalCount).toBeGreaterThanOrEqual(15);
      expect(a.datasetCounts.byTheme.length).toBeGreaterThan(0);
      expect(a.servedByGraph.length).toBeGreaterThan(0);
    }
  });

  it('municipalities and counties: the datasets whose spatial coverage names them', async () => {
    const body = await ok<{
      kiruna: { datasets: Page };
      stockholm: { datasets: Page };
      county: { datasets: Page };
    }>(`{
      kiruna: municipality(code: "2584") { name datasets(limit: 50) { totalCount nodes { title spatialCoverage { name } publisher { name } } } }
      stockholm: municipality(code: "0180") { datasets(search: "badplatser") { totalCount nodes { title } } }
      county: county(code: "25") { name datasets { totalCount nodes { spatialCoverage { name } } } }
    }`);
    expect(body.data.kiruna.datasets.totalCount).toBeGreaterThan(0);
    for (const n of body.data.kiruna.datasets.nodes)
      expect((n['spatialCoverage'] as Node[]).map((s) => s['name'])).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Kiruna/)]),
      );
    expect(body.data.stockholm.datasets.nodes.map((n) => n['title'])).toEqual(['Badplatser i Stockholm']);
    for (const n of body.data.county.datasets.nodes)
      expect((n['spatialCoverage'] as Node[]).map((s) => s['name'])).toContain('Norrbottens län');
  });

  it('the registry’s statistics', async () => {
    const body = await ok<{ catalogStatistics: Record<string, unknown> }>(
      '{ catalogStatistics { date datasetCount publicDatasetCount publicSectorDatasetCount } }',
    );
    expect(body.data.catalogStatistics).toEqual({
      date: '2026-09-21',
      datasetCount: 23583,
      publicDatasetCount: 23548,
      publicSectorDatasetCount: 10096,
    });
  });

  it.each([
    ['limit over 100', '{ datasets(limit: 101) { totalCount } }', /0 to 100/],
    ['a negative offset', '{ datasets(offset: -1) { totalCount } }', /0 to 10000/],
    ['an empty search', '{ datasets(search: "  ") { totalCount } }', /1–200 characters/],
    ['too many words', `{ datasets(search: "${'ord '.repeat(11)}") { totalCount } }`, /at most 10/],
    ['an unknown publisher', '{ datasets(publisher: "Umeå") { totalCount } }', /organisation number/],
    ['a bad format', '{ datasets(format: "text csv") { totalCount } }', /media type/],
    [
      'a bad municipality',
      '{ municipality(code: "0180") { datasets(limit: 500) { totalCount } } }',
      /0 to 100/,
    ],
  ])('rejects %s with BAD_USER_INPUT before any registry call', async (_what, query, message) => {
    const before = gw.events.filter((e) => e.agency === 'catalog').length;
    const body = await gw.query(query);
    const error = body.errors?.find((e) => e.extensions?.['code'] === 'BAD_USER_INPUT');
    expect(error, JSON.stringify(body)).toBeDefined();
    expect(error!.extensions).toMatchObject({ agency: 'catalog' });
    expect(error!.message).toMatch(message);
    expect(gw.events.filter((e) => e.agency === 'catalog').length).toBe(before);
  });
});

describe('registry failures null only the catalog’s fields', () => {
  const QUERY = `{
    municipality(code: "0180") { name datasets { totalCount } }
    agency(id: SMHI) { name servedByGraph { title } datasets { totalCount } }
    datasets(search: "väder") { totalCount }
  }`;
  it.each([
    ['500', 'UPSTREAM_UNAVAILABLE'],
    ['429', 'UPSTREAM_RATE_LIMITED'],
    ['malformed', 'UPSTREAM_BAD_RESPONSE'],
    ['refused', 'UPSTREAM_UNAVAILABLE'],
  ])(
    'catalog=%s → %s',
    async (fault, code) => {
      const gw = await startTestGateway({
        env: { UPSTREAM_MODE: 'offline', OFFLINE_FAULTS: `catalog=${fault}` },
      });
      try {
        const body = await gw.query<{
          municipality: { name: string; datasets: null };
          agency: { name: string; servedByGraph: unknown[]; datasets: null };
          datasets: null;
        }>(QUERY);
        expect(body.data!.municipality).toEqual({ name: 'Stockholm', datasets: null });
        expect(body.data!.agency.name).toBe('Sveriges meteorologiska och hydrologiska institut');
        expect(body.data!.agency.servedByGraph.length).toBeGreaterThan(0);
        expect(body.data!.agency.datasets).toBeNull();
        expect(body.data!.datasets).toBeNull();
        expect(body.errors).toHaveLength(3);
        for (const e of body.errors ?? [])
          expect(e.extensions, JSON.stringify(e)).toMatchObject({ code, agency: 'catalog' });
      } finally {
        await gw.stop();
      }
    },
    60_000,
  );
});
