import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ogcFeatures, parseFeatureCollection } from '../../kit/ogc.ts';
import { createTrace } from '../../kit/upstream.ts';
import {
  createSguClient,
  featureContaining,
  instant,
  POINT_QUERY_LIMIT,
  SERVICES,
  toStation,
  toWell,
} from '../../subgraphs/sgu/client.ts';
import { createLoaders } from '../../subgraphs/sgu/loaders.ts';
import { collection, fixture, pathOf, pointFeature, type SguHarness, sguHarness } from './helpers.ts';

const UPPSALA = { latitude: 59.8586, longitude: 17.6389 };
const box = (lat: number, lon: number) =>
  [lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002].map((n) => Math.round(n * 1e6) / 1e6).join(',');

let h: SguHarness;
let open: SguHarness | undefined;
const harness = (overrides: Parameters<typeof sguHarness>[0] = {}) => {
  h = sguHarness(overrides);
  open = h;
};
afterEach(async () => {
  if (!open) return;
  open.agent.assertNoPendingInterceptors();
  await open.agent.close();
  open = undefined;
});

function itemsPath(service: string, collectionId: string, query: Record<string, string>) {
  const u = new URL(`https://api.sgu.se/oppnadata${service}/collections/${collectionId}/items`);
  for (const [k, v] of Object.entries(query)) u.searchParams.append(k, v);
  return u.pathname + u.search;
}

describe('SGU point queries on unclipped polygons', () => {
  it('chooses the soil polygon that contains the point, not the first one touching the box', async () => {
    harness();
    const soil = fixture('grundlager_uppsala_point_synthetic.json');
    h.reply(
      itemsPath(SERVICES.soil25k, 'grundlager', {
        f: 'json',
        bbox: box(UPPSALA.latitude, UPPSALA.longitude),
        limit: String(POINT_QUERY_LIMIT),
      }),
      200,
      soil,
    );
    // The first feature touches the box but not the point: a client that trusted the box would say sand.
    const features = parseFeatureCollection(soil).features;
    expect(features[0]?.properties['jg2_tx']).toBe('Isälvssediment, sand');
    expect(featureContaining(features, UPPSALA.latitude, UPPSALA.longitude)?.id).toBe('grundlager.43002');

    const result = await createSguClient(h.upstream).soilAt(UPPSALA.latitude, UPPSALA.longitude);
    expect(result).toEqual({
      name: 'Glacial lera',
      code: 8, // sent as the string "8"
      map: 'JORDARTER_25K_100K',
      featureId: 'grundlager.43002',
    });
  });

  it('chooses the bedrock polygon that contains the point', async () => {
    harness();
    h.reply(
      itemsPath(SERVICES.bedrock, 'geologisk-enhet-yta', {
        f: 'json',
        bbox: box(UPPSALA.latitude, UPPSALA.longitude),
        limit: String(POINT_QUERY_LIMIT),
      }),
      200,
      fixture('geologisk-enhet-yta_uppsala_point_synthetic.json'),
    );
    expect(await createSguClient(h.upstream).bedrockAt(UPPSALA.latitude, UPPSALA.longitude)).toEqual({
      name: 'Granit',
      // The (synthetic) feature carries no `bergart` code column: null, not a made-up code.
      code: null,
      featureId: 'geologisk-enhet-yta.88002',
      unit: 'Granit, syntetisk enhet A',
      lithology: 'Granit',
      tectonicUnit: 'Svekokarelska orogenen',
      description: 'Massformig till svagt folierad',
    });
  });

  it('reads a rock-type code when the bedrock feature carries one (number or string)', async () => {
    harness();
    const data = fixture<{ features: Array<{ properties: Record<string, unknown> }> }>(
      'geologisk-enhet-yta_uppsala_point_synthetic.json',
    );
    for (const f of data.features) f.properties['bergart'] = 512;
    h.reply(
      itemsPath(SERVICES.bedrock, 'geologisk-enhet-yta', {
        f: 'json',
        bbox: box(UPPSALA.latitude, UPPSALA.longitude),
        limit: String(POINT_QUERY_LIMIT),
      }),
      200,
      data,
    );
    expect(await createSguClient(h.upstream).bedrockAt(UPPSALA.latitude, UPPSALA.longitude)).toMatchObject({
      name: 'Granit',
      code: '512',
    });
  });

  it('falls back to the 1:250 000 map when no detailed polygon contains the point', async () => {
    harness();
    const q = { f: 'json', bbox: box(UPPSALA.latitude, UPPSALA.longitude), limit: String(POINT_QUERY_LIMIT) };
    const touching = fixture<{ features: unknown[] }>('grundlager_uppsala_point_synthetic.json').features[0];
    h.reply(itemsPath(SERVICES.soil25k, 'grundlager', q), 200, collection([touching]));
    const square = {
      type: 'Feature',
      id: 'grundlager.9',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [17.5, 59.8],
            [17.7, 59.8],
            [17.7, 59.9],
            [17.5, 59.9],
            [17.5, 59.8],
          ],
        ],
      },
      properties: { jg2: 5, jg2_tx: 'Morän' },
    };
    h.reply(itemsPath(SERVICES.soil250k, 'grundlager', q), 200, collection([square]));
    expect(await createSguClient(h.upstream).soilAt(UPPSALA.latitude, UPPSALA.longitude)).toMatchObject({
      name: 'Morän',
      map: 'JORDARTER_250K',
    });
    expect(h.seen.map((p) => p.split('/')[2])).toEqual(['jordarter25k-100k', 'jordarter250k']);
  });

  it('asks only the 1:250 000 map north of latitude 65.1 (no detailed coverage there)', async () => {
    harness();
    const kiruna = { latitude: 67.8558, longitude: 20.2253 };
    h.reply(
      itemsPath(SERVICES.soil250k, 'grundlager', {
        f: 'json',
        bbox: box(kiruna.latitude, kiruna.longitude),
        limit: String(POINT_QUERY_LIMIT),
      }),
      200,
      collection([]),
    );
    expect(await createSguClient(h.upstream).soilAt(kiruna.latitude, kiruna.longitude)).toBeNull();
    expect(h.seen).toHaveLength(1);
  });
});

describe('SGU requests', () => {
  it('filters levels by station and date with CQL and returns them oldest first', async () => {
    harness();
    const filter =
      "platsbeteckning='95_2' AND obsdatum >= '2025-01-01T00:00:00+00:00' AND obsdatum < '2025-02-01T00:00:00+00:00'";
    const levels = (date: string, moh: number) => ({
      type: 'Feature',
      id: `nivaer.${date}`,
      geometry: null,
      properties: { platsbeteckning: '95_2', obsdatum: date, grundvattenniva_m_o_h: moh },
    });
    h.reply(
      itemsPath(SERVICES.groundwater, 'nivaer', {
        f: 'json',
        filter,
        'filter-lang': 'cql-text',
        limit: '1000',
      }),
      200,
      collection([levels('2025-01-20T00:00:00Z', 29.1), levels('2025-01-05T00:00:00Z', 29.4)]),
    );
    const result = await createSguClient(h.upstream).levels(
      '95_2',
      '2025-01-01T00:00:00+00:00',
      '2025-02-01T00:00:00+00:00',
    );
    expect(result?.items.map((l) => [l.date, l.metersAboveSeaLevel])).toEqual([
      ['2025-01-05T00:00:00Z', 29.4],
      ['2025-01-20T00:00:00Z', 29.1],
    ]);
  });

  it('batches the stations asked for in one tick into one `platsbeteckning in (...)` request', async () => {
    harness();
    h.reply(
      itemsPath(SERVICES.groundwater, 'stationer', {
        f: 'json',
        filter: "platsbeteckning in ('95_2','96_4','nope')",
        'filter-lang': 'cql-text',
        limit: '10',
      }),
      200,
      collection([
        pointFeature('stationer.4086', 17.8, 59.7, { platsbeteckning: '95_2', obsplatsnamn: 'Lagga_2' }),
        pointFeature('stationer.9201', 17.6, 59.8, { platsbeteckning: '96_4' }),
      ]),
    );
    const loaders = createLoaders(createSguClient(h.upstream), createTrace());
    const [a, b, c] = await Promise.all(['95_2', '96_4', 'nope'].map((id) => loaders.station.load(id)));
    expect(a?.name).toBe('Lagga_2');
    expect(b?.id).toBe('96_4');
    expect(c).toBeNull();
    expect(h.seen).toHaveLength(1);
  });

  it('counts wells from numberMatched with limit=1, and reads wells past a capped page', async () => {
    harness();
    const wells = ogcFeatures(h.upstream, SERVICES.wells);
    const q = { filter: "kommunkod='0180'" };
    h.reply(
      pathOf(wells.itemsUrl('brunnar', { ...q, limit: 1 })),
      200,
      fixture('brunnar_kommunkod_0180_limit1_synthetic.json'),
    );
    expect(await createSguClient(h.upstream).wellCount('0180')).toBe(4862);

    // Asked for 4, the server caps pages at 3 and links the rest.
    const page1 = fixture<Record<string, unknown>>('brunnar_kommunkod_0180_limit3_synthetic.json');
    const next = `https://api.sgu.se/oppnadata/brunnar/ogc/features/v1/collections/brunnar/items?f=json&filter=kommunkod%3D%270180%27&filter-lang=cql-text&limit=4&startIndex=3`;
    h.reply(pathOf(wells.itemsUrl('brunnar', { ...q, limit: 4 })), 200, {
      ...page1,
      links: [{ href: next, rel: 'next', type: 'application/geo+json' }],
    });
    h.reply(
      pathOf(next),
      200,
      collection([pointFeature('brunnar.710004', 18.0, 59.3, { obsplatsid: 'B4', borrdatum: '1999' })], {
        numberMatched: 4862,
        links: [{ href: `${next}&more=1`, rel: 'next' }],
      }),
    );
    const listing = await createSguClient(h.upstream).wells('0180', 4);
    expect(listing?.items.map((w) => w.drilledDate)).toEqual(['1978', '1985-06', '2003-09-17', '1999']);
    expect(listing?.truncated).toBe(true);
  });
});

describe('SGU parsers tolerate drift', () => {
  it('restores leading zeros lost to numeric codes and reads numbers sent as strings', () => {
    const page = parseFeatureCollection(fixture('stationer_kommunkod_0180_synthetic.json'));
    const hasselby = toStation(page.features[2]!);
    expect(hasselby).toMatchObject({ id: '81_2', municipalityCode: '0180', countyCode: '01' });
    expect(hasselby?.location).toEqual({ latitude: 59.368054, longitude: 17.83772 });
    const well = toWell(
      parseFeatureCollection(fixture('brunnar_kommunkod_0180_limit3_synthetic.json')).features[2]!,
    );
    expect(well).toMatchObject({
      capacity: 250,
      groundwaterLevel: 7.2,
      drilledDate: '2003-09-17',
      useCode: 'ÖVR',
    });
  });

  it('orders level times whatever their form, reading a zone-less date-time as UTC', () => {
    expect(instant('2026-03-29T02:30:00')).toBe(Date.UTC(2026, 2, 29, 2, 30));
    expect(instant('2026-03-29T02:30:00.5')).toBe(Date.UTC(2026, 2, 29, 2, 30, 0, 500));
    expect(instant('2026-03-29')).toBe(Date.UTC(2026, 2, 29));
    expect(instant('2026-03-29T03:30:00+02:00')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(instant('okänt')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads a soil code sent as a string or a whole float; a non-integer is no code', async () => {
    harness();
    // SYNTHETIC: one square polygon around the point, with drifting jg2 types.
    const square = (jg2: unknown) => ({
      type: 'Feature',
      id: 'grundlager.1',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [17.63, 59.85],
            [17.65, 59.85],
            [17.65, 59.87],
            [17.63, 59.87],
            [17.63, 59.85],
          ],
        ],
      },
      properties: { jg2, jg2_tx: 'Glacial lera' },
    });
    const client = createSguClient(h.upstream);
    const path = itemsPath(SERVICES.soil25k, 'grundlager', {
      f: 'json',
      bbox: box(UPPSALA.latitude, UPPSALA.longitude),
      limit: String(POINT_QUERY_LIMIT),
    });
    h.reply(path, 200, collection([square(8.0)]));
    expect(await client.soilAt(UPPSALA.latitude, UPPSALA.longitude)).toMatchObject({ code: 8 });
    await h.cache.clear();
    h.reply(path, 200, collection([square('8.5')]));
    expect(await client.soilAt(UPPSALA.latitude, UPPSALA.longitude)).toMatchObject({
      name: 'Glacial lera',
      code: null,
    });
  });

  it('skips a station without its id and keeps one with a hidden position', () => {
    expect(toStation({ id: 'stationer.1', geometry: null, properties: { obsplatsnamn: 'x' } })).toBeNull();
    const hidden = toStation({ id: 'stationer.2', geometry: null, properties: { platsbeteckning: '97_1' } });
    expect(hidden?.location).toBeNull();
  });
});

describe('SGU cache lifetimes', () => {
  const NOW = Date.parse('2026-11-26T12:00:00Z');
  const freshFor = async (url: string) => {
    const entry = (await h.cache.get(`sgu:v1:live:GET ${url}`)) as { freshUntil: number } | undefined;
    return entry ? entry.freshUntil - NOW : undefined;
  };

  it('keeps geology 30 days, stations and well counts 1 day, levels 6 hours', async () => {
    harness({ now: () => NOW });
    const client = createSguClient(h.upstream);
    const empty = collection([]);
    const groundwater = ogcFeatures(h.upstream, SERVICES.groundwater);
    const stationsUrl = groundwater.itemsUrl('stationer', { filter: "kommunkod='0180'", limit: 1000 });
    const levelsUrl = groundwater.itemsUrl('nivaer', {
      filter: "platsbeteckning='95_2' AND obsdatum >= '2025-01-01T00:00:00+00:00'",
      limit: 1000,
    });
    const countUrl = ogcFeatures(h.upstream, SERVICES.wells).itemsUrl('brunnar', {
      filter: "kommunkod='0180'",
      limit: 1,
    });
    const bedrockUrl = ogcFeatures(h.upstream, SERVICES.bedrock).itemsUrl('geologisk-enhet-yta', {
      bbox: { minLon: 17.6369, minLat: 59.8566, maxLon: 17.6409, maxLat: 59.8606 },
      limit: POINT_QUERY_LIMIT,
    });
    for (const url of [stationsUrl, levelsUrl, countUrl, bedrockUrl]) h.reply(pathOf(url), 200, empty);

    await client.stationsInMunicipality('0180');
    await client.levels('95_2', '2025-01-01T00:00:00+00:00', null);
    await client.wellCount('0180');
    await client.bedrockAt(UPPSALA.latitude, UPPSALA.longitude);

    const hour = 3_600_000;
    expect(await freshFor(stationsUrl)).toBe(24 * hour);
    expect(await freshFor(levelsUrl)).toBe(6 * hour);
    expect(await freshFor(countUrl)).toBe(24 * hour);
    expect(await freshFor(bedrockUrl)).toBe(30 * 24 * hour);
  });

  it('gives the schema cache hints that match those lifetimes', () => {
    const sdl = readFileSync('subgraphs/sgu/schema.graphql', 'utf8');
    const hint = (pattern: RegExp) => Number(pattern.exec(sdl)?.[1]);
    expect(hint(/soilType: SoilType @cacheControl\(maxAge: (\d+)\)/)).toBe(30 * 86_400);
    expect(hint(/bedrock: Bedrock @cacheControl\(maxAge: (\d+)\)/)).toBe(30 * 86_400);
    expect(hint(/groundwaterStations: \[GroundwaterStation!\] @cacheControl\(maxAge: (\d+)\)/)).toBe(86_400);
    expect(hint(/latestLevel: GroundwaterLevel @cacheControl\(maxAge: (\d+)\)/)).toBe(6 * 3_600);
    expect(hint(/type GroundwaterLevel @cacheControl\(maxAge: (\d+)\)/)).toBe(6 * 3_600);
  });
});
