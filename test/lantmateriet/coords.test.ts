import { describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import {
  directPointParam,
  fromCrs84,
  fromOgc3006,
  isPlausibleSweref,
  markhojdBody,
  SWEREF_RANGE,
  swerefFromEitherOrder,
  toSweref,
  toWgs84,
} from '../../subgraphs/lantmateriet/coords.ts';

/**
 * An independent implementation of WGS84 → SWEREF 99 TM: Krüger's series for the Gauss conformal
 * projection as Lantmäteriet publishes them (GRS80, central meridian 15°, scale 0.9996, false easting
 * 500 000). It shares no code with proj4, so agreement to the millimetre checks our proj4 set-up.
 */
function krugerForward(latDeg: number, lonDeg: number): { n: number; e: number } {
  const a = 6_378_137;
  const f = 1 / 298.257222101;
  const k0 = 0.9996;
  const e2 = f * (2 - f);
  const n = f / (2 - f);
  const aRoof = (a / (1 + n)) * (1 + n ** 2 / 4 + n ** 4 / 64);
  const A = e2;
  const B = (5 * e2 ** 2 - e2 ** 3) / 6;
  const C = (104 * e2 ** 3 - 45 * e2 ** 4) / 120;
  const D = (1237 * e2 ** 4) / 1260;
  const b1 = n / 2 - (2 * n ** 2) / 3 + (5 * n ** 3) / 16 + (41 * n ** 4) / 180;
  const b2 = (13 * n ** 2) / 48 - (3 * n ** 3) / 5 + (557 * n ** 4) / 1440;
  const b3 = (61 * n ** 3) / 240 - (103 * n ** 4) / 140;
  const b4 = (49561 * n ** 4) / 161280;
  const phi = (latDeg * Math.PI) / 180;
  const dl = ((lonDeg - 15) * Math.PI) / 180;
  const s = Math.sin(phi);
  const phiStar = phi - s * Math.cos(phi) * (A + B * s ** 2 + C * s ** 4 + D * s ** 6);
  const xi = Math.atan(Math.tan(phiStar) / Math.cos(dl));
  const eta = Math.atanh(Math.cos(phiStar) * Math.sin(dl));
  const N =
    k0 *
    aRoof *
    (xi +
      b1 * Math.sin(2 * xi) * Math.cosh(2 * eta) +
      b2 * Math.sin(4 * xi) * Math.cosh(4 * eta) +
      b3 * Math.sin(6 * xi) * Math.cosh(6 * eta) +
      b4 * Math.sin(8 * xi) * Math.cosh(8 * eta));
  const E =
    k0 *
      aRoof *
      (eta +
        b1 * Math.cos(2 * xi) * Math.sinh(2 * eta) +
        b2 * Math.cos(4 * xi) * Math.sinh(4 * eta) +
        b3 * Math.cos(6 * xi) * Math.sinh(6 * eta) +
        b4 * Math.cos(8 * xi) * Math.sinh(8 * eta)) +
    500_000;
  return { n: N, e: E };
}

const POINTS: Array<[string, number, number]> = [
  ['Stockholm, Sergels torg', 59.3293, 18.0686],
  ['Abisko', 68.3486, 18.8257],
  ['Smygehuk (south)', 55.3374, 13.3592],
  ['Treriksröset (north)', 69.0599, 20.5487],
  ['Haparanda (east)', 65.8355, 24.1368],
  ['Strömstad (west)', 58.9363, 11.1712],
];

describe('WGS84 → SWEREF 99 TM (EPSG:3006)', () => {
  it('puts Stockholm at about N 6 580 000, E 674 000', () => {
    const p = toSweref(59.3293, 18.0686);
    expect(Math.abs(p.n - 6_580_000)).toBeLessThan(2_000);
    expect(Math.abs(p.e - 674_000)).toBeLessThan(1_000);
  });

  it.each(POINTS)('agrees with an independent Krüger implementation to 1 mm at %s', (_name, lat, lon) => {
    const ours = toSweref(lat, lon);
    const reference = krugerForward(lat, lon);
    expect(Math.abs(ours.n - reference.n)).toBeLessThan(0.001);
    expect(Math.abs(ours.e - reference.e)).toBeLessThan(0.001);
  });

  it('maps the central meridian 15° E to the false easting 500 000', () => {
    expect(toSweref(62, 15).e).toBeCloseTo(500_000, 6);
  });

  it('keeps every municipality centroid in the plausible range (E 200 000–1 000 000, N 6 100 000–7 700 000)', () => {
    for (const m of geography().municipalities.values()) {
      const p = toSweref(m.centroid.latitude, m.centroid.longitude);
      expect(isPlausibleSweref(p), `${m.code} ${m.name} → ${JSON.stringify(p)}`).toBe(true);
      expect(p.n).toBeGreaterThan(p.e);
    }
    expect(SWEREF_RANGE).toEqual({ minE: 200_000, maxE: 1_000_000, minN: 6_100_000, maxN: 7_700_000 });
  });
});

describe('SWEREF 99 TM → WGS84', () => {
  it.each(POINTS)('round-trips %s to better than 1e-9° and 1 mm', (_name, lat, lon) => {
    const p = toSweref(lat, lon);
    const back = toWgs84(p);
    expect(Math.abs(back.latitude - lat)).toBeLessThan(1e-9);
    expect(Math.abs(back.longitude - lon)).toBeLessThan(1e-9);
    const again = toSweref(back.latitude, back.longitude);
    expect(Math.abs(again.n - p.n)).toBeLessThan(0.001);
    expect(Math.abs(again.e - p.e)).toBeLessThan(0.001);
  });

  it('converts a SWEREF point back to Stockholm', () => {
    const { latitude, longitude } = toWgs84({ n: 6_580_743, e: 674_572 });
    expect(latitude).toBeCloseTo(59.3293, 4);
    expect(longitude).toBeCloseTo(18.0686, 4);
  });
});

describe('axis order per API', () => {
  const p = { n: 6_580_743, e: 674_572 };

  it('Direkt point parameters (koordinater=, Ortnamn punkt) are "northing,easting"', () => {
    expect(directPointParam(p)).toBe('6580743,674572');
  });

  it('the Markhöjd POST body is a MultiPoint with a crs member and [E, N] positions', () => {
    expect(markhojdBody([p, { n: 7_586_619, e: 657_438 }])).toEqual({
      type: 'MultiPoint',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
      coordinates: [
        [674_572, 6_580_743],
        [657_438, 7_586_619],
      ],
    });
  });

  it('OGC API Features output with crs 3006 is [N, E]', () => {
    // The real test payload of Fastighetsindelning (reference §2.3): LILLA EDET ATTLERED 1:7.
    const q = fromOgc3006([6_435_049.763, 335_110.696]);
    expect(q).toEqual({ n: 6_435_049.763, e: 335_110.696 });
    expect(isPlausibleSweref(q)).toBe(true);
    const { latitude, longitude } = toWgs84(q);
    // Lilla Edet lies on the Göta älv, north of Gothenburg.
    expect(latitude).toBeGreaterThan(57.9);
    expect(latitude).toBeLessThan(58.3);
    expect(longitude).toBeGreaterThan(12);
    expect(longitude).toBeLessThan(12.4);
  });

  it('OGC API Features default CRS84 is [lon, lat]', () => {
    expect(fromCrs84([18.0686, 59.3293])).toEqual({ latitude: 59.3293, longitude: 18.0686 });
  });

  it('tells N from E by size where the order is undocumented, and rejects implausible pairs', () => {
    expect(swerefFromEitherOrder([674_572, 6_580_743])).toEqual(p);
    expect(swerefFromEitherOrder([6_580_743, 674_572])).toEqual(p);
    expect(swerefFromEitherOrder([18.0686, 59.3293])).toBeNull();
    expect(swerefFromEitherOrder(['x', 1])).toBeNull();
  });
});
