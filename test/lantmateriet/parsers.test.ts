import { describe, expect, it } from 'vitest';
import {
  alignElevations,
  parseAddressFeatures,
  parseAddressReferences,
  parseBoundary,
  parseElevations,
  parsePlaceNames,
} from '../../subgraphs/lantmateriet/client.ts';
import { fixture } from './harness.ts';

/** Parsers are tolerant where the reference says UNCONFIRMED (placement shape, axis order, response wrapper). */
describe('Ortnamn parser', () => {
  it('flattens name × placement from the synthetic fixture', () => {
    const rows = parsePlaceNames(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json'));
    expect(rows.map((r) => [r.name, r.type, r.municipalityCode, r.countyCode])).toEqual([
      ['Abisko', 'Bebyggelse', '2584', '25'],
      ['Abisko', 'Anläggning', '2584', '25'],
      ['Abisko', 'Anläggning', '2584', '25'],
    ]);
  });

  it('accepts bare Point placements in either axis order, numeric codes, and skips what it cannot place', () => {
    const rows = parsePlaceNames({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: null,
          properties: {
            namn: 'Stockholm',
            namntyp: 'Tätort',
            kommunkod: 180,
            lankod: 1,
            placering: [
              { type: 'Point', coordinates: [6_580_743, 674_572] },
              { type: 'Point', coordinates: [674_572, 6_580_743] },
              { type: 'Point', coordinates: [18.07, 59.33] },
              { note: 'no point here' },
            ],
          },
        },
        { type: 'Feature', geometry: null, properties: { namntyp: 'Bebyggelse' } },
      ],
    });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(rows[1]);
    expect(rows[0]).toMatchObject({
      name: 'Stockholm',
      municipalityCode: '0180',
      countyCode: '01',
      language: null,
    });
    expect(rows[0]!.latitude).toBeCloseTo(59.3293, 3);
    expect(rows[0]!.longitude).toBeCloseTo(18.0686, 3);
  });

  it('falls back to the feature geometry when there is no placering', () => {
    const rows = parsePlaceNames({
      features: [
        { geometry: { type: 'Point', coordinates: [657_633, 7_586_731] }, properties: { namn: 'Abisko' } },
      ],
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.latitude).toBeCloseTo(68.3495, 3);
  });

  it('rejects a body that is not a FeatureCollection', () => {
    expect(() => parsePlaceNames('Fault')).toThrow(/expected an object/);
  });
});

describe('Markhöjd parser', () => {
  const points = [
    { e: 674_572, n: 6_580_743 },
    { e: 657_438, n: 7_586_619 },
  ];

  it('reads [E, N, Z] from a Feature, a bare geometry or a FeatureCollection', () => {
    const coordinates = [
      [674_572, 6_580_743, 27.345],
      [657_438, 7_586_619, -9999],
    ];
    for (const body of [
      { type: 'Feature', geometry: { type: 'MultiPoint', coordinates }, properties: { nodatavalue: -9999 } },
      { type: 'MultiPoint', coordinates },
      {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'MultiPoint', coordinates } }],
      },
    ]) {
      expect(alignElevations(points, parseElevations(body))).toEqual([27.35, null]);
    }
  });

  it('honours a stated nodatavalue and matches by position when the counts differ', () => {
    const response = parseElevations({
      geometry: { coordinates: [[657_438, 7_586_619, -32768]] },
      properties: { nodatavalue: -32768 },
    });
    expect(alignElevations(points, response)).toEqual([null, null]);
    const partial = parseElevations({ geometry: { coordinates: [[657_438.2, 7_586_618.9, 388.4]] } });
    expect(alignElevations(points, partial)).toEqual([null, 388.4]);
  });
});

describe('administrativ indelning parser', () => {
  const square = [
    [
      [17.8, 59.2],
      [18.2, 59.2],
      [18.2, 59.4],
      [17.8, 59.2],
    ],
  ];

  it('takes the feature with the asked code, not just the first', () => {
    const body = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [[[0, 0]]] },
          properties: { kommunkod: '0181' },
        },
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: square },
          properties: { kommunkod: '0180' },
        },
      ],
    };
    expect(parseBoundary(body, 'kommunkod', '0180')).toEqual({ type: 'Polygon', coordinates: square });
    // Features of other codes only: the filter was not applied, an answer to another question.
    expect(() => parseBoundary(body, 'kommunkod', '0182')).toThrow(
      /asked for kommunkod 0182, got 2 feature\(s\) of other codes \(0181, 0180\)/,
    );
    // No feature at all: Lantmäteriet has no outline for the code.
    expect(parseBoundary({ type: 'FeatureCollection', features: [] }, 'kommunkod', '0180')).toBeNull();
  });

  it('rejects a geometry that is not polygonal', () => {
    expect(() =>
      parseBoundary(
        { features: [{ geometry: { type: 'Point', coordinates: [18, 59] }, properties: { lanskod: '01' } }] },
        'lanskod',
        '01',
      ),
    ).toThrow(/Polygon or MultiPolygon/);
  });
});

describe('Belägenhetsadress parsers', () => {
  it('reads references and features; postnummer is an integer', () => {
    expect(parseAddressReferences(fixture('belagenhetsadress_v4.2_referens_fritext_synthetic.json'))).toEqual(
      [
        { id: '00000000-0000-4000-8000-000000000001', label: 'Stockholm Exempelgatan 12B 11122 Stockholm' },
        { id: '00000000-0000-4000-8000-000000000002', label: 'Stockholm Exempelgatan 14 11122 Stockholm' },
      ],
    );
    const rows = parseAddressFeatures(fixture('belagenhetsadress_v4.2_features_synthetic.json'));
    expect(rows[1]).toMatchObject({
      label: 'Exempelgatan 14, 111 22 Stockholm',
      letter: null,
      postalCode: '11122',
    });
  });

  it('keeps an address without a point, and pads a short postal code', () => {
    const rows = parseAddressFeatures({
      features: [
        {
          id: 'x',
          geometry: null,
          properties: {
            adressplatsattribut: {
              adressplatsbeteckning: { adressplatsnummer: 3 },
              postnummer: 1234,
              postort: 'Ort',
            },
            gardsadressomrade: { faststalltNamn: 'Gården' },
          },
        },
      ],
    });
    expect(rows).toEqual([
      {
        id: 'x',
        label: 'Gården 3, 012 34 Ort',
        street: 'Gården',
        number: '3',
        letter: null,
        postalCode: '01234',
        postalTown: 'Ort',
        municipalityCode: null,
        latitude: null,
        longitude: null,
        distanceMeters: null,
      },
    ]);
  });
});
