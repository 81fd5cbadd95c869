/**
 * Map-ready output: `municipalityFeatures` / `countyFeatures` / `County.municipalityFeatures` answer a
 * GeoJSON FeatureCollection (RFC 7946) a map library reads as it is, with the properties the client
 * selected — from any agency, joined through federation — through the whole gateway, offline.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWEDEN_BBOX } from '../../kit/geo.ts';
import { geography } from '../../kit/sweden.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

interface Geometry {
  type: string;
  coordinates: unknown;
}
interface Feature<P> {
  type: string;
  id: string;
  geometry: Geometry;
  properties: P;
}
interface Collection<P> {
  type: string;
  bbox: number[];
  features: Feature<P>[];
}
interface MunicipalityProps {
  code: string;
  name: string;
  population: number | null;
  income: { median: number | null } | null;
  jobAdCount: number | null;
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
});
afterAll(() => gw.stop());

/** Every [lon, lat] position of a Polygon or MultiPolygon, checking the RFC 7946 ring rules on the way. */
function positionsOf(geometry: Geometry): number[][] {
  expect(['Polygon', 'MultiPolygon']).toContain(geometry.type);
  const polygons = (
    geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  ) as number[][][][];
  expect(polygons.length).toBeGreaterThan(0);
  const positions: number[][] = [];
  for (const rings of polygons) {
    expect(rings.length).toBeGreaterThan(0);
    for (const ring of rings) {
      // A linear ring: at least four positions, closed (the first is the last).
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring.at(-1)).toEqual(ring[0]);
      positions.push(...ring);
    }
  }
  return positions;
}

function expectInSweden([lon, lat, ...rest]: number[]) {
  expect(rest).toEqual([]);
  expect(lon).toBeGreaterThanOrEqual(SWEDEN_BBOX.minLon);
  expect(lon).toBeLessThanOrEqual(SWEDEN_BBOX.maxLon);
  expect(lat).toBeGreaterThanOrEqual(SWEDEN_BBOX.minLat);
  expect(lat).toBeLessThanOrEqual(SWEDEN_BBOX.maxLat);
}

const decimalsOf = (n: number) => (String(n).split('.')[1] ?? '').length;

describe('municipalityFeatures(county: "01")', () => {
  const QUERY = `{
    municipalityFeatures(county: "01") {
      type
      bbox
      features { type id geometry properties { code name population(year: 2024) income { median } jobAdCount } }
    }
    county(code: "01") { municipalities { code population(year: 2024) income { median } jobAdCount } }
  }`;
  let collection: Collection<MunicipalityProps>;
  let joined: Array<Omit<MunicipalityProps, 'name'>>;

  beforeAll(async () => {
    const body = await gw.query<{
      municipalityFeatures: Collection<MunicipalityProps>;
      county: { municipalities: Array<Omit<MunicipalityProps, 'name'>> };
    }>(QUERY);
    expect(body.errors).toBeUndefined();
    collection = body.data!.municipalityFeatures;
    joined = body.data!.county.municipalities;
  });

  it("is a FeatureCollection of the county's municipalities, ordered by code", () => {
    expect(collection.type).toBe('FeatureCollection');
    const codes = geography().counties.get('01')!.municipalityCodes;
    expect(codes.length).toBeGreaterThan(20);
    expect(collection.features.map((f) => f.id)).toEqual(codes);
    for (const f of collection.features) {
      expect(f.type).toBe('Feature');
      expect(f.properties.code).toBe(f.id);
      expect(f.properties.name).toBe(geography().municipalities.get(f.id)!.name);
    }
  });

  it('has a Polygon or MultiPolygon per feature with [lon, lat] positions in Sweden, 6 decimals at most', () => {
    for (const f of collection.features) {
      const positions = positionsOf(f.geometry);
      for (const p of positions) {
        expectInSweden(p);
        expect(Math.max(...p.map(decimalsOf))).toBeLessThanOrEqual(6);
      }
      // The feature's own representative point lies inside the outline it was given.
      const { latitude, longitude } = geography().municipalities.get(f.id)!.centroid;
      expect(booleanPointInPolygon([longitude, latitude], f.geometry as Polygon | MultiPolygon)).toBe(true);
    }
  });

  it('has a bbox that is the extent of every position', () => {
    const all = collection.features.flatMap((f) => positionsOf(f.geometry));
    const lons = all.map((p) => p[0]!);
    const lats = all.map((p) => p[1]!);
    expect(collection.bbox).toEqual([
      Math.min(...lons),
      Math.min(...lats),
      Math.max(...lons),
      Math.max(...lats),
    ]);
  });

  it('carries the selected fields of other agencies as properties, the same values as without features', () => {
    const byCode = new Map(joined.map((m) => [m.code, m]));
    for (const f of collection.features) {
      const { population, income, jobAdCount } = f.properties;
      expect(population).toEqual(expect.any(Number));
      expect(population).toBeGreaterThan(0);
      expect(income?.median).toEqual(expect.any(Number));
      expect(Number.isInteger(jobAdCount)).toBe(true);
      expect({ population, income, jobAdCount }).toEqual({
        population: byCode.get(f.id)!.population,
        income: byCode.get(f.id)!.income,
        jobAdCount: byCode.get(f.id)!.jobAdCount,
      });
    }
  });

  it('is the same collection under County.municipalityFeatures', async () => {
    const body = await gw.query<{
      county: { municipalityFeatures: Collection<{ code: string }> };
      municipalityFeatures: Collection<{ code: string }>;
    }>(`{
      county(code: "01") { municipalityFeatures { type bbox features { id geometry properties { code } } } }
      municipalityFeatures(county: "01") { type bbox features { id geometry properties { code } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.county.municipalityFeatures).toEqual(body.data!.municipalityFeatures);
  });
});

describe('geometry: CENTROID and precision', () => {
  it('gives each municipality a Point at its representative point, rounded to `precision`', async () => {
    const body = await gw.query<{ municipalityFeatures: Collection<{ code: string }> }>(
      '{ municipalityFeatures(county: "25", geometry: CENTROID, precision: 3) { bbox features { id geometry } } }',
    );
    expect(body.errors).toBeUndefined();
    const { features, bbox } = body.data!.municipalityFeatures;
    expect(features.map((f) => f.id)).toEqual(geography().counties.get('25')!.municipalityCodes);
    for (const f of features) {
      expect(f.geometry.type).toBe('Point');
      const [lon, lat] = f.geometry.coordinates as number[];
      expectInSweden([lon!, lat!]);
      const c = geography().municipalities.get(f.id)!.centroid;
      expect(lon).toBeCloseTo(c.longitude, 3);
      expect(lat).toBeCloseTo(c.latitude, 3);
      expect(Math.max(decimalsOf(lon!), decimalsOf(lat!))).toBeLessThanOrEqual(3);
    }
    const points = features.map((f) => f.geometry.coordinates as number[]);
    expect(bbox).toEqual([
      Math.min(...points.map((p) => p[0]!)),
      Math.min(...points.map((p) => p[1]!)),
      Math.max(...points.map((p) => p[0]!)),
      Math.max(...points.map((p) => p[1]!)),
    ]);
  });

  it('fewer decimals shorten the outlines, and keep every ring valid', async () => {
    const body = await gw.query<{ six: Collection<unknown>; four: Collection<unknown> }>(`{
      six: municipalityFeatures(county: "14") { features { geometry } }
      four: municipalityFeatures(county: "14", precision: 4) { features { geometry } }
    }`);
    expect(body.errors).toBeUndefined();
    const { six, four } = body.data!;
    expect(JSON.stringify(four).length).toBeLessThan(JSON.stringify(six).length * 0.9);
    for (const f of four.features) {
      for (const p of positionsOf(f.geometry)) expect(Math.max(...p.map(decimalsOf))).toBeLessThanOrEqual(4);
    }
  });
});

describe('countyFeatures', () => {
  it('gives the 21 counties with outlines and the selected County fields', async () => {
    const body = await gw.query<{
      countyFeatures: Collection<{ code: string; name: string; population: number }>;
    }>(
      '{ countyFeatures { type bbox features { type id geometry properties { code name population(year: 2024) } } } }',
    );
    expect(body.errors).toBeUndefined();
    const { type, features } = body.data!.countyFeatures;
    expect(type).toBe('FeatureCollection');
    expect(features.map((f) => f.id)).toEqual([...geography().counties.keys()]);
    for (const f of features) {
      expect(f.type).toBe('Feature');
      for (const p of positionsOf(f.geometry)) expectInSweden(p);
      expect(f.properties).toMatchObject({ code: f.id, name: geography().counties.get(f.id)!.name });
      expect(f.properties.population).toBeGreaterThan(0);
    }
  });

  it("CENTROID puts each county's point inside the outline OUTLINE draws and in one of its municipalities", async () => {
    const body = await gw.query<{
      points: Collection<{ code: string }>;
      outlines: Collection<{ code: string }>;
    }>(`{
      points: countyFeatures(geometry: CENTROID) { features { id geometry } }
      outlines: countyFeatures { features { id geometry } }
    }`);
    expect(body.errors).toBeUndefined();
    const { municipalities, counties } = geography();
    const { points, outlines } = body.data!;
    expect(points.features.map((f) => f.id)).toEqual(outlines.features.map((f) => f.id));
    for (const [i, f] of points.features.entries()) {
      expect(f.geometry.type).toBe('Point');
      const point = f.geometry.coordinates as [number, number];
      expectInSweden(point);
      const outline = outlines.features[i]!.geometry as Polygon | MultiPolygon;
      expect(booleanPointInPolygon(point, outline), `county ${f.id} outline`).toBe(true);
      const inMunicipality = counties
        .get(f.id)!
        .municipalityCodes.some((code) =>
          booleanPointInPolygon(point, municipalities.get(code)!.geometry as Polygon | MultiPolygon),
        );
      expect(inMunicipality, `county ${f.id} municipalities`).toBe(true);
    }
  });
});

describe('bad input', () => {
  it('a bad county code is BAD_USER_INPUT on that field only; a sibling field still answers', async () => {
    const body = await gw.query<{
      bad: Collection<unknown> | null;
      good: Collection<unknown> | null;
      municipality: { name: string };
    }>(`{
      bad: municipalityFeatures(county: "99") { type }
      good: municipalityFeatures(county: "09") { type features { id } }
      municipality(code: "0180") { name }
    }`);
    expect(body.data).toEqual({
      bad: null,
      good: { type: 'FeatureCollection', features: [{ id: '0980' }] },
      municipality: { name: 'Stockholm' },
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ['bad'],
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('"99"'),
    });
    expect(body.errors![0]!.message).toMatch(/01, 03/);
  });

  it.each([
    ['municipalityFeatures(precision: 7)', 'municipalityFeatures'],
    ['countyFeatures(precision: 2)', 'countyFeatures'],
  ])('%s is BAD_USER_INPUT saying the range', async (field, name) => {
    const body = await gw.query(`{ x: ${field} { type } counties { code } }`);
    expect(body.data).toMatchObject({ x: null, counties: expect.any(Array) });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['x'],
        message: expect.stringMatching(new RegExp(`^${name}\\(precision: \\d\\) .*from 3 to 6`)),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });
});
