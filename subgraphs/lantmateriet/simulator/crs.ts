import proj4 from 'proj4';
import { SWEREF99TM, type Sweref } from '../coords.ts';

/**
 * Coordinate systems the simulated Direkt APIs accept: SWEREF 99 TM (EPSG:3006) and the twelve local
 * SWEREF 99 zones EPSG:3007–3018 (reference §1.5). Each local zone is a Transverse Mercator with scale
 * 1 and false easting 150 000 m on its own central meridian (EPSG registry: "SWEREF99 12 00" …
 * "SWEREF99 23 15"; the zone's name is its central meridian in degrees and minutes).
 */
const LOCAL_ZONES: Record<number, number> = {
  3007: 12,
  3008: 13.5,
  3009: 15,
  3010: 16.5,
  3011: 18,
  3012: 14.25,
  3013: 15.75,
  3014: 17.25,
  3015: 18.75,
  3016: 20.25,
  3017: 21.75,
  3018: 23.25,
};

for (const [code, lon0] of Object.entries(LOCAL_ZONES)) {
  proj4.defs(
    `EPSG:${code}`,
    `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs`,
  );
}

/** True for the SRIDs the Direkt APIs take (3006–3018). */
export function isSwerefSrid(srid: number): boolean {
  return srid === 3006 || LOCAL_ZONES[srid] !== undefined;
}

type Converter = proj4.Converter;
const converters = new Map<number, Converter>();
function converter(srid: number): Converter {
  let c = converters.get(srid);
  if (!c) {
    c = proj4('EPSG:4326', srid === 3006 ? SWEREF99TM : `EPSG:${srid}`);
    converters.set(srid, c);
  }
  return c;
}

/** WGS84 → a SWEREF 99 projection (`srid` 3006–3018), metres. */
export function projectTo(srid: number, latitude: number, longitude: number): Sweref {
  const [e, n] = converter(srid).forward([longitude, latitude]) as [number, number];
  return { n, e };
}

/** A SWEREF 99 projection → WGS84. */
export function unprojectFrom(srid: number, p: Sweref): { latitude: number; longitude: number } {
  const [longitude, latitude] = converter(srid).inverse([p.e, p.n]) as [number, number];
  return { latitude, longitude };
}

/** Metres, rounded to millimetres as coordinates usually are in Lantmäteriet's answers. */
export const mm = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * A Direkt API SRID parameter: absent → `fallback`; a SWEREF 99 code → it; anything else → an error
 * text in Lantmäteriet's wording ("Reference system not supported: 4326", reference §2.4, §6).
 */
export function parseSrid(raw: string | null, fallback: number): { srid: number } | { error: string } {
  if (raw === null || raw.trim() === '') return { srid: fallback };
  const code = Number(raw.trim().replace(/^(?:urn:ogc:def:crs:)?EPSG:{1,2}/i, ''));
  if (Number.isInteger(code) && isSwerefSrid(code)) return { srid: code };
  return {
    error: `Reference system not supported: ${raw.trim().replace(/^(?:urn:ogc:def:crs:)?EPSG:{1,2}/i, '')}`,
  };
}
