/**
 * The exact requests the client sends to the registry, asserted on the URLs that leave it (through a
 * network-less MockAgent): Solr clauses with computed field hashes, escaping, `%23` for `#`, `%2B`
 * for `+`, explicit AND between clauses (the registry's default operator is OR), `public:true`.
 */
import Keyv from 'keyv';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { createCatalogClient } from '../../subgraphs/catalog/client.ts';
import {
  type DatasetFilters,
  datasetQuery,
  datasetSearch,
  escapeTerm,
  predicateHash,
  resourceLookup,
  wordClause,
} from '../../subgraphs/catalog/query.ts';
import { formatFilter, publisherUris } from '../../subgraphs/catalog/resolvers.ts';
import { BASE } from './helpers.ts';

const TYPES =
  '(rdfType:http\\:\\/\\/www.w3.org\\/ns\\/dcat#Dataset OR rdfType:http\\:\\/\\/www.w3.org\\/ns\\/dcat#DataService)';
const FACETS =
  'metadata.predicate.uri.9259d4c1,metadata.predicate.uri.0ce6b231,metadata.predicate.literal_s.b5d28d0a,metadata.predicate.uri.a8c277a7';

describe('Solr queries', () => {
  it.each<[string, DatasetFilters, string]>([
    ['no filter', {}, `${TYPES} AND public:true`],
    [
      'a publisher (SCB: both of its URIs)',
      { publishers: publisherUris('SCB') },
      `${TYPES} AND public:true AND (metadata.predicate.uri.9259d4c1:http\\:\\/\\/dataportal.se\\/organisation\\/SE2021000837 OR metadata.predicate.uri.9259d4c1:http\\:\\/\\/id.kb.se\\/organisations\\/SE2021000837)`,
    ],
    [
      'a theme',
      { themes: ['http://publications.europa.eu/resource/authority/data-theme/TRAN'] },
      `${TYPES} AND public:true AND metadata.predicate.uri.0ce6b231:http\\:\\/\\/publications.europa.eu\\/resource\\/authority\\/data\\-theme\\/TRAN`,
    ],
    [
      'a format given as a media type: the literal on the dataset or a distribution, or the EU file type',
      { format: formatFilter('text/csv') },
      `${TYPES} AND public:true AND (metadata.predicate.literal_s.b5d28d0a:"text/csv" OR related.metadata.predicate.literal_s.b5d28d0a:"text/csv" OR metadata.predicate.uri.b5d28d0a:http\\:\\/\\/publications.europa.eu\\/resource\\/authority\\/file\\-type\\/CSV)`,
    ],
    [
      'an HVD category',
      { highValueCategories: ['http://data.europa.eu/bna/c_b79e35eb'] },
      `${TYPES} AND public:true AND metadata.predicate.uri.a8c277a7:http\\:\\/\\/data.europa.eu\\/bna\\/c_b79e35eb`,
    ],
    [
      'data services only',
      { type: 'DATA_SERVICE' },
      'rdfType:http\\:\\/\\/www.w3.org\\/ns\\/dcat#DataService AND public:true',
    ],
    [
      'datasets only',
      { type: 'DATASET' },
      'rdfType:http\\:\\/\\/www.w3.org\\/ns\\/dcat#Dataset AND public:true',
    ],
    [
      'words: each must match (explicit AND), a short one gets a wildcard',
      { words: ['befolkning', 'år'] },
      `${TYPES} AND public:true AND (title:befolkning OR description:befolkning OR tag.literal:befolkning OR all:befolkning) AND (title:år* OR description:år* OR tag.literal:år* OR all:år*)`,
    ],
  ])('%s', (_what, filters, expected) => {
    expect(datasetQuery(filters)).toBe(expected);
  });

  it('a place named by the spatial coverage (locn:geographicName, exact)', () => {
    const h = predicateHash('http://www.w3.org/ns/locn#geographicName');
    expect(datasetQuery({ spatialNames: ['Kiruna', 'Kiruna kommun'] })).toBe(
      `${TYPES} AND public:true AND (metadata.predicate.literal_s.${h}:"Kiruna" OR metadata.predicate.literal_s.${h}:"Kiruna kommun")`,
    );
  });

  it('escapes every Lucene special character of user input (SolrJ’s set), whitespace included', () => {
    expect(escapeTerm('a+b-c!(d):e^[f]"g{h}~i*j?k|l&m;n/o\\p q')).toBe(
      'a\\+b\\-c\\!\\(d\\)\\:e\\^\\[f\\]\\"g\\{h\\}\\~i\\*j\\?k\\|l\\&m\\;n\\/o\\\\p\\ q',
    );
    // `~` unescaped would be the fuzzy operator; a word cannot break out of its clause.
    expect(wordClause('fish~')).toBe(
      '(title:fish\\~ OR description:fish\\~ OR tag.literal:fish\\~ OR all:fish\\~)',
    );
    expect(wordClause('a) OR (*:*')).toContain('a\\)\\ OR\\ \\(\\*\\:\\*');
    // The portal cuts words at 15 characters.
    expect(wordClause('grundvattenniväerna')).toBe(
      '(title:grundvattennivä OR description:grundvattennivä OR tag.literal:grundvattennivä OR all:grundvattennivä)',
    );
  });

  it('looks up publishers by resource URI, 20 at most per request', () => {
    expect(resourceLookup(['urn:a', 'urn:b'])).toEqual({
      query: 'public:true AND (resource:urn\\:a OR resource:urn\\:b)',
      limit: 2,
      offset: 0,
    });
  });
});

describe('the URLs the client sends', () => {
  let agent: MockAgent;
  let seen: string[];
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    seen = [];
    agent
      .get(BASE)
      .intercept({ path: () => true, method: 'GET' })
      .reply(200, { offset: 0, limit: 0, results: 0, resource: { children: [] }, facetFields: [] })
      .persist();
  });
  afterEach(async () => {
    await agent.close();
  });

  function client() {
    const recording = agent.compose((dispatch) => (opts, handler) => {
      seen.push(String(opts.path));
      return dispatch(opts, handler);
    });
    return createCatalogClient(
      createUpstream({
        agency: 'catalog',
        baseUrl: BASE,
        cache: new Keyv(),
        logger: silentLogger,
        dispatcher: recording,
      }),
    );
  }

  it('encodes # as %23, a literal + as %2B and spaces as +: nothing of the query is lost to a fragment', async () => {
    await client().search(datasetSearch({ words: ['C++'], publishers: publisherUris('SGU') }, 20, 40));
    expect(seen).toHaveLength(1);
    const raw = seen[0]!;
    expect(raw).not.toContain('#');
    expect(raw).toContain('dcat%23Dataset');
    expect(raw).toContain('C%5C%2B%5C%2B'); // C\+\+ (escaped for Solr), then URL-encoded
    expect(raw).toContain('+AND+public%3Atrue+AND+');
    const url = new URL(BASE + raw);
    expect(url.pathname).toBe('/store/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      type: 'solr',
      query: `${TYPES} AND public:true AND metadata.predicate.uri.9259d4c1:http\\:\\/\\/dataportal.se\\/organisation\\/SE2021002528 AND (title:C\\+\\+ OR description:C\\+\\+ OR tag.literal:C\\+\\+ OR all:C\\+\\+)`,
      limit: '20',
      offset: '40',
      facetFields: FACETS,
      facetLimit: '25',
    });
  });

  it('sorts by registry date with a unique tie-breaker when not searching text (stable pages)', async () => {
    await client().search(datasetSearch({ type: 'DATASET' }, 100, 0));
    const url = new URL(BASE + seen[0]!);
    expect(url.searchParams.get('sort')).toBe('modified desc,uri asc');
    expect(url.searchParams.get('limit')).toBe('100');
  });

  it('fetches one dataset as its entry envelope plus its recursive metadata', async () => {
    agent
      .get(BASE)
      .intercept({ path: () => true, method: 'GET' })
      .reply(404, {});
    await client()
      .dataset('547', '28672')
      .catch(() => undefined);
    expect(seen.sort()).toEqual([
      '/store/547/entry/28672?format=application%2Frdf%2Bjson',
      '/store/547/metadata/28672?recursive=dcat&format=application%2Fjson',
    ]);
  });

  it('asks for the newest catalogue statistics', async () => {
    await client().statistics();
    const url = new URL(BASE + seen[0]!);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      type: 'solr',
      query: 'rdfType:http\\:\\/\\/entrystore.org\\/terms\\/statistics#CatalogStatistics AND public:true',
      limit: '1',
      offset: '0',
      sort: 'created desc',
    });
    expect(seen[0]).toContain('statistics%23CatalogStatistics');
  });
});

describe('publisher and format arguments', () => {
  it('accepts an AgencyId, an organisation number or a URI', () => {
    expect(publisherUris('scb')).toEqual([
      'http://dataportal.se/organisation/SE2021000837',
      'http://id.kb.se/organisations/SE2021000837',
    ]);
    expect(publisherUris('2021000837')).toHaveLength(2); // known: SCB's two URIs
    expect(publisherUris('SE2021006297')).toEqual(['http://dataportal.se/organisation/SE2021006297']);
    expect(publisherUris('202100-6297')).toEqual(['http://dataportal.se/organisation/SE2021006297']);
    expect(publisherUris('https://admin.dataportal.se/store/43/resource/abc')).toEqual([
      'https://admin.dataportal.se/store/43/resource/abc',
    ]);
    expect(() => publisherUris('Umeå')).toThrow(/organisation number/);
  });

  it('accepts a media type or a file-type code, and knows both forms where it can', () => {
    expect(formatFilter('text/CSV')).toEqual({ mediaType: 'text/csv', fileTypeCode: 'CSV' });
    expect(formatFilter('geojson')).toEqual({ mediaType: 'application/geo+json', fileTypeCode: 'GEOJSON' });
    expect(formatFilter('application/x-whatever')).toEqual({
      mediaType: 'application/x-whatever',
      fileTypeCode: null,
    });
    expect(formatFilter('NETCDF')).toEqual({ mediaType: null, fileTypeCode: 'NETCDF' });
    expect(() => formatFilter('csv; drop')).toThrow(/media type/);
  });
});
