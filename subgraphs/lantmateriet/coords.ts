/**
 * WGS84 ⇄ SWEREF 99 TM (EPSG:3006, the kit's converter) and the axis order each Lantmäteriet API
 * expects. SWEREF 99 agrees with WGS84 at centimetre level, so no datum shift is applied (reference §3).
 */
import type { Sweref } from '../../kit/sweref.ts';

export { SWEREF99TM, SWEREF99TM_PROJ4, type Sweref, toSweref, toWgs84 } from '../../kit/sweref.ts';

/** Plausible SWEREF 99 TM values in Sweden (reference §3); N is always the larger number. */
export const SWEREF_RANGE = { minE: 200_000, maxE: 1_000_000, minN: 6_100_000, maxN: 7_700_000 } as const;

export function isPlausibleSweref(p: Sweref): boolean {
  return (
    p.e >= SWEREF_RANGE.minE &&
    p.e <= SWEREF_RANGE.maxE &&
    p.n >= SWEREF_RANGE.minN &&
    p.n <= SWEREF_RANGE.maxN
  );
}

/** Whole metres: plenty for names, addresses and a 1–2 m elevation grid, and stable cache keys. */
export function roundSweref(p: Sweref): Sweref {
  return { n: Math.round(p.n), e: Math.round(p.e) };
}

/** Direkt APIs' point parameters (`koordinater=`, Ortnamn `/punkt`): "northing,easting". */
export function directPointParam(p: Sweref): string {
  return `${p.n},${p.e}`;
}

/** Markhöjd POST body: a MultiPoint with a `crs` member, positions **[E, N]**. */
export function markhojdBody(points: readonly Sweref[]): {
  type: 'MultiPoint';
  crs: { type: 'name'; properties: { name: string } };
  coordinates: Array<[number, number]>;
} {
  return {
    type: 'MultiPoint',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
    coordinates: points.map((p) => [p.e, p.n]),
  };
}

/** OGC API Features output with `crs=…/EPSG/0/3006`: positions are **[N, E]**. */
export function fromOgc3006(position: readonly number[]): Sweref {
  return { n: Number(position[0]), e: Number(position[1]) };
}

/** OGC API Features default output (CRS84): positions are [lon, lat]. */
export function fromCrs84(position: readonly number[]): { latitude: number; longitude: number } {
  return { longitude: Number(position[0]), latitude: Number(position[1]) };
}

/**
 * A SWEREF 99 TM pair whose axis order is not documented (Ortnamn `placering`, Belägenhetsadress
 * geometry: UNCONFIRMED). In Sweden N (6.1–7.7 million) is always larger than E (0.2–1 million), so
 * the order can be told from the values. Returns null when neither order is plausible.
 */
export function swerefFromEitherOrder(position: readonly unknown[]): Sweref | null {
  const a = Number(position[0]);
  const b = Number(position[1]);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const p = a > b ? { n: a, e: b } : { n: b, e: a };
  return isPlausibleSweref(p) ? p : null;
}
