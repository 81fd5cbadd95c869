/**
 * The SGU simulator's data: stations in every municipality inside its outline, level series that
 * look like groundwater (seasons, plausible depths, consistent units, up to the clock), a well archive
 * sized by area and town, and soil/bedrock maps that tessellate Sweden with regionally sensible types.
 */
import { describe, expect, it } from 'vitest';
import { pointInPolygon } from '../../kit/geo.ts';
import { seededRandom } from '../../kit/simulator.ts';
import { geography } from '../../kit/sweden.ts';
import { fromSweref, toSweref } from '../../subgraphs/sgu/simulator/geometry.ts';
import { cellRing, GRIDS } from '../../subgraphs/sgu/simulator/maps.ts';
import { stations } from '../../subgraphs/sgu/simulator/stations.ts';
import { wellArchive } from '../../subgraphs/sgu/simulator/wells.ts';
import { ask, type Collection, DAY, GW, itemsUrl, NOW, newSimulator } from './simulator-helpers.ts';

const sim = newSimulator();
const items = (url: string) => ask(sim, url).json as unknown as Collection;
const municipalities = [...geography().municipalities.values()];

describe('groundwater stations', () => {
  const all = items(itemsUrl(GW, 'stationer', { f: 'json' }));

  it('every one of the 290 municipalities has stations, inside its outline', () => {
    const byCode = new Map<string, typeof all.features>();
    for (const f of all.features) {
      const code = String(f.properties['kommunkod']);
      byCode.set(code, [...(byCode.get(code) ?? []), f]);
    }
    expect(byCode.size).toBe(290);
    for (const m of municipalities) {
      const list = byCode.get(m.code)!;
      expect(list.length, m.code).toBeGreaterThanOrEqual(2);
      for (const f of list) {
        expect(f.properties['kommun']).toBe(m.name);
        expect(f.properties['lanskod']).toBe(m.code.slice(0, 2));
        if (!f.geometry || String(f.properties['obsplatsnamn']).startsWith('Lagga')) continue;
        if (!String(f.properties['obsplatsnamn']).startsWith(m.name)) continue; // the fixture stations
        const [lon, lat] = f.geometry.coordinates as [number, number];
        expect(pointInPolygon(m.geometry, lon, lat), `${f.properties['platsbeteckning']} in ${m.name}`).toBe(
          true,
        );
      }
    }
  });

  it('keeps the fixture stations (ids, names, positions) and hides a few positions', () => {
    const byId = new Map(all.features.map((f) => [String(f.properties['platsbeteckning']), f]));
    expect(byId.get('95_2')).toMatchObject({
      id: 'stationer.4086',
      geometry: { type: 'Point', coordinates: [17.804123, 59.721085] },
      properties: { obsplatsnamn: 'Lagga_2', kommunkod: '0330', kommun: 'Knivsta' },
    });
    for (const [id, code] of [
      ['74_3', '0180'],
      ['74_7', '0180'],
      ['81_2', '0180'],
      ['96_4', '0380'],
      ['96_9', '0380'],
    ])
      expect(byId.get(id!)?.properties['kommunkod']).toBe(code);
    expect(byId.get('97_1')?.geometry).toBeNull();
    const hidden = all.features.filter((f) => f.geometry === null);
    expect(hidden.length).toBeGreaterThanOrEqual(3);
    expect(hidden.length).toBeLessThan(all.features.length / 20);
    for (const f of hidden) expect(f.properties['n']).toBeNull();
  });

  it('has the attributes the client reads, with n/e in SWEREF 99 TM matching the position', () => {
    for (const f of all.features.filter((x) => x.geometry).slice(0, 200)) {
      const p = f.properties;
      for (const k of [
        'obsplatsnamn',
        'akvifer',
        'akvifer_tx',
        'jordart_tx',
        'genes_jord_tx',
        'hojdsystem',
        'hojdmetod',
        'brunnsmtrl_tx',
        'geohylag_tx',
        'fdat',
        'tdat',
      ])
        expect(typeof p[k], k).toBe('string');
      for (const k of ['refniva', 'rorhojd', 'rorlangd', 'jorddjup', 'idiam'])
        expect(typeof p[k], k).toBe('number');
      const [lon, lat] = f.geometry!.coordinates as [number, number];
      const tm = toSweref(lon, lat);
      expect(Math.abs(tm.e - Number(p['e']))).toBeLessThan(1);
      expect(Math.abs(tm.n - Number(p['n']))).toBeLessThan(1);
      expect(Number(p['rorlangd'])).toBeGreaterThan(Number(p['rorhojd']));
    }
  });
});

describe('SWEREF 99 TM', () => {
  it('round-trips and matches a known position (Stockholm ≈ E 674 000, N 6 580 800)', () => {
    const tm = toSweref(18.0686, 59.3293);
    expect(tm.e).toBeGreaterThan(674_000);
    expect(tm.e).toBeLessThan(675_000);
    expect(tm.n).toBeGreaterThan(6_580_000);
    expect(tm.n).toBeLessThan(6_581_500);
    for (const [lon, lat] of [
      [18.0686, 59.3293],
      [11.97, 57.7],
      [20.22, 67.85],
      [13.0, 55.6],
    ] as const) {
      const back = fromSweref(toSweref(lon, lat).e, toSweref(lon, lat).n);
      expect(back.lon).toBeCloseTo(lon, 7);
      expect(back.lat).toBeCloseTo(lat, 7);
    }
  });
});

describe('groundwater level series', () => {
  const list = stations().list;
  const levels = (id: string, from: string, to?: string) => {
    const filter = `platsbeteckning='${id}' AND obsdatum >= '${from}'${to ? ` AND obsdatum < '${to}'` : ''}`;
    return items(itemsUrl(GW, 'nivaer', { f: 'json', filter, limit: 50_000 })).features.map(
      (f) => f.properties,
    );
  };

  it('active stations have readings up to a few weeks before the clock; units agree', () => {
    const sample = list.filter((s) => s.series.end === null).filter((_, i) => i % 20 === 0);
    expect(sample.length).toBeGreaterThan(40);
    for (const s of sample) {
      const recent = levels(s.id, new Date(NOW - 120 * DAY).toISOString());
      expect(recent.length, s.id).toBeGreaterThan(4);
      const last = Date.parse(String(recent.at(-1)!['obsdatum']));
      expect(NOW - last, s.id).toBeLessThan(21 * DAY);
      expect(last).toBeLessThan(NOW);
      for (const r of recent) {
        const below = Number(r['grundvattenniva_m_u_markyta']);
        expect(below).toBeGreaterThan(0);
        expect(below).toBeLessThan(15);
        expect(Number(r['grundvattenniva_m_urok']) - below).toBeCloseTo(s.pipeHeight, 1);
        expect(Number(r['grundvattenniva_m_o_h'])).toBeCloseTo(
          s.referenceLevel - Number(r['grundvattenniva_m_urok']),
          1,
        );
        expect(Date.parse(String(r['lastupdate']))).toBeLessThanOrEqual(NOW);
      }
      // The newest readings are marked preliminary; old ones are not.
      expect(recent.at(-1)!['nivaanmarkning']).toBe('Preliminärt värde');
    }
  });

  it('seasons: spring high in the south, early-summer high after snowmelt in the north', () => {
    const monthMean = (rows: Array<Record<string, unknown>>, month: number) => {
      const v = rows
        .filter((r) => new Date(String(r['obsdatum'])).getUTCMonth() === month)
        .map((r) => Number(r['grundvattenniva_m_u_markyta']));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const south = levels('74_3', '2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    expect(monthMean(south, 3)).toBeLessThan(monthMean(south, 8) - 0.2); // shallower in April than in September
    const kiruna = list.find((s) => s.municipality.code === '2584' && s.series.end === null)!;
    const north = levels(kiruna.id, '2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    expect(monthMean(north, 5)).toBeLessThan(monthMean(north, 2)); // June above March
  });

  it('manual stations are read twice a month, loggers daily', () => {
    const manual = levels('74_7', '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z');
    expect(manual).toHaveLength(12);
    expect(new Set(manual.map((r) => r['metod_for_matning']))).toEqual(new Set(['Manuell']));
    expect(levels('81_2', '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z')).toHaveLength(181);
  });
});

describe('the well archive', () => {
  const a = wellArchive();
  const count = (code: string) => a.count(a.ordinalOf.get(code)!);

  it('counts wells for all 290 municipalities: thousands in the cities, few in the far north', () => {
    for (const m of municipalities) expect(count(m.code), m.code).toBeGreaterThan(10);
    expect(count('0180')).toBeGreaterThan(2000);
    expect(count('1480')).toBeGreaterThan(2000);
    expect(count('1280')).toBeGreaterThan(1000);
    expect(count('2584')).toBeLessThan(count('0180'));
    expect(a.total()).toBeGreaterThan(500_000);
    expect(a.total()).toBeLessThan(1_500_000);
    const body = items(itemsUrl('brunnar', 'brunnar', { filter: "kommunkod IN ('0180','2584')", limit: 1 }));
    expect(body.numberMatched).toBe(count('0180') + count('2584'));
  });

  it('wells lie in their municipality and carry the documented codes', () => {
    const body = items(itemsUrl('brunnar', 'brunnar', { filter: "kommunkod='0880'", limit: 300 }));
    const m = geography().municipalities.get('0880')!;
    const uses = new Set(['HUS', 'ENE', 'LAN', 'BEV', 'IND', 'OBS', 'SAM', 'VAF', 'ÖVR']);
    const forms = new Set<string>();
    for (const f of body.features) {
      const [lon, lat] = f.geometry!.coordinates as [number, number];
      expect(pointInPolygon(m.geometry, lon, lat)).toBe(true);
      expect(uses.has(String(f.properties['anvandning_kod']))).toBe(true);
      const date = String(f.properties['borrdatum']);
      forms.add(date.length === 4 ? 'year' : date.length === 7 ? 'month' : 'day');
      expect(Number(date.slice(0, 4))).toBeLessThanOrEqual(2025);
      expect(Number(f.properties['totaldjup'])).toBeGreaterThan(10);
    }
    expect(forms).toEqual(new Set(['year', 'month', 'day']));
  });
});

describe('soil and bedrock maps', () => {
  const polygonsAt = (dataset: string, collection: string, lat: number, lon: number) =>
    items(
      itemsUrl(dataset, collection, {
        f: 'json',
        bbox: [lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002].join(','),
        limit: 50,
      }),
    ).features;
  const containing = (features: Collection['features'], lat: number, lon: number) =>
    features.filter((f) => pointInPolygon(f.geometry as never, lon, lat));

  it('tessellate: a point on land lies in exactly one polygon of each map', () => {
    const rnd = seededRandom('sgu-test-points');
    let tested = 0;
    for (let i = 0; i < 400 && tested < 120; i++) {
      const m = municipalities[Math.floor(rnd() * municipalities.length)]!;
      const lon = m.bbox.minLon + rnd() * (m.bbox.maxLon - m.bbox.minLon);
      const lat = m.bbox.minLat + rnd() * (m.bbox.maxLat - m.bbox.minLat);
      if (!pointInPolygon(m.geometry, lon, lat)) continue;
      tested++;
      const soil = lat <= 65.1 ? polygonsAt('jordarter25k-100k', 'grundlager', lat, lon) : [];
      const soilHits = containing(soil, lat, lon);
      if (lat <= 65.0) expect(soilHits, `${lat},${lon}`).toHaveLength(1);
      expect(containing(polygonsAt('jordarter250k', 'grundlager', lat, lon), lat, lon)).toHaveLength(1);
      expect(
        containing(polygonsAt('berggrund50k-250k', 'geologisk-enhet-yta', lat, lon), lat, lon),
      ).toHaveLength(1);
    }
    expect(tested).toBe(120);
  });

  it('neighbouring cells share their edges exactly (no gaps, no overlaps)', () => {
    for (const g of Object.values(GRIDS)) {
      const a = cellRing(g, 500 % g.rows, 60);
      const right = cellRing(g, 500 % g.rows, 61);
      const above = cellRing(g, (500 % g.rows) + 1, 60);
      const edge = (ring: Array<[number, number]>, from: number, to: number) => ring.slice(from, to + 1);
      // Ring: corner, 3 bottom points, corner, 3 right, corner, 3 top, corner, 3 left, closing corner.
      expect(edge(a, 4, 8)).toEqual(edge(right, 12, 16).reverse());
      expect(edge(a, 8, 12)).toEqual(edge(above, 0, 4).reverse());
    }
  });

  it('the 25k soil map has no coverage north of 65.1° N; the 250k map has', () => {
    expect(polygonsAt('jordarter25k-100k', 'grundlager', 67.8558, 20.2253)).toEqual([]);
    expect(polygonsAt('jordarter250k', 'grundlager', 67.8558, 20.2253).length).toBeGreaterThan(0);
  });

  it('no polygons at sea, far from any coast', () => {
    expect(polygonsAt('berggrund50k-250k', 'geologisk-enhet-yta', 56.2, 19.8)).toEqual([]);
    expect(polygonsAt('jordarter25k-100k', 'grundlager', 56.2, 19.8)).toEqual([]);
  });

  it('regional geology: limestone on Gotland and in south-west Skåne, gneiss belt in the west, till up north', () => {
    const rock = (lat: number, lon: number) =>
      containing(polygonsAt('berggrund50k-250k', 'geologisk-enhet-yta', lat, lon), lat, lon)[0]!.properties;
    expect(['Kalksten', 'Märgelsten']).toContain(rock(57.6348, 18.2948)['bergart_tx']); // Visby
    expect(['Sandsten', 'Märgelsten', 'Kalksten']).toContain(rock(56.95, 18.15)['bergart_tx']); // Burgsvik
    expect(['Kalksten', 'Sandsten', 'Lerskiffer', 'Lersten']).toContain(rock(55.605, 13.0038)['bergart_tx']); // Malmö
    expect(rock(57.7089, 11.9746)['tekt_n_tx']).toBe('Svekonorvegiska orogenen'); // Göteborg
    expect(rock(68.3495, 18.8312)['tekt_n_tx']).toBe('Kaledoniska orogenen'); // Abisko
    expect(rock(59.8586, 17.6389)['tekt_n_tx']).toBe('Svekokarelska orogenen'); // Uppsala

    const tally = (lat0: number, lon0: number, collection = 'jordarter25k-100k') => {
      const counts = new Map<string, number>();
      const body = items(
        itemsUrl(collection, 'grundlager', {
          bbox: [lon0 - 0.3, lat0 - 0.15, lon0 + 0.3, lat0 + 0.15].join(','),
        }),
      );
      for (const f of body.features) {
        const name = String(f.properties['jg2_tx']);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return [...counts.entries()].sort((x, y) => y[1] - x[1]).map(([k]) => k);
    };
    expect(tally(59.95, 17.4).slice(0, 4)).toContain('Glacial lera'); // Uppland plain
    expect(tally(57.45, 18.45).slice(0, 2)).toContain('Sedimentärt berg'); // Gotland
    expect(tally(64.2, 18.5)[0]).toBe('Morän'); // Västerbotten inland
    expect(tally(67.2, 20.8, 'jordarter250k')[0]).toBe('Morän');
  });
});
