/**
 * Tolerant parsing of SMHI responses. Inline bodies below are SYNTHETIC: they follow the shapes in
 * shared/agencies/smhi.md §1.3 (metobs) and §7 (IBW), with made-up values.
 */
import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { createTrace, createUpstream } from '../../kit/upstream.ts';
import { createSmhiClient, parseForecast, type SmhiClient } from '../../subgraphs/smhi/client.ts';
import { WEATHER_SYMBOLS, weatherSymbol } from '../../subgraphs/smhi/codes.ts';
import { createLoaders } from '../../subgraphs/smhi/loaders.ts';
import {
  parseLatestHourSet,
  parseObservations,
  parseStationData,
  parseStationList,
} from '../../subgraphs/smhi/metobs.ts';
import { checkWindow, stepsIn } from '../../subgraphs/smhi/resolvers.ts';
import { parseZonedDateTime } from '../../subgraphs/smhi/time.ts';
import { parseWarnings } from '../../subgraphs/smhi/warnings.ts';
import { offlineAgent } from '../helpers/gateway.ts';

const T = Date.parse('2026-11-26T17:00:00Z');

describe('metobs observations', () => {
  it('reads values sent as strings or numbers, and an empty or unparseable string as null', () => {
    expect(
      parseObservations([
        { date: T - 7_200_000, value: '1.4', quality: 'G' },
        { date: T - 3_600_000, value: 2, quality: 'Y' },
        { date: T, value: '', quality: 'Y' },
        { date: String(T + 3_600_000), value: 'n/a', quality: 'O' },
      ]),
    ).toEqual([
      { time: '2026-11-26T15:00:00Z', intervalStart: null, ref: null, value: 1.4, quality: 'G' },
      { time: '2026-11-26T16:00:00Z', intervalStart: null, ref: null, value: 2, quality: 'Y' },
      { time: '2026-11-26T17:00:00Z', intervalStart: null, ref: null, value: null, quality: 'Y' },
      { time: '2026-11-26T18:00:00Z', intervalStart: null, ref: null, value: null, quality: 'O' },
    ]);
  });

  it.each([
    ['null', null],
    ['[]', []],
    ['[null]', [null]],
    ['a missing member', undefined],
  ])('reads value: %s as no observations', (_, value) => {
    expect(parseObservations(value)).toEqual([]);
  });

  it('reads aggregated items with ref/from/to instead of date', () => {
    const from = Date.parse('2018-08-03T00:00:00Z');
    const to = Date.parse('2018-08-04T00:00:00Z');
    expect(parseObservations([{ from, to, ref: '2018-08-03', value: '21.3', quality: 'G' }])).toEqual([
      {
        time: '2018-08-04T00:00:00Z',
        intervalStart: '2018-08-03T00:00:00Z',
        ref: '2018-08-03',
        value: 21.3,
        quality: 'G',
      },
    ]);
  });

  it('sorts oldest first and skips items without any time', () => {
    const values = parseObservations([
      { date: T, value: '2', quality: 'G' },
      { value: '9', quality: 'G' },
      { date: T - 3_600_000, value: '1', quality: 'G' },
    ]);
    expect(values.map((v) => v.value)).toEqual([1, 2]);
  });

  it('parses one station data.json (the third-party-documented shape)', () => {
    const data = parseStationData(
      1,
      '99280',
    )({
      value: [{ date: T, value: '1.4', quality: 'Y' }],
      updated: T,
      parameter: {
        key: '1',
        name: 'Lufttemperatur',
        summary: 'momentanvärde, 1 gång/tim',
        unit: 'degree celsius',
      },
      station: {
        key: '99280',
        name: 'Svenska Högarna A',
        owner: 'SMHI',
        ownerCategory: 'CLIMATE',
        measuringStations: 'CORE',
        height: 6,
      },
      period: {
        key: 'latest-hour',
        from: T - 3_600_000,
        to: T,
        summary: 'Data från senaste timmen',
        sampling: 'Ej angivet',
      },
      position: [
        { from: 0, to: T - 1e10, height: 5, latitude: 59.4, longitude: 19.4 },
        { from: T - 1e10, to: T, height: 6, latitude: 59.4445, longitude: 19.5059 },
      ],
      link: [],
    });
    expect(data.unit).toBe('degree celsius');
    expect(data.period).toBe('latest-hour');
    expect(data.values).toHaveLength(1);
    expect(data.station).toMatchObject({ id: '99280', latitude: 59.4445, longitude: 19.5059, height: 6 });
  });

  it('labels a series with the period asked for when the response does not name it', () => {
    // SYNTHETIC body of the documented shape without its `period` member.
    const data = parseStationData(
      1,
      '98210',
      'latest-day',
    )({ value: null, parameter: { unit: 'degree celsius' } });
    expect(data.period).toBe('latest-day');
    expect(data.values).toEqual([]);
    expect(data.station).toBeNull();
  });

  it('parses the all-stations latest-hour set, keeping stations without a reading as null', () => {
    const set = parseLatestHourSet(1)({
      parameter: { key: '1', name: 'Lufttemperatur', unit: 'degree celsius' },
      period: { key: 'latest-hour', from: T - 3_600_000, to: T, summary: '' },
      link: [],
      station: [
        {
          key: '1',
          name: 'A',
          latitude: 59,
          longitude: 18,
          value: [{ date: T, value: '1.0', quality: 'Y' }],
        },
        { key: '2', name: 'B', latitude: 59, longitude: 18, value: [null] },
        { key: '3', name: 'C', latitude: 59, longitude: 18, value: [] },
        { key: '4', name: 'D', latitude: 59, longitude: 18, value: null },
        { key: '5', name: 'E', latitude: 59, longitude: 18, value: [{ date: T, value: 2.5, quality: 'G' }] },
        {
          key: '6',
          name: 'F',
          latitude: 59,
          longitude: 18,
          // The newest item has no value: the newest one that has one counts.
          value: [
            { date: T - 3_600_000, value: '3.5', quality: 'G' },
            { date: T, value: '', quality: 'G' },
          ],
        },
        { key: '7', name: 'no position', value: [{ date: T, value: '1', quality: 'G' }] },
      ],
    });
    expect(set.updated).toBeNull(); // `updated` is optional in this shape
    expect(set.stations.map((s) => [s.station.id, s.latest?.value ?? null])).toEqual([
      ['1', 1],
      ['2', null],
      ['3', null],
      ['4', null],
      ['5', 2.5],
      ['6', 3.5],
    ]);
    // The reading of the station without a position is kept aside, to be placed by the station list.
    expect(set.unplaced).toEqual([
      { id: '7', name: 'no position', latest: expect.objectContaining({ value: 1 }) },
    ]);
  });

  it('places readings of stations the latest-hour set gives no position for from the station list', async () => {
    // SYNTHETIC: the set's station entries without latitude/longitude (the all-stations shape is
    // UNCONFIRMED in detail); positions come from the parameter's station list.
    const set = parseLatestHourSet(1)({
      station: [
        {
          key: '98210',
          name: 'Stockholm-Observatoriekullen A',
          value: [{ date: T, value: '2.4', quality: 'Y' }],
        },
        { key: '97510', value: [{ date: T, value: '-1.0', quality: 'Y' }] },
        { key: '12345', name: 'Not listed', value: [{ date: T, value: '9', quality: 'Y' }] },
      ],
    });
    expect(set.stations).toEqual([]);
    const list = parseStationList(1)(
      JSON.parse(readFileSync('test/fixtures/smhi/metobs_stations_p1_synthetic.json', 'utf8')),
    );
    const fake: SmhiClient = {
      forecast: async () => null,
      stationList: async () => list,
      stationData: async () => null,
      latestHour: async () => set,
      warnings: async () => [],
    };
    const loaders = createLoaders(fake, createTrace());
    const near = await loaders.nearestReading.load('1|59.3293,18.0686');
    expect(near?.reading.station).toMatchObject({ id: '98210', name: 'Stockholm-Observatoriekullen A' });
    expect(near?.reading.latest.value).toBe(2.4);
    const uppsala = await loaders.nearestReading.load('1|59.8586,17.6389');
    expect(uppsala?.reading.station).toMatchObject({ id: '97510', name: 'Uppsala Aut' });
    expect(uppsala?.reading.latest.value).toBe(-1);
  });

  it('parses the recorded (trimmed) station listing', () => {
    const text = readFileSync('test/fixtures/smhi/metobs_stations_ifk-smhi_http.txt', 'utf8');
    const list = parseStationList(1)(JSON.parse(text.slice(text.indexOf('\n\n') + 2)));
    expect(list.stations).toEqual([
      {
        id: '1',
        name: 'Akalla',
        latitude: 59.5,
        longitude: 17.8,
        owner: 'Icke namngiven ägare',
        ownerCategory: 'NATIONAL',
        measuringStations: 'ADDITIONAL',
        height: 23,
        active: false,
        from: '2013-01-01T00:00:00Z',
        to: '2013-04-30T23:59:59Z',
        parameter: 1,
      },
    ]);
  });
});

describe('metobs client', () => {
  const agents: Array<ReturnType<typeof offlineAgent>> = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) {
      agent.assertNoPendingInterceptors();
      await agent.close();
    }
  });

  it('treats 404 (no data for the period) as null, not as an outage', async () => {
    const agent = offlineAgent();
    agents.push(agent);
    agent
      .get('https://metobs.test')
      .intercept({ path: '/api/version/1.0/parameter/1/station/98210/period/latest-months/data.json' })
      .reply(404, 'Not Found');
    const up = (baseUrl: string) =>
      createUpstream({ agency: 'smhi', baseUrl, cache: new Keyv(), logger: silentLogger, dispatcher: agent });
    const client = createSmhiClient({
      forecast: up('https://forecast.test'),
      metobs: up('https://metobs.test/api/version/1.0'),
      warnings: up('https://warnings.test'),
    });
    await expect(client.stationData(1, '98210', 'latest-months')).resolves.toBeNull();
  });
});

describe('snow1g forecast', () => {
  const recorded = JSON.parse(
    readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
  ) as { timeSeries: Array<{ data: Record<string, number> }> };

  it('maps every recorded key to a named field', () => {
    const forecast = parseForecast(recorded);
    const first = forecast.steps[0]!;
    const data = recorded.timeSeries[0]!.data;
    expect(first).toMatchObject({
      time: '2026-04-02T11:00:00Z',
      intervalStart: '2026-04-02T10:00:00Z',
      airTemperature: data['air_temperature'],
      windSpeed: data['wind_speed'],
      windDirection: data['wind_from_direction'],
      windGust: data['wind_speed_of_gust'],
      relativeHumidity: data['relative_humidity'],
      pressure: data['air_pressure_at_mean_sea_level'],
      visibility: data['visibility_in_air'],
      thunderProbability: data['thunderstorm_probability'],
      frozenPrecipitationProbability: data['probability_of_frozen_precipitation'],
      cloudCover: data['cloud_area_fraction'],
      lowCloudCover: data['low_type_cloud_area_fraction'],
      mediumCloudCover: data['medium_type_cloud_area_fraction'],
      highCloudCover: data['high_type_cloud_area_fraction'],
      precipitationMean: data['precipitation_amount_mean'],
      precipitationMeanDeterministic: data['precipitation_amount_mean_deterministic'],
      precipitationMin: data['precipitation_amount_min'],
      precipitationMax: data['precipitation_amount_max'],
      precipitationMedian: data['precipitation_amount_median'],
      precipitationProbability: data['probability_of_precipitation'],
      precipitationType: data['predominant_precipitation_type_at_surface'],
      symbol: data['symbol_code'],
    });
    expect(forecast.point).toEqual({ longitude: 16.158549, latitude: 58.577821 });
    expect(forecast.steps).toHaveLength(83);
  });

  it('maps the sentinels to null per field only', () => {
    const forecast = parseForecast({
      createdTime: '2026-04-02T11:01:32Z',
      referenceTime: '2026-04-02T10:45:00Z',
      geometry: { type: 'Point', coordinates: [18, 59] },
      timeSeries: [
        {
          time: '2026-04-02T11:00:00Z',
          intervalParametersStartTime: '2026-04-02T10:00:00Z',
          data: {
            air_temperature: -9,
            cloud_base_altitude: 9999,
            cloud_top_altitude: -8,
            precipitation_frozen_part: -9,
            some_new_key: 1,
          },
        },
      ],
    });
    expect(forecast.steps[0]).toMatchObject({
      airTemperature: -9, // a real temperature, not a sentinel
      cloudBase: null,
      cloudTop: null,
      frozenPrecipitationPercent: null,
      windSpeed: null, // missing keys are tolerated
    });
  });

  it('reads codes sent as strings or as whole floats, and a non-integer code as null (the schema says Int)', () => {
    // SYNTHETIC steps of the recorded shape with drifting types.
    const forecast = parseForecast({
      timeSeries: [
        {
          time: '2026-04-02T11:00:00Z',
          data: { symbol_code: '6', predominant_precipitation_type_at_surface: 1.0, air_temperature: '2.5' },
        },
        {
          time: '2026-04-02T12:00:00Z',
          data: { symbol_code: 6.5, predominant_precipitation_type_at_surface: 'snö', air_temperature: null },
        },
      ],
    });
    expect(forecast.steps.map((s) => [s.symbol, s.precipitationType, s.airTemperature])).toEqual([
      [6, 1, 2.5],
      [null, null, null],
    ]);
  });

  it('names all 27 weather symbols in Swedish and English', () => {
    expect(WEATHER_SYMBOLS).toHaveLength(27);
    expect(weatherSymbol(1)).toEqual({ code: 1, sv: 'Klart', en: 'Clear sky' });
    expect(weatherSymbol(27)).toEqual({ code: 27, sv: 'Ymnigt snöfall', en: 'Heavy snowfall' });
    expect(weatherSymbol(28)).toBeNull();
    expect(new Set(WEATHER_SYMBOLS.map((s) => s.en)).size).toBe(27);
  });
});

describe('IBW warnings', () => {
  it('keeps unknown level codes (UNKNOWN + raw code), optional end and missing English', () => {
    const [warning] = parseWarnings([
      {
        id: 1,
        normalProbability: false,
        event: { sv: 'Höga flöden', en: 'High flows', code: 'HIGH_FLOWS' },
        descriptions: [],
        warningAreas: [
          {
            id: 7,
            approximateStart: '2026-04-20T22:00:00.000Z',
            approximateEnd: '2026-04-22T06:00:00.000Z',
            published: '2026-04-20T10:00:00.000Z',
            areaName: { sv: 'Norra Lappland' },
            warningLevel: { sv: 'Lila', en: 'Purple', code: 'PURPLE' },
            affectedAreas: [],
            descriptions: [],
            area: {
              type: 'Feature',
              geometry: {
                type: 'MultiPolygon',
                coordinates: [
                  [
                    [
                      [20, 67],
                      [21, 67],
                      [21, 68],
                      [20, 67],
                    ],
                  ],
                ],
              },
              properties: {},
            },
          },
          { id: 8, warningLevel: { code: 'yellow' }, areaName: { sv: 'X', en: 'X' }, area: null },
        ],
      },
    ]);
    const [purple, yellow] = warning!.areas;
    expect(purple).toMatchObject({
      level: 'UNKNOWN',
      warningLevel: { code: 'PURPLE', sv: 'Lila', en: 'Purple' },
      areaName: { sv: 'Norra Lappland', en: null },
      approximateStart: '2026-04-20T22:00:00Z',
      approximateEnd: '2026-04-22T06:00:00Z',
    });
    expect(purple!.geometry?.type).toBe('MultiPolygon');
    expect(yellow).toMatchObject({ level: 'YELLOW', approximateEnd: null, geometry: null });
  });

  it('accepts an empty list', () => {
    expect(parseWarnings([])).toEqual([]);
  });
});

describe('forecast time window arguments', () => {
  it('accepts real calendar dates with any zone, refuses impossible ones', () => {
    expect(parseZonedDateTime('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(parseZonedDateTime('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseZonedDateTime('2026-04-31T12:00+02:00')).toBeNull();
    expect(parseZonedDateTime('2026-04-02T12:00:00')).toBeNull(); // no zone
    // Swedish DST starts 2026-03-29 01:00Z: 02:30 CET (+01:00) and 03:30 CEST (+02:00) are both 01:30Z.
    expect(parseZonedDateTime('2026-03-29T02:30:00+01:00')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(parseZonedDateTime('2026-03-29T03:30:00+0200')).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });

  it('counts `hours` in real hours across the DST change (SMHI steps are UTC)', () => {
    // SYNTHETIC run: hourly steps from 2026-03-28T22:00Z, across the night Sweden moves to CEST.
    const forecast = parseForecast({
      timeSeries: Array.from({ length: 8 }, (_, i) => ({
        time: new Date(Date.UTC(2026, 2, 28, 22 + i)).toISOString(),
        data: { air_temperature: i },
      })),
    });
    // 01:00 local (CET) to 04:00 local (CEST) is two real hours: 00:00Z and 01:00Z.
    const window = checkWindow({ from: '2026-03-29T01:00:00+01:00', to: '2026-03-29T04:00:00+02:00' });
    expect(stepsIn(forecast, window).map((s) => s.time)).toEqual([
      '2026-03-29T00:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T02:00:00Z',
    ]);
    const three = stepsIn(forecast, checkWindow({ from: '2026-03-29T01:00:00+01:00', hours: 3 }));
    expect(three.map((s) => s.time)).toEqual([
      '2026-03-29T00:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T02:00:00Z',
    ]);
  });

  it('tolerates an empty run and a run without geometry', () => {
    const empty = parseForecast({ createdTime: '2026-04-02T11:01:32Z', geometry: null, timeSeries: [] });
    expect(empty).toMatchObject({ point: null, steps: [] });
    expect(stepsIn(empty, checkWindow({}))).toEqual([]);
  });
});
