/**
 * The geometry helpers behind the map layers (kit/geo.ts): coordinates rounded without leaving
 * invalid rings, and the area-weighted centre of polygons with holes and of several polygons.
 */
import { describe, expect, it } from 'vitest';
import { areaCentroid, type Polygonal, roundPolygonal } from '../../kit/geo.ts';

const square = (x: number, y: number, size: number, clockwise = false): number[][] => {
  const ring = [
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
    [x, y],
  ];
  return clockwise ? ring.reverse() : ring;
};

describe('roundPolygonal', () => {
  it('rounds every position and keeps positions that fall together once', () => {
    const geometry: Polygonal = {
      type: 'Polygon',
      coordinates: [
        [
          [18.1234567, 59.1234567],
          [18.2234567, 59.1234567],
          [18.2234599, 59.1234599], // the same as the previous one at 4 decimals
          [18.2234567, 59.2234567],
          [18.1234567, 59.1234567],
        ],
      ],
    };
    expect(roundPolygonal(geometry, 4)).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [18.1235, 59.1235],
          [18.2235, 59.1235],
          [18.2235, 59.2235],
          [18.1235, 59.1235],
        ],
      ],
    });
  });

  it('drops a hole and a polygon that shrink below a ring, and keeps the rest', () => {
    const geometry: Polygonal = {
      type: 'MultiPolygon',
      coordinates: [[square(18, 59, 1), square(18.5, 59.5, 0.0001, true)], [square(20, 60, 0.0002)]],
    };
    expect(roundPolygonal(geometry, 3)).toEqual({ type: 'MultiPolygon', coordinates: [[square(18, 59, 1)]] });
    expect(roundPolygonal(geometry, 5)).toEqual(geometry);
  });

  it('is null when nothing is left', () => {
    expect(roundPolygonal({ type: 'Polygon', coordinates: [square(18, 59, 0.0001)] }, 3)).toBeNull();
  });
});

describe('areaCentroid', () => {
  it('is the middle of a square, whichever way its ring winds', () => {
    expect(areaCentroid([{ type: 'Polygon', coordinates: [square(10, 50, 2)] }])).toEqual([11, 51]);
    expect(areaCentroid([{ type: 'Polygon', coordinates: [square(10, 50, 2, true)] }])).toEqual([11, 51]);
  });

  it('subtracts holes and weighs polygons by area', () => {
    // A 4×4 square with a 2×2 hole in its left half: the centre moves right.
    const holed = areaCentroid([
      { type: 'Polygon', coordinates: [square(0, 0, 4), square(0.5, 1, 2, true)] },
    ])!;
    // (16 · 2 − 4 · 1.5) / 12 = 26/12 in x; y stays 2.
    expect(holed[0]).toBeCloseTo(26 / 12, 12);
    expect(holed[1]).toBeCloseTo(2, 12);
    // A 1×1 and a 3×3 square: the centre lies nine times closer to the larger one.
    const [x, y] = areaCentroid([
      { type: 'Polygon', coordinates: [square(0, 0, 1)] },
      { type: 'MultiPolygon', coordinates: [[square(10, 0, 3)]] },
    ])!;
    expect(x).toBeCloseTo((1 * 0.5 + 9 * 11.5) / 10, 12);
    expect(y).toBeCloseTo((1 * 0.5 + 9 * 1.5) / 10, 12);
  });

  it('is null for polygons without area', () => {
    expect(
      areaCentroid([
        {
          type: 'Polygon',
          coordinates: [
            [
              [1, 1],
              [2, 2],
              [1, 1],
            ],
          ],
        },
      ]),
    ).toBeNull();
  });
});
