import proj4 from 'proj4';

/**
 * WGS84 ⇄ SWEREF 99 TM (EPSG:3006), the national grid Lantmäteriet and SGU store their data in.
 * SWEREF 99 TM is UTM zone 33 on GRS80; SWEREF 99 agrees with WGS84 at centimetre level, so no datum
 * shift is applied (agencies/README.md, axis-order table). One proj4 converter for the whole graph.
 */
export const SWEREF99TM = 'EPSG:3006';
export const SWEREF99TM_PROJ4 = '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';
proj4.defs(SWEREF99TM, SWEREF99TM_PROJ4);
const converter = proj4('EPSG:4326', SWEREF99TM);

/** A SWEREF 99 TM position in metres: `n` northing, `e` easting. Named so the axes cannot be mixed up. */
export interface Sweref {
  n: number;
  e: number;
}

/** WGS84 decimal degrees → SWEREF 99 TM metres. */
export function toSweref(latitude: number, longitude: number): Sweref {
  const [e, n] = converter.forward([longitude, latitude]) as [number, number];
  return { n, e };
}

/** SWEREF 99 TM metres → WGS84 decimal degrees. */
export function toWgs84(p: Sweref): { latitude: number; longitude: number } {
  const [longitude, latitude] = converter.inverse([p.e, p.n]) as [number, number];
  return { latitude, longitude };
}
