/**
 * The real catalog client against the simulator (OfflineDispatcher): each method, the kit's failure
 * matrix (500, 429, hang, refused, malformed, HTML) as typed errors naming the agency, and caching
 * for hours (the catalogue is harvested once a night).
 */
import { describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { CATALOG_TTL_MS } from '../../subgraphs/catalog/client.ts';
import { datasetSearch } from '../../subgraphs/catalog/query.ts';
import { publisherUris } from '../../subgraphs/catalog/resolvers.ts';
import { offlineClient } from './helpers.ts';

describe('client methods against the simulator', () => {
  it('search: a page with facets, hits decoded through their entry resource', async () => {
    const { client, seen } = offlineClient();
    const page = await client.search(
      datasetSearch({ publishers: publisherUris('SGU'), words: ['grundvatten'] }, 5, 0),
    );
    expect(seen).toHaveLength(1);
    expect(page.total).toBeGreaterThanOrEqual(5);
    expect(page.items).toHaveLength(5);
    for (const d of page.items) {
      expect(d.publisherUris).toEqual(['http://dataportal.se/organisation/SE2021002528']);
      expect(d.id).toMatch(/^122_\d+$/);
      expect(
        `${d.title?.text} ${d.description?.text} ${d.keywords.map((k) => k.value).join(' ')}`.toLowerCase(),
      ).toContain('grundvatten');
    }
    expect(page.facets.publishers).toEqual([
      { value: 'http://dataportal.se/organisation/SE2021002528', count: page.total },
    ]);
    expect(page.facets.themes[0]!.value).toBe(
      'http://publications.europa.eu/resource/authority/data-theme/ENVI',
    );
    expect(page.facets.formats.length).toBeGreaterThan(0);
  });

  it('dataset: the envelope and the recursive metadata; an unknown id is null', async () => {
    const { client, seen } = offlineClient();
    const detail = await client.dataset('547', '28672');
    expect(detail?.dataset.title?.sv).toBe('Antal personer som har fått omvårdnadsbidrag');
    expect(detail?.distributions).toHaveLength(3);
    expect(seen).toHaveLength(2);
    expect(await client.dataset('547', '999999')).toBeNull();
  });

  it('resources: agents, contact points and distributions found by resource URI, in one call', async () => {
    const { client, seen } = offlineClient();
    const found = await client.resources([
      'http://dataportal.se/organisation/SE2220000315',
      'http://dataportal.se/organisation/SE2021005521',
      'https://catalog.forsakringskassan.se/store/9/resource/46',
      'https://www.forsakringskassan.se/api/sprstatistikrapportera/public/v1/omv-mottagare-ar/OMVAntalMottagareBeloppArLan.json',
      'http://example.org/unknown',
    ]);
    expect(seen).toHaveLength(1);
    expect(found['http://dataportal.se/organisation/SE2220000315']).toEqual({
      kind: 'agent',
      name: {
        sv: 'Rådet för främjande av kommunala analyser - Kolada',
        en: null,
        text: 'Rådet för främjande av kommunala analyser - Kolada',
      },
    });
    expect(found['http://dataportal.se/organisation/SE2021005521']).toMatchObject({
      kind: 'agent',
      name: { sv: 'Försäkringskassan' },
    });
    expect(found['https://catalog.forsakringskassan.se/store/9/resource/46']).toEqual({
      kind: 'contact',
      contact: { organisation: 'Statistikservice', kind: 'ORGANIZATION' },
    });
    expect(
      found[
        'https://www.forsakringskassan.se/api/sprstatistikrapportera/public/v1/omv-mottagare-ar/OMVAntalMottagareBeloppArLan.json'
      ],
    ).toMatchObject({
      kind: 'distribution',
      distribution: { mediaType: 'application/json' },
    });
    expect(found['http://example.org/unknown']).toBeUndefined();
    expect(JSON.stringify(found)).not.toMatch(/mailto|@/);
  });

  it('statistics: the newest CatalogStatistics entry (recorded)', async () => {
    const { client } = offlineClient();
    expect(await client.statistics()).toMatchObject({ date: '2026-09-21', publicDatasetCount: 23548 });
  });

  it('caches for hours (the harvest is nightly): the same search within 6 h is one registry call', async () => {
    let clock = Date.parse('2026-09-22T10:00:00Z');
    const { client, seen } = offlineClient({ upstream: { now: () => clock } });
    const params = datasetSearch({ type: 'DATA_SERVICE' }, 10, 0);
    await client.search(params);
    clock += 5 * 60 * 60_000;
    await client.search(params);
    expect(seen).toHaveLength(1);
    clock += 2 * 60 * 60_000;
    await client.search(params);
    expect(seen).toHaveLength(2);
    expect(CATALOG_TTL_MS).toBe(6 * 60 * 60_000);
  });

  it('the registry’s 400 (a query under 3 characters) is a typed error, not a crash', async () => {
    const { client } = offlineClient();
    const err = await client.search({ query: 'ab', limit: 1, offset: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ agency: 'catalog', kind: 'HTTP_STATUS', status: 400 });
  });
});

describe('the failure matrix: typed errors naming the agency', () => {
  it.each([
    ['500', 'UPSTREAM_UNAVAILABLE', { kind: 'status', status: 500 } as const],
    ['429', 'UPSTREAM_RATE_LIMITED', { kind: 'status', status: 429 } as const],
    ['refused', 'UPSTREAM_UNAVAILABLE', { kind: 'refused' } as const],
    ['malformed JSON', 'UPSTREAM_BAD_RESPONSE', { kind: 'malformed' } as const],
    ['an HTML maintenance page', 'UPSTREAM_BAD_RESPONSE', { kind: 'html' } as const],
    ['a hang', 'UPSTREAM_TIMEOUT', { kind: 'timeout' } as const],
  ])('%s → %s', async (_what, code, fault) => {
    const { client, dispatcher } = offlineClient({
      faults: { catalog: fault },
      upstream: { headersTimeoutMs: 150, totalTimeoutMs: 2_000, retries: 1 },
    });
    try {
      const err = await client.search(datasetSearch({}, 1, 0)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).agency).toBe('catalog');
      expect(codeForUpstream(err as UpstreamError)).toBe(code);
      // The dataset look-up fails the same way (never as "no such dataset").
      const err2 = await client.dataset('547', '28672').catch((e: unknown) => e);
      expect(codeForUpstream(err2 as UpstreamError)).toBe(code);
    } finally {
      await dispatcher.close();
    }
  });
});
