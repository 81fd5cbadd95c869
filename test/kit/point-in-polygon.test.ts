/**
 * Our point-in-polygon (kit/geo.ts), which decides every coordinate's municipality, checked against
 * an independent implementation (turf's booleanPointInPolygon) on every one of the 290 municipality
 * outlines: its reference point, points on a grid over its bounding box (inside, outside, in holes
 * and enclaves), and the 21 county outlines likewise.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { bboxOf, type Polygonal, pointInPolygon, polygonsOf } from '../../kit/geo.ts';
import { geography } from '../../kit/sweden.ts';

/** Points of a GRID × GRID lattice over the geometry's bounding box, offset from exact vertices. */
const GRID = 12;
function gridPoints(geometry: Polygonal): Array<[number, number]> {
  const box = bboxOf(geometry);
  const points: Array<[number, number]> = [];
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      points.push([
        box.minLon + ((i + 0.37) / GRID) * (box.maxLon - box.minLon),
        box.minLat + ((j + 0.61) / GRID) * (box.maxLat - box.minLat),
      ]);
    }
  }
  return points;
}

function disagreements(geometry: Polygonal, points: Array<[number, number]>) {
  const feature = { type: 'Feature' as const, properties: {}, geometry: geometry as never };
  return points.filter(
    ([lon, lat]) => pointInPolygon(geometry, lon, lat) !== booleanPointInPolygon([lon, lat], feature),
  );
}

describe('point in polygon, against turf', () => {
  const { municipalities, counties } = geography();

  it('agrees on every municipality: its reference point and a grid over its bounding box', () => {
    expect(municipalities.size).toBe(290);
    let compared = 0;
    let inside = 0;
    const wrong: string[] = [];
    for (const m of municipalities.values()) {
      const geometry = m.geometry;
      const points: Array<[number, number]> = [
        [m.centroid.longitude, m.centroid.latitude],
        ...gridPoints(geometry),
      ];
      compared += points.length;
      inside += points.filter(([lon, lat]) => pointInPolygon(geometry, lon, lat)).length;
      for (const [lon, lat] of disagreements(geometry, points))
        wrong.push(`${m.code} ${m.name}: ${lon},${lat}`);
    }
    expect(wrong).toEqual([]);
    // The grid really tests both answers: many points inside, many outside.
    expect(compared).toBe(290 * (GRID * GRID + 1));
    expect(inside).toBeGreaterThan(compared / 5);
    expect(compared - inside).toBeGreaterThan(compared / 5);
  });

  it('agrees on every county outline', () => {
    const wrong: string[] = [];
    for (const c of counties.values()) {
      if (!c.geometry) continue;
      for (const [lon, lat] of disagreements(c.geometry as Polygonal, gridPoints(c.geometry as Polygonal)))
        wrong.push(`${c.code}: ${lon},${lat}`);
    }
    expect(wrong).toEqual([]);
  });

  it('holes count as outside (a municipality with an enclave: points in the hole)', () => {
    const withHoles = [...municipalities.values()].filter((m) =>
      polygonsOf(m.geometry as Polygonal).some((rings) => rings.length > 1),
    );
    // The embedded outlines do have holes (enclaves of a neighbour); test each hole's grid points.
    expect(withHoles.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    let inHoles = 0;
    for (const m of withHoles) {
      for (const rings of polygonsOf(m.geometry as Polygonal)) {
        for (const hole of rings.slice(1)) {
          const holeGeometry: Polygonal = { type: 'Polygon', coordinates: [hole] };
          for (const [lon, lat] of gridPoints(holeGeometry)) {
            if (!pointInPolygon(holeGeometry, lon, lat)) continue;
            inHoles += 1;
            const feature = { type: 'Feature' as const, properties: {}, geometry: m.geometry as never };
            if (
              pointInPolygon(m.geometry as Polygonal, lon, lat) !== booleanPointInPolygon([lon, lat], feature)
            )
              wrong.push(`${m.code}: ${lon},${lat}`);
          }
        }
      }
    }
    expect(inHoles).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
