import { afterEach, describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import {
  bboxAround,
  cqlString,
  nextLinkOf,
  ogcFeatures,
  parseFeatureCollection,
  pointOf,
} from '../../kit/ogc.ts';
import { ShapeError } from '../../kit/validate.ts';
import { BASE, collection, pathOf, pointFeature, type SguHarness, sguHarness } from './helpers.ts';

const ROOT = '/grundvattennivaer-observerade/ogc/features/v1';
const ITEMS = `${BASE}${ROOT}/collections/stationer/items`;

/** Path of the service root as sent (below the base URL's /oppnadata). */
const P = `/oppnadata${ROOT}`;

let h: SguHarness;
let open: SguHarness | undefined;
const harness = () => {
  h = sguHarness();
  open = h;
  return h;
};
afterEach(async () => {
  if (!open) return;
  open.agent.assertNoPendingInterceptors();
  await open.agent.close();
  open = undefined;
});

const stations = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    pointFeature(`stationer.${from + i}`, 17 + i / 10, 59, { platsbeteckning: `${from + i}_1` }),
  );

describe('OGC API Features client: paging', () => {
  it('follows links[rel=next].href verbatim across pages and stops when there is no next link', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const first = service.itemsUrl('stationer', { filter: "kommunkod='0180'", limit: 2 });
    // Parameters in an order we would never build ourselves: they must be sent as given.
    const second = `${ITEMS}?startIndex=2&limit=2&f=json&filter-lang=cql-text&filter=kommunkod%3D%270180%27`;
    const third = `${ITEMS}?startIndex=4&limit=2&f=json&filter-lang=cql-text&filter=kommunkod%3D%270180%27`;
    const unknown = { numberMatched: 'unknown', totalFeatures: undefined };
    h.reply(
      pathOf(first),
      200,
      collection(stations(1, 2), {
        ...unknown,
        links: [
          { href: first, rel: 'self', type: 'application/geo+json' },
          // GeoServer lists a next link per format: the HTML one must not be followed.
          { href: `${ITEMS}?startIndex=2&limit=2&f=html`, rel: 'next', type: 'text/html' },
          { href: second, rel: 'next', type: 'application/geo+json', title: 'Next page' },
        ],
      }),
    );
    h.reply(
      pathOf(second),
      200,
      collection(stations(3, 2), {
        ...unknown,
        links: [{ href: third, rel: 'next', type: 'application/geo+json' }],
      }),
    );
    h.reply(
      pathOf(third),
      200,
      collection(stations(5, 1), { ...unknown, links: [{ href: third, rel: 'self' }] }),
    );

    const result = await service.items('stationer', { filter: "kommunkod='0180'", limit: 2 });

    expect(h.seen).toEqual([pathOf(first), pathOf(second), pathOf(third)]);
    expect(result?.features.map((f) => f.id)).toEqual([1, 2, 3, 4, 5].map((i) => `stationer.${i}`));
    expect(result?.pages).toBe(3);
    expect(result?.truncated).toBe(false);
    // numberMatched was "unknown" on every page: the complete read tells the total.
    expect(result?.numberMatched).toBe(5);
  });

  it('stops at maxPages and says the result is truncated', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const first = service.itemsUrl('stationer', { limit: 2 });
    const second = `${ITEMS}?f=json&limit=2&startIndex=2`;
    h.reply(
      pathOf(first),
      200,
      collection(stations(1, 2), { numberMatched: 9, links: [{ href: second, rel: 'next' }] }),
    );
    h.reply(
      pathOf(second),
      200,
      collection(stations(3, 2), {
        numberMatched: 9,
        links: [{ href: `${ITEMS}?f=json&limit=2&startIndex=4`, rel: 'next' }],
      }),
    );
    const result = await service.items('stationer', { limit: 2 }, { maxPages: 2 });
    expect(h.seen).toHaveLength(2);
    expect(result).toMatchObject({ pages: 2, truncated: true, numberMatched: 9 });
    expect(result?.features).toHaveLength(4);
  });

  it('stops at maxFeatures, returns exactly that many and reads no further page', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const first = service.itemsUrl('stationer', { limit: 2 });
    const second = `${ITEMS}?f=json&limit=2&startIndex=2`;
    h.reply(pathOf(first), 200, collection(stations(1, 2), { links: [{ href: second, rel: 'next' }] }));
    h.reply(
      pathOf(second),
      200,
      collection(stations(3, 2), { links: [{ href: `${ITEMS}?f=json&limit=2&startIndex=4`, rel: 'next' }] }),
    );
    const result = await service.items('stationer', { limit: 2 }, { maxFeatures: 3 });
    expect(result?.features.map((f) => f.id)).toEqual(['stationer.1', 'stationer.2', 'stationer.3']);
    expect(result?.truncated).toBe(true);
    expect(h.seen).toHaveLength(2);
  });

  it('resolves a relative next link against the page and does not loop on a repeated link', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const first = service.itemsUrl('stationer', {});
    h.reply(
      pathOf(first),
      200,
      collection(stations(1, 1), { links: [{ href: 'items?f=json&startIndex=1', rel: 'next' }] }),
    );
    h.reply(
      `${P}/collections/stationer/items?f=json&startIndex=1`,
      200,
      // A broken server that points at the same page again.
      collection(stations(2, 1), { links: [{ href: `${ITEMS}?f=json&startIndex=1`, rel: 'next' }] }),
    );
    const result = await service.items('stationer');
    expect(h.seen).toEqual([pathOf(first), `${P}/collections/stationer/items?f=json&startIndex=1`]);
    expect(result?.features).toHaveLength(2);
  });

  it('refuses a next link to another origin (UPSTREAM_BAD_RESPONSE), without calling it', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const first = service.itemsUrl('stationer', {});
    h.reply(
      pathOf(first),
      200,
      collection(stations(1, 1), { links: [{ href: 'https://evil.test/steal?startIndex=1', rel: 'next' }] }),
    );
    const err = await service.items('stationer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ kind: 'BAD_PAYLOAD', agency: 'sgu' });
    expect(h.seen).toHaveLength(1);
  });

  it('a 404 for a collection is UPSTREAM_BAD_RESPONSE naming its path, not a null that reads as "no data"', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    h.reply(pathOf(service.itemsUrl('nope', {})), 404, { code: 'NotFound' });
    const err = (await service.items('nope').catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
    expect(err.message).toContain('/collections/nope/items');
  });
});

describe('OGC API Features client: counting', () => {
  const url = (h: SguHarness) =>
    pathOf(ogcFeatures(h.upstream, ROOT).itemsUrl('stationer', { filter: "kommunkod='0180'", limit: 1 }));

  it.each([
    ['a number', { numberMatched: 4862 }, 4862],
    ['a numeric string', { numberMatched: '4862' }, 4862],
    ['"unknown", with totalFeatures', { numberMatched: 'unknown', totalFeatures: 4862 }, 4862],
    ['missing, with totalFeatures', { numberMatched: undefined, totalFeatures: 4862 }, 4862],
    [
      'missing, and more pages exist',
      { numberMatched: undefined, totalFeatures: undefined, links: [{ rel: 'next', href: `${ITEMS}?x=1` }] },
      null,
    ],
    ['missing, and this page is all there is', { numberMatched: undefined, totalFeatures: undefined }, 1],
    // The saved real SGU response had no `links` member: then a full page of one proves nothing.
    [
      'missing, and no links member at all',
      { numberMatched: undefined, totalFeatures: undefined, links: undefined },
      null,
    ],
    ['"unknown", no links member, with totalFeatures', { numberMatched: 'unknown', links: undefined }, 1],
  ])('takes the count with limit=1 when numberMatched is %s', async (_, envelope, expected) => {
    harness();
    h.reply(url(h), 200, collection(stations(1, 1), envelope));
    expect(await ogcFeatures(h.upstream, ROOT).count('stationer', { filter: "kommunkod='0180'" })).toBe(
      expected,
    );
    expect(new URL(h.seen[0]!, BASE).searchParams.get('limit')).toBe('1');
  });
});

describe('OGC API Features client: what a page without a next link proves', () => {
  const read = async (envelope: Record<string, unknown>, count = 3) => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    h.reply(
      pathOf(service.itemsUrl('stationer', { limit: 3 })),
      200,
      collection(stations(1, count), envelope),
    );
    return service.items('stationer', { limit: 3 });
  };
  const noTotals = { numberMatched: undefined, totalFeatures: undefined };

  it('counts zero features for an empty page, links or not', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    h.reply(
      pathOf(service.itemsUrl('stationer', { filter: "kommunkod='2584'", limit: 1 })),
      200,
      collection([], { ...noTotals, links: undefined }),
    );
    expect(await service.count('stationer', { filter: "kommunkod='2584'" })).toBe(0);
  });

  it('takes the read count as the total only when the server sends links and names no next', async () => {
    expect(await read({ ...noTotals })).toMatchObject({ numberMatched: 3, truncated: false });
    expect(await read({ ...noTotals, links: undefined })).toMatchObject({
      numberMatched: null,
      truncated: false,
    });
  });

  it('says truncated when the known total is more than was read, even without a next link', async () => {
    expect(await read({ numberMatched: 50, links: undefined })).toMatchObject({
      numberMatched: 50,
      truncated: true,
    });
    expect(await read({ numberMatched: '3', links: undefined })).toMatchObject({
      numberMatched: 3,
      truncated: false,
    });
  });

  it('says truncated (and gives no total) when the next link points back at a page already read', async () => {
    const first = `${P}/collections/stationer/items?f=json&limit=3`;
    expect(
      await read({ ...noTotals, links: [{ href: `https://api.sgu.se${first}`, rel: 'next' }] }),
    ).toMatchObject({ numberMatched: null, truncated: true, pages: 1 });
  });
});

describe('OGC API Features client: WGS84 axis order', () => {
  it('reads positions as [lon, lat] even though the crs label says EPSG::4326 (formally lat,lon)', () => {
    // The envelope and position of the real response quoted in the SGU reference (§1.5).
    const page = parseFeatureCollection(
      collection([
        pointFeature('grundlager.2786679', 13.64632022, 55.84087653, { jg2: 91, jg2_tx: 'Vatten' }),
      ]),
    );
    expect(page.crsName).toBe('urn:ogc:def:crs:EPSG::4326');
    expect(pointOf(page.features[0]!)).toEqual({ longitude: 13.64632022, latitude: 55.84087653 });
  });

  it('sends the bbox in CRS84 order minLon,minLat,maxLon,maxLat', () => {
    harness();
    const url = new URL(
      ogcFeatures(h.upstream, ROOT).itemsUrl('grundlager', { bbox: bboxAround(59.8586, 17.6389, 0.002) }),
    );
    expect(url.searchParams.get('bbox')).toBe('17.6369,59.8566,17.6409,59.8606');
    expect(url.searchParams.has('bbox-crs')).toBe(false); // CRS84 is the default: nothing to say
  });

  it('rejects output that is not WGS84 unless a projected crs was asked for', async () => {
    const sweref = collection([pointFeature('stationer.1', 674032.1, 6580821.4)], {
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
    });
    expect(() => parseFeatureCollection(sweref)).toThrow(ShapeError);
    // Projected numbers under a WGS84 label are caught by their range.
    expect(() =>
      parseFeatureCollection(collection([pointFeature('stationer.1', 674032.1, 6580821.4)])),
    ).toThrow(/not WGS84/);
    expect(parseFeatureCollection(sweref, { expectWgs84: false }).features).toHaveLength(1);

    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const asked = { crs: 'http://www.opengis.net/def/crs/EPSG/0/3006' };
    h.reply(pathOf(service.itemsUrl('stationer', asked)), 200, sweref);
    expect((await service.items('stationer', asked))?.features).toHaveLength(1);
    h.reply(pathOf(service.itemsUrl('stationer', {})), 200, sweref);
    await expect(service.items('stationer')).rejects.toMatchObject({ kind: 'BAD_PAYLOAD' });
  });
});

describe('OGC API Features client: tolerant parsing', () => {
  it('accepts null geometry, drifting property types, and drops nested values', () => {
    const page = parseFeatureCollection(
      collection([
        {
          type: 'Feature',
          id: 'provplatser.7',
          geometry: null,
          properties: { idiam: 52.0, borrhalslutning: '0' },
        },
        { type: 'Feature', id: 42, geometry: null, properties: { idiam: '52', nested: { a: 1 }, list: [1] } },
      ]),
    );
    expect(page.features[0]).toEqual({
      id: 'provplatser.7',
      geometry: null,
      properties: { idiam: 52, borrhalslutning: '0' },
    });
    expect(page.features[1]).toEqual({ id: '42', geometry: null, properties: { idiam: '52' } });
    expect(pointOf(page.features[0]!)).toBeNull();
  });

  it('prefers the geo+json next link, then any JSON, then an untyped one; never HTML', () => {
    expect(nextLinkOf([{ rel: 'next', href: 'h', type: 'text/html' }])).toBeNull();
    expect(
      nextLinkOf([
        { rel: 'next', href: 'j', type: 'application/json' },
        { rel: 'next', href: 'g', type: 'application/geo+json' },
      ]),
    ).toBe('g');
    expect(nextLinkOf([{ rel: 'next', href: 'u' }])).toBe('u');
  });

  it('reads a single item that arrives as a FeatureCollection (GeoServer) or as a bare Feature', async () => {
    harness();
    const service = ogcFeatures(h.upstream, ROOT);
    const path = `${P}/collections/stationer/items/stationer.4086?f=json`;
    h.reply(path, 200, collection([pointFeature('stationer.4086', 17.8, 59.7, { platsbeteckning: '95_2' })]));
    expect((await service.item('stationer', 'stationer.4086'))?.properties['platsbeteckning']).toBe('95_2');
    const bare = `${P}/collections/stationer/items/stationer.1?f=json`;
    h.reply(bare, 200, pointFeature('stationer.1', 17.8, 59.7));
    expect((await service.item('stationer', 'stationer.1'))?.id).toBe('stationer.1');
    h.reply(`${P}/collections/stationer/items/stationer.2?f=json`, 404, {});
    expect(await service.item('stationer', 'stationer.2')).toBeNull();
  });

  it('lists collections', async () => {
    harness();
    h.reply(`${P}/collections?f=json`, 200, {
      links: [],
      collections: [{ id: 'stationer', title: 'Stationer' }, { id: 'nivaer' }],
    });
    expect(await ogcFeatures(h.upstream, ROOT).collections()).toEqual([
      { id: 'stationer', title: 'Stationer', description: null },
      { id: 'nivaer', title: null, description: null },
    ]);
  });

  it('quotes CQL string literals', () => {
    expect(cqlString("O'Brien")).toBe("'O''Brien'");
  });
});
