/**
 * The decoder on every recorded registry answer: search hits (the dataset found through the entry's
 * resource URI among 30–43 subjects), the entry envelope, recursive metadata (distributions,
 * publisher, contact point — organisation only) and catalogue statistics; the predicate hashes.
 */
import { describe, expect, it } from 'vitest';
import { stripPersonalData } from '../../subgraphs/catalog/client.ts';
import {
  decodeAgents,
  decodeEntry,
  decodeRecursive,
  decodeSearch,
  decodeStatistics,
} from '../../subgraphs/catalog/decode.ts';
import { langText, predicateHash, type RdfGraph, resourceOf } from '../../subgraphs/catalog/rdf.ts';
import { recorded } from './helpers.ts';

describe('predicate hashes (computed: MD5 of the full predicate URI, first 8 hex characters)', () => {
  // The table of the reference (shared/agencies/dataportal.md §1.2), cross-checked there against
  // dataportal-web (3e2f60da) and two clients' tests.
  it.each([
    ['http://purl.org/dc/terms/publisher', '9259d4c1'],
    ['http://www.w3.org/ns/dcat#theme', '0ce6b231'],
    ['http://www.w3.org/ns/dcat#keyword', 'a6424133'],
    ['http://purl.org/dc/terms/format', 'b5d28d0a'],
    ['http://purl.org/dc/terms/license', '3494e2ce'],
    ['http://purl.org/dc/terms/modified', '3e2f60da'],
    ['http://data.europa.eu/r5r/hvdCategory', 'a8c277a7'],
    ['http://purl.org/dc/terms/accessRights', '23fc4665'],
    ['http://purl.org/dc/terms/subject', '256bd150'],
    ['http://www.w3.org/ns/dcat#inSeries', '0f683595'],
    ['http://www.w3.org/ns/dcat#distribution', 'd55bce60'],
    ['http://purl.org/dc/terms/spatial', 'c6e46bff'],
    ['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'c74e2b73'],
    ['http://xmlns.com/foaf/0.1/name', '893797ba'],
  ])('%s → %s', (predicate, hash) => {
    expect(predicateHash(predicate)).toBe(hash);
  });
});

describe('search_datasets.json (two Trafikverket datasets)', () => {
  const body = recorded('search_datasets.json');
  const page = decodeSearch(body);

  it('reads the total, the page and both hits with their registry ids', () => {
    expect(page.total).toBe(23548);
    expect(page.limit).toBe(2);
    expect(page.items.map((d) => d.id)).toEqual(['50_6088', '50_6079']);
  });

  it('finds the dataset through the entry resource, never "the first key"', () => {
    const child = (body['resource'] as { children: Array<{ metadata: RdfGraph }> }).children[0]!;
    const firstKey = Object.keys(child.metadata)[0];
    expect(firstKey).toMatch(/^_:/); // the recording lists a blank node first
    const [d] = page.items;
    expect(d).toMatchObject({
      resourceUri: 'https://metadata.trafikverket.se/store/1/resource/735',
      kind: 'DATASET',
      title: { sv: 'Vägkategori', en: null, text: 'Vägkategori' },
      publisherUris: ['http://dataportal.se/organisation/SE2021006297'],
      license: 'http://creativecommons.org/publicdomain/zero/1.0/',
      accessRights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      accrualPeriodicity: 'http://publications.europa.eu/resource/authority/frequency/CONT',
      landingPages: ['https://data.trafikverket.se/search/search-data/details?esc_entry=735&esc_context=1'],
      identifiers: ['46aa1cef-e72c-461a-b379-4578354d14b6'],
      formats: ['text/html', 'application/vnd.ogc.wms_xml', 'application/geopackage+sqlite3'],
      publisherModified: '2024-11-12',
      issued: '2013-12-18',
      registryCreated: '2025-08-29T02:30:36.312+02:00',
      registryModified: '2026-09-21T04:17:34.948+02:00',
    });
    expect(d!.themes).toEqual([
      'http://publications.europa.eu/resource/authority/data-theme/TRAN',
      'http://inspire.ec.europa.eu/theme/tn',
    ]);
    expect(d!.types).toContain('http://entryscape.com/terms/ServedByDataService');
    expect(d!.servedByDataServices).toHaveLength(3);
    expect(d!.distributionUris).toHaveLength(3);
    // Keywords duplicated per language stay apart, with their language.
    expect(d!.keywords).toEqual([
      { value: 'NVDB - STVDB', lang: 'sv' },
      { value: 'NVDB - STVDB', lang: 'en' },
    ]);
    // Spatial: a Geonames URI and a dcterms:Location blank node with a bounding box.
    expect(d!.spatial[0]).toEqual({ uri: 'https://sws.geonames.org/2661886', name: null, bbox: null });
    expect(d!.spatial[1]!.uri).toBeNull();
    expect(d!.spatial[1]!.bbox).toMatch(/POLYGON|ENVELOPE|\d/);
    // The contact point is a separate entry: only its URI is in a search hit.
    expect(d!.contactPoint).toBeUndefined();
  });

  it('decodes the same dataset whatever the order of the subjects', () => {
    const child = structuredClone(
      (body['resource'] as { children: Array<Record<string, unknown>> }).children[0]!,
    );
    const metadata = child['metadata'] as RdfGraph;
    const reversed = Object.fromEntries(Object.entries(metadata).reverse());
    const again = decodeSearch({ ...body, resource: { children: [{ ...child, metadata: reversed }] } });
    expect(again.items[0]).toEqual(page.items[0]);
  });

  it('skips a hit whose entry names a resource missing from its metadata', () => {
    const child = structuredClone(
      (body['resource'] as { children: Array<Record<string, unknown>> }).children[0]!,
    );
    const metadata = child['metadata'] as RdfGraph;
    delete metadata['https://metadata.trafikverket.se/store/1/resource/735'];
    expect(decodeSearch({ ...body, resource: { children: [child] } }).items).toEqual([]);
  });

  it('rejects what is not a search answer', () => {
    expect(() => decodeSearch('<html>maintenance</html>')).toThrow();
    expect(() => decodeSearch({ resource: { children: [] } })).toThrow(/results/);
    expect(() => decodeSearch({ results: 1, resource: {} })).toThrow(/children/);
    expect(() =>
      decodeSearch({
        results: 1,
        resource: { children: [{ contextId: '1', entryId: '2', metadata: { s: { p: 'x' } } }] },
      }),
    ).toThrow(/RDF\/JSON|array/);
  });
});

describe('dataset_entry.json and dataset_recursive.json (Försäkringskassan, /store/547/…/28672)', () => {
  const entryJson = recorded<RdfGraph>('dataset_entry.json');
  const recursiveJson = recorded<RdfGraph>('dataset_recursive.json');

  it('reads the entry envelope: the resource and the registry dates', () => {
    expect(decodeEntry(entryJson, '547', '28672')).toEqual({
      resourceUri:
        'https://www.forsakringskassan.se/api/sprstatistikrapportera/public/v1/omv-mottagare-ar/meta.json',
      registryCreated: '2026-09-19T03:59:02.256+02:00',
      registryModified: '2026-09-21T04:05:52.918+02:00',
    });
    expect(resourceOf(entryJson, '547', '28672')).toMatch(/meta\.json$/);
    expect(() => decodeEntry(entryJson, '547', '1')).toThrow(/no entry node/);
  });

  it('reads the dataset, its three distributions, the publisher and an organisation contact', () => {
    const entry = decodeEntry(entryJson, '547', '28672');
    const detail = decodeRecursive(stripPersonalData(recursiveJson), entry, '547', '28672');
    expect(detail.dataset).toMatchObject({
      id: '547_28672',
      kind: 'DATASET',
      title: {
        sv: 'Antal personer som har fått omvårdnadsbidrag',
        text: 'Antal personer som har fått omvårdnadsbidrag',
      },
      temporal: [{ start: '2019', end: null }],
      contactPoint: { organisation: 'Statistikservice', kind: 'ORGANIZATION' },
      registryModified: '2026-09-21T04:05:52.918+02:00',
      license: 'http://creativecommons.org/licenses/by/4.0/',
    });
    expect(detail.distributions.map((d) => [d.mediaType, d.title?.sv])).toEqual([
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Uppdelning: Län'],
      ['application/json', 'Uppdelning: Ålder'],
      ['application/json', 'Uppdelning: Län'],
    ]);
    expect(detail.distributions[0]!.downloadUrls[0]).toMatch(/OMVAntalMottagareBeloppArLan\.xlsx$/);
    expect(detail.publishers).toEqual({
      'http://dataportal.se/organisation/SE2021005521': {
        sv: 'Försäkringskassan',
        en: null,
        text: 'Försäkringskassan',
      },
    });
  });

  it('keeps no e-mail address: neither the personal one of the publisher nor the contact’s', () => {
    const stripped = stripPersonalData(recursiveJson);
    const text = JSON.stringify(stripped);
    expect(JSON.stringify(recursiveJson)).toContain('fornamn.efternamn@example.invalid');
    expect(text).not.toContain('mailto:');
    expect(text).not.toContain('fornamn.efternamn');
    const detail = decodeRecursive(stripped, decodeEntry(entryJson, '547', '28672'), '547', '28672');
    expect(JSON.stringify(detail)).not.toMatch(/mailto:|@/);
  });

  it('drops the name of a contact that is a person, keeps an organisation name it gives', () => {
    const graph = structuredClone(recursiveJson);
    const contact = graph['https://catalog.forsakringskassan.se/store/9/resource/46']!;
    contact['http://www.w3.org/1999/02/22-rdf-syntax-ns#type'] = [
      { type: 'uri', value: 'http://www.w3.org/2006/vcard/ns#Individual' },
    ];
    contact['http://www.w3.org/2006/vcard/ns#fn'] = [{ type: 'literal', value: 'Förnamn Efternamn' }];
    const entry = decodeEntry(entryJson, '547', '28672');
    const detail = decodeRecursive(stripPersonalData(graph), entry, '547', '28672');
    expect(detail.dataset.contactPoint).toEqual({ organisation: null, kind: 'INDIVIDUAL' });
    contact['http://www.w3.org/2006/vcard/ns#organization-name'] = [
      { type: 'literal', value: 'Försäkringskassan' },
    ];
    const again = decodeRecursive(stripPersonalData(graph), entry, '547', '28672');
    expect(again.dataset.contactPoint).toEqual({ organisation: 'Försäkringskassan', kind: 'INDIVIDUAL' });
    expect(JSON.stringify(stripPersonalData(graph))).not.toContain('Förnamn Efternamn');
  });
});

describe('catalog_statistics.json', () => {
  it('reads the newest statistics entry', () => {
    expect(decodeStatistics(recorded('catalog_statistics.json'))).toEqual({
      date: '2026-09-21',
      datasetCount: 23583,
      publicDatasetCount: 23548,
      publicSectorDatasetCount: 10096,
      otherDatasetCount: 14620,
    });
  });
});

describe('publisher look-ups', () => {
  it('gives an agent’s name, and none for a person', () => {
    const info = (id: string, res: string) => ({
      [`https://admin.dataportal.se/store/9/entry/${id}`]: {
        'http://entrystore.org/terms/resource': [{ type: 'uri', value: res }],
      },
    });
    const agent = (name: string, type: string) => ({
      'http://xmlns.com/foaf/0.1/name': [{ type: 'literal', lang: 'sv', value: name }],
      'http://xmlns.com/foaf/0.1/mbox': [{ type: 'uri', value: 'mailto:someone@example.invalid' }],
      'http://www.w3.org/1999/02/22-rdf-syntax-ns#type': [{ type: 'uri', value: type }],
    });
    const names = decodeAgents({
      results: 2,
      resource: {
        children: [
          {
            contextId: '9',
            entryId: '1',
            info: info('1', 'urn:org'),
            metadata: { 'urn:org': agent('Myndigheten', 'http://xmlns.com/foaf/0.1/Agent') },
          },
          {
            contextId: '9',
            entryId: '2',
            info: info('2', 'urn:person'),
            metadata: { 'urn:person': agent('Förnamn Efternamn', 'http://xmlns.com/foaf/0.1/Person') },
          },
        ],
      },
    });
    expect(names).toEqual({
      'urn:org': { sv: 'Myndigheten', en: null, text: 'Myndigheten' },
      'urn:person': null,
    });
  });
});

describe('language-tagged literals', () => {
  const graph: RdfGraph = {
    s: {
      t: [
        { type: 'literal', value: 'untagged' },
        { type: 'literal', lang: 'en', value: 'English' },
        { type: 'literal', lang: 'sv-SE', value: 'Svenska' },
      ],
      u: [{ type: 'literal', value: 'bara otaggad' }],
      e: [{ type: 'literal', lang: 'en', value: 'only English' }],
    },
  };
  it('prefers Swedish, then English, then untagged; sv-SE is Swedish', () => {
    expect(langText(graph, 's', 't')).toEqual({ sv: 'Svenska', en: 'English', text: 'Svenska' });
    expect(langText(graph, 's', 'u')).toEqual({ sv: null, en: null, text: 'bara otaggad' });
    expect(langText(graph, 's', 'e')).toEqual({ sv: null, en: 'only English', text: 'only English' });
    expect(langText(graph, 's', 'missing')).toBeNull();
  });
});
