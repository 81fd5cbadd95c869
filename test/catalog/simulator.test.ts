/**
 * The registry simulator: its answers to the recorded requests have the recorded shapes (the recorded
 * entries come back as recorded), filters and paging really apply, facets are computed from the
 * catalogue, the registry's 400s are reproduced, and two instances answer identically.
 */
import { describe, expect, it } from 'vitest';
import type { SimResponse } from '../../kit/simulator.ts';
import { predicateHash } from '../../subgraphs/catalog/rdf.ts';
import { shapeDifferences } from '../helpers/shape.ts';
import { recorded, simGet, simulator } from './helpers.ts';

type Json = Record<string, unknown>;
type Search = {
  offset: number;
  limit: number;
  results: number;
  facetFields: Array<{ name: string; valueCount: number; values: Array<{ name: string; count: number }> }>;
  resource: {
    children: Array<{ contextId: string; entryId: string; info: Json; metadata: Record<string, Json> }>;
  };
};

const sim = simulator();
const body = <T = Json>(r: SimResponse) => r.body as T;
const q = (params: Record<string, string | number>) =>
  `/store/search?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
const search = async (params: Record<string, string | number>) => {
  const res = await simGet(sim, q({ type: 'solr', ...params }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return body<Search>(res);
};
const DATASETS = 'rdfType:http\\://www.w3.org/ns/dcat#Dataset AND public:true';
const h = (p: string) => predicateHash(p);

/** Every RDF/JSON value object of a graph (the part of a graph whose shape is fixed; subjects vary). */
const valueObjects = (graph: Record<string, Json>) =>
  Object.values(graph).flatMap((n) => Object.values(n).flat());
const VALUE_OPTIONAL = ['[].lang', '[].datatype']; // literals carry one or none; URIs neither

describe('conformance with the recordings', () => {
  it('search: the recorded request answers in the recorded shape', async () => {
    const rec = recorded<Search>('search_datasets.json');
    const answer = await search({ query: DATASETS, limit: 2 });
    // Graphs are keyed by subject URIs, which differ by dataset: compared as graphs below.
    const opaque = ['resource.children[].metadata', 'resource.children[].info'];
    expect(shapeDifferences(answer, rec, { opaque })).toEqual([]);
    for (const child of answer.resource.children) {
      expect(
        shapeDifferences(valueObjects(child.metadata), valueObjects(rec.resource.children[0]!.metadata), {
          optional: VALUE_OPTIONAL,
        }),
      ).toEqual([]);
      expect(
        shapeDifferences(Object.values(child.info), Object.values(rec.resource.children[0]!.info)),
      ).toEqual([]);
    }
    expect(answer.limit).toBe(2);
    expect(answer.resource.children).toHaveLength(2);
  });

  it('search: the recorded Trafikverket entries come back as recorded', async () => {
    const rec = recorded<Search>('search_datasets.json');
    const resource = rec.resource.children[0]!.info[
      'https://admin.dataportal.se/store/50/entry/6088'
    ] as Json;
    const uri = ((resource['http://entrystore.org/terms/resource'] as Json[])[0] as { value: string }).value;
    const answer = await search({ query: `resource:${uri.replace(/[:/]/g, '\\$&')}`, limit: 5 });
    expect(answer.results).toBe(1);
    const [child] = answer.resource.children;
    expect(child).toEqual(rec.resource.children[0]);
  });

  it('entry: /store/547/entry/28672 as RDF/JSON is the recorded envelope', async () => {
    const res = await simGet(sim, '/store/547/entry/28672?format=application/rdf%2Bjson');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(recorded('dataset_entry.json'));
    expect(res.headers?.['last-modified']).toBe('Mon, 21 Sep 2026 02:05:52 GMT');
  });

  it('metadata: recursive=dcat of 547/28672 is the recorded graph (its entries merged back)', async () => {
    const res = await simGet(sim, '/store/547/metadata/28672?recursive=dcat&format=application/json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(recorded('dataset_recursive.json'));
    // Without recursion: the dataset's own graph only (distributions, publisher, contact are separate entries).
    const own = body<Json>(await simGet(sim, '/store/547/metadata/28672?format=application/json'));
    expect(Object.keys(own)).toHaveLength(2);
  });

  it('statistics: the recorded CatalogStatistics search answers in the recorded shape and values', async () => {
    const rec = recorded<Search>('catalog_statistics.json');
    const answer = await search({
      query: 'rdfType:http\\://entrystore.org/terms/statistics#CatalogStatistics',
      limit: 1,
    });
    const opaque = ['resource.children[].metadata', 'resource.children[].info'];
    expect(shapeDifferences(answer, rec, { opaque })).toEqual([]);
    expect(answer.resource.children[0]!.metadata).toEqual(rec.resource.children[0]!.metadata);
  });

  it('orgData.json: the recorded shape, computed from the catalogue', async () => {
    const res = await simGet(sim, '/charts/orgData.json');
    const rec = recorded('org_data.json');
    expect(shapeDifferences(res.body, rec)).toEqual([]);
    const org = body<{ labels: string[]; values: string[]; series: number[][]; datasetCount: number }>(res);
    expect(org.series[0]!.reduce((a, b) => a + b, 0)).toBe(org.datasetCount);
    expect(org.values.indexOf('http://dataportal.se/organisation/SE2021000696')).toBeGreaterThanOrEqual(0);
  });
});

describe('filters, paging and facets are really applied', () => {
  const PUB = `metadata.predicate.uri.${h('http://purl.org/dc/terms/publisher')}`;
  const THEME = `metadata.predicate.uri.${h('http://www.w3.org/ns/dcat#theme')}`;
  const HVD = `metadata.predicate.uri.${h('http://data.europa.eu/r5r/hvdCategory')}`;
  const FORMAT = `metadata.predicate.literal_s.${h('http://purl.org/dc/terms/format')}`;
  const esc = (u: string) => u.replace(/[:/-]/g, '\\$&');

  it('counts by publisher add up to the total; a publisher filter returns only its entries', async () => {
    const all = await search({ query: DATASETS, limit: 0, facetFields: PUB, facetLimit: 1000 });
    expect(all.resource.children).toEqual([]);
    const facet = all.facetFields[0]!;
    expect(facet.name).toBe(PUB);
    expect(facet.values.reduce((n, v) => n + v.count, 0)).toBe(all.results);
    const smhi = 'http://dataportal.se/organisation/SE2021000696';
    const expected = facet.values.find((v) => v.name === smhi)!.count;
    expect(expected).toBeGreaterThanOrEqual(20);
    const only = await search({ query: `${DATASETS} AND ${PUB}:${esc(smhi)}`, limit: 100 });
    expect(only.results).toBe(expected);
    for (const c of only.resource.children) {
      const node = Object.values(c.metadata).find((n) => n['http://purl.org/dc/terms/publisher']);
      expect(JSON.stringify(node!['http://purl.org/dc/terms/publisher'])).toContain(smhi);
    }
  });

  it('theme, HVD and format filters narrow to entries that have them', async () => {
    const tran = 'http://publications.europa.eu/resource/authority/data-theme/TRAN';
    const t = await search({ query: `${DATASETS} AND ${THEME}:${esc(tran)}`, limit: 100 });
    expect(t.results).toBeGreaterThan(5);
    for (const c of t.resource.children) expect(JSON.stringify(c.metadata)).toContain(tran);
    const mobility = 'http://data.europa.eu/bna/c_b79e35eb';
    const m = await search({ query: `${DATASETS} AND ${HVD}:${esc(mobility)}`, limit: 100 });
    expect(m.results).toBeGreaterThan(0);
    expect(m.results).toBeLessThan(t.results + 5);
    const csv = await search({ query: `${DATASETS} AND ${FORMAT}:"text/csv"`, limit: 0 });
    const geo = await search({ query: `${DATASETS} AND ${FORMAT}:"application/geo+json"`, limit: 0 });
    expect(csv.results).toBeGreaterThan(geo.results);
    expect(geo.results).toBeGreaterThan(0);
  });

  it('text search: every word must match when joined with AND; OR is the default', async () => {
    const one = await search({ query: `${DATASETS} AND all:grundvatten`, limit: 100 });
    const two = await search({ query: `${DATASETS} AND all:grundvatten AND all:observerade`, limit: 100 });
    const either = await search({ query: `${DATASETS} AND (all:grundvatten all:observerade)`, limit: 0 });
    expect(one.results).toBeGreaterThan(two.results);
    expect(two.results).toBeGreaterThanOrEqual(1);
    expect(either.results).toBeGreaterThanOrEqual(one.results);
    // n-grams: a part of a word matches; words under 3 characters only with a wildcard.
    expect((await search({ query: `${DATASETS} AND title:vattenniv`, limit: 0 })).results).toBeGreaterThan(0);
    expect((await search({ query: `${DATASETS} AND title:gr`, limit: 0 })).results).toBe(0);
    expect((await search({ query: `${DATASETS} AND title:gr*`, limit: 0 })).results).toBeGreaterThan(0);
  });

  it('pages do not overlap and cover the total; limit is capped at 100, a negative one is 50', async () => {
    const sort = 'modified desc,uri asc';
    const total = (await search({ query: DATASETS, limit: 0 })).results;
    expect(total).toBeGreaterThan(250);
    const ids = new Set<string>();
    for (let offset = 0; offset < total; offset += 100) {
      const page = await search({ query: DATASETS, limit: 100, offset, sort });
      for (const c of page.resource.children) ids.add(`${c.contextId}_${c.entryId}`);
    }
    expect(ids.size).toBe(total);
    expect((await search({ query: DATASETS, limit: 1000 })).limit).toBe(100);
    expect((await search({ query: DATASETS, limit: -5 })).limit).toBe(50);
    expect((await search({ query: DATASETS })).limit).toBe(50);
  });

  it('a raw # ends the query at the fragment (the %23 trap): nothing matches', async () => {
    const res = await sim.mounts[0]!.handle({
      method: 'GET',
      ...(() => {
        const url = new URL(
          'https://admin.dataportal.se/store/search?type=solr&query=rdfType:http\\://www.w3.org/ns/dcat#Dataset',
        );
        return { url, path: url.pathname, query: url.searchParams };
      })(),
      headers: {},
      body: undefined,
      json: () => undefined,
      now: 0,
    });
    expect(body<Search>(res).results).toBe(0);
    expect(
      (await search({ query: 'rdfType:http\\://www.w3.org/ns/dcat#Dataset', limit: 0 })).results,
    ).toBeGreaterThan(0);
  });
});

describe('the registry’s errors', () => {
  it.each([
    ['a query under 3 characters', q({ type: 'solr', query: 'ab' }), 400, { error: 'Query too short' }],
    ['no type', q({ query: DATASETS }), 400, undefined],
    [
      'an unknown field',
      q({ type: 'solr', query: 'publisher:SCB' }),
      400,
      { error: 'Search failed due to wrong parameters' },
    ],
    ['a date range without time', q({ type: 'solr', query: 'modified:[2020-01-01 TO *]' }), 400, undefined],
    ['an unbalanced parenthesis', q({ type: 'solr', query: '(rdfType:x OR public:true' }), 400, undefined],
    [
      'a facet on a non-field',
      q({ type: 'solr', query: DATASETS, facetFields: 'publisher' }),
      400,
      undefined,
    ],
    ['a bad sort', q({ type: 'solr', query: DATASETS, sort: 'modified' }), 400, undefined],
    ['an unknown entry', '/store/547/metadata/1', 404, undefined],
    ['a bad recursion depth', '/store/547/metadata/28672?recursive=dcat&depth=x', 400, undefined],
    ['an unknown path', '/store/nothing', 404, undefined],
  ])('%s → %s', async (_what, path, status, expected) => {
    const res = await simGet(sim, path);
    expect(res.status).toBe(status);
    if (expected) expect(res.body).toEqual(expected);
    else expect(res.body).toMatchObject({ error: expect.any(String) });
  });

  it('full timestamps in ranges work', async () => {
    const r = await search({ query: `${DATASETS} AND modified:[2026-09-21T00:00:00Z TO *]`, limit: 0 });
    const all = await search({ query: DATASETS, limit: 0 });
    expect(r.results).toBeGreaterThan(0);
    expect(r.results).toBeLessThan(all.results);
  });
});

describe('serialisations', () => {
  it.each([
    ['application/rdf+xml', /^<\?xml[\s\S]*rdf:about="https:\/\/www\.forsakringskassan\.se/],
    [
      'text/turtle',
      /^<https:\/\/www\.forsakringskassan\.se[^>]*> <http:\/\/purl\.org\/dc\/terms\/title> "Antal/m,
    ],
    ['application/n-triples', /<http:\/\/www\.w3\.org\/ns\/dcat#distribution>/],
  ])('%s', async (format, pattern) => {
    const res = await simGet(
      sim,
      `/store/547/metadata/28672?recursive=dcat&format=${encodeURIComponent(format)}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers?.['content-type']).toContain(format);
    expect(String(res.body)).toMatch(pattern);
  });

  it('RDF/XML by default; JSON when the Accept header asks for it; the JSON entry envelope', async () => {
    expect(String((await simGet(sim, '/store/547/entry/28672')).body)).toMatch(/^<\?xml/);
    const viaAccept = await simGet(sim, '/store/547/metadata/28672', { accept: 'application/json' });
    expect(Object.keys(body(viaAccept))).toContain(
      'https://www.forsakringskassan.se/api/sprstatistikrapportera/public/v1/omv-mottagare-ar/meta.json',
    );
    const envelope = body<Json>(
      await simGet(sim, '/store/547/entry/28672?format=application/json&includeAll'),
    );
    expect(Object.keys(envelope).sort()).toEqual(['entryId', 'info', 'metadata', 'relations', 'rights']);
    expect(envelope['info']).toEqual(recorded('dataset_entry.json'));
  });
});

describe('determinism', () => {
  it('two simulator instances give identical bodies for the same requests', async () => {
    const other = simulator();
    for (const path of [
      q({ type: 'solr', query: DATASETS, limit: 30, offset: 60, sort: 'modified desc,uri asc' }),
      q({
        type: 'solr',
        query: `${DATASETS} AND all:befolkning`,
        limit: 10,
        facetFields: `metadata.predicate.uri.${h('http://purl.org/dc/terms/publisher')}`,
      }),
      '/store/91/metadata/1300?recursive=dcat&format=application/json',
      '/charts/orgData.json',
    ]) {
      expect(JSON.stringify((await simGet(other, path)).body)).toBe(
        JSON.stringify((await simGet(sim, path)).body),
      );
    }
  });

  it('mounted elsewhere, entry URIs follow the mount', async () => {
    const base = 'http://dataportal.test/registry';
    const elsewhere = simulator(base);
    const res = await simGet(elsewhere, q({ type: 'solr', query: DATASETS, limit: 1 }), {}, base);
    const info = body<Search>(res).resource.children[0]!.info;
    expect(Object.keys(info)[0]).toMatch(/^http:\/\/dataportal\.test\/registry\/store\/\d+\/entry\/\d+$/);
  });
});
