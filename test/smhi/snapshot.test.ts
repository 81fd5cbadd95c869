/**
 * The SMHI contract query and the README examples, through the real gateway in snapshot mode.
 * Observation values come from the synthetic metobs fixtures (no metobs data.json was ever recorded,
 * see test/fixtures/smhi/README.md); warnings and forecasts are recorded responses.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const CONTRACT_QUERY = `{
  place(latitude: 59.3293, longitude: 18.0686) {
    municipality { code }
    currentWeather { airTemperature observedAt station { id name } }
    weatherWarnings { level }
  }
  weatherStations(activeOnly: true) { id name }
}`;

const warningsFixture = JSON.parse(
  readFileSync('test/fixtures/smhi/warnings_ibw_v1_warning_polygon_single_pysmhi.json', 'utf8'),
) as Array<{
  warningAreas: Array<{ descriptions: Array<{ title: { sv: string }; text: { sv: string; en: string } }> }>;
}>;

describe('SMHI in snapshot mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers the contract query as written', async () => {
    const body = await gw.query(CONTRACT_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      place: {
        municipality: { code: '0180' },
        // Nearest station with an air temperature in the synthetic latest-hour set: 1.6 km away.
        currentWeather: {
          airTemperature: 2.4,
          observedAt: '2026-11-26T17:00:00Z',
          station: { id: '98210', name: 'Stockholm-Observatoriekullen A' },
        },
        // The only recorded warning is for Skåne: nothing covers Sergels torg.
        weatherWarnings: [],
      },
      // Active stations of the listing, by name; the recorded inactive Akalla and the closed 98230 are left out.
      weatherStations: [
        { id: '97400', name: 'Stockholm-Arlanda Flygplats' },
        { id: '97200', name: 'Stockholm-Bromma Flygplats' },
        { id: '98210', name: 'Stockholm-Observatoriekullen A' },
        { id: '99280', name: 'Svenska Högarna A' },
        { id: '97100', name: 'Tullinge A' },
        { id: '97510', name: 'Uppsala Aut' },
      ],
    });
  });

  it('README: current weather takes each parameter from the nearest station that has a value', async () => {
    const body = await gw.query<{
      place: {
        currentWeather: {
          distanceKm: number;
          windSpeed: number;
          observations: Array<{ parameter: { id: number }; value: number; station: { id: string } }>;
        };
      };
    }>(`{ place(latitude: 59.3293, longitude: 18.0686) { currentWeather {
          distanceKm windSpeed pressure
          observations { parameter { id } value station { id } } } } }`);
    expect(body.errors).toBeUndefined();
    const cw = body.data!.place.currentWeather;
    expect(cw.distanceKm).toBeCloseTo(1.58, 1);
    // Observatoriekullen sends `"value": null` for wind: Bromma (7 km) answers instead.
    expect(cw.windSpeed).toBe(3.6);
    expect(cw.observations.map((o) => [o.parameter.id, o.value, o.station.id])).toEqual([
      [1, 2.4, '98210'],
      [4, 3.6, '97200'],
      [3, 230, '97200'],
      [21, 7.2, '97200'],
      [6, 87, '98210'],
      [7, 0, '98210'],
      [9, 1012.4, '98210'],
    ]);
  });

  it('current weather of a municipality (at its representative point) and stations near a place', async () => {
    const body = await gw.query<{
      municipality: {
        currentWeather: { airTemperature: number; station: { id: string }; distanceKm: number };
      };
      place: { weatherStations: Array<{ id: string }> };
    }>(`{ municipality(code: "0180") { currentWeather { airTemperature station { id } distanceKm } }
          place(latitude: 59.3293, longitude: 18.0686) { weatherStations(radiusKm: 10) { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.municipality.currentWeather).toMatchObject({
      airTemperature: 2.4,
      station: { id: '98210' },
    });
    expect(body.data!.municipality.currentWeather.distanceKm).toBeGreaterThan(3);
    // Active stations within 10 km, nearest first (the closed 98230 is 1.5 km away but inactive).
    expect(body.data!.place.weatherStations).toEqual([{ id: '98210' }, { id: '97200' }]);
  });

  it('README: one station, latest day of air temperature', async () => {
    const body = await gw.query<{
      weatherStation: {
        name: string;
        active: boolean;
        location: { municipality: { name: string } };
        observations: { unit: string; period: string; values: unknown[]; latest: Record<string, unknown> };
      };
    }>(`{ weatherStation(id: "98210") { name active location { municipality { name } }
          observations(parameter: 1, period: LATEST_DAY) { unit period values { measuredAt } latest { measuredAt value quality } } } }`);
    expect(body.errors).toBeUndefined();
    const s = body.data!.weatherStation;
    expect(s.name).toBe('Stockholm-Observatoriekullen A');
    expect(s.active).toBe(true);
    expect(s.location.municipality.name).toBe('Stockholm');
    expect(s.observations.unit).toBe('degree celsius');
    expect(s.observations.period).toBe('LATEST_DAY');
    expect(s.observations.values).toHaveLength(24);
    expect(s.observations.latest).toEqual({ measuredAt: '2026-11-26T17:00:00Z', value: 2.4, quality: 'Y' });
  });

  it('README: warnings for Malmö and Skåne with the texts exactly as SMHI published them', async () => {
    const body = await gw.query<{
      municipality: {
        weatherWarnings: Array<{
          level: string;
          event: { code: string; sv: string; en: string };
          areas: Array<{
            startsAt: string;
            endsAt: string | null;
            descriptions: Array<{
              title: { code: string; sv: string; en: string };
              text: { sv: string; en: string };
            }>;
          }>;
        }>;
      };
      skane: { weatherWarnings: Array<{ level: string }> };
      halland: { weatherWarnings: unknown[] };
    }>(`{ municipality(code: "1280") { weatherWarnings { level event { code sv en }
            areas { startsAt endsAt descriptions { title { code sv en } text { sv en } } } } }
          skane: county(code: "12") { weatherWarnings(minLevel: MESSAGE) { level } }
          halland: county(code: "13") { weatherWarnings { level } } }`);
    expect(body.errors).toBeUndefined();
    const [warning] = body.data!.municipality.weatherWarnings;
    expect(warning!.level).toBe('MESSAGE');
    expect(warning!.event).toEqual({
      code: 'WATER_SHORTAGE',
      sv: 'Risk för vattenbrist',
      en: 'Risk for water shortage',
    });
    expect(warning!.areas[0]!.startsAt).toBe('2026-04-20T22:00:00Z');
    expect(warning!.areas[0]!.endsAt).toBeNull();
    // Unaltered: byte-for-byte the recorded texts, newlines included.
    expect(warning!.areas[0]!.descriptions).toEqual(warningsFixture[0]!.warningAreas[0]!.descriptions);
    expect(body.data!.skane.weatherWarnings).toEqual([{ level: 'MESSAGE' }]);
    expect(body.data!.halland.weatherWarnings).toEqual([]);
  });

  it('README: the forecast run behind a municipality forecast, with symbol names', async () => {
    const body = await gw.query<{
      municipality: {
        forecastRun: {
          referenceAt: string;
          createdAt: string;
          gridPoint: { latitude: number; longitude: number };
          stepCount: number;
          steps: Array<Record<string, unknown>>;
        };
      };
    }>(`{ municipality(code: "0180") { forecastRun { referenceAt createdAt gridPoint { latitude longitude }
          stepCount steps(hours: 2) { validAt intervalStartsAt symbol weatherSymbol { sv en } precipitationMean cloudBase } } } }`);
    expect(body.errors).toBeUndefined();
    const run = body.data!.municipality.forecastRun;
    expect(run.referenceAt).toBe('2026-04-02T10:45:00Z');
    expect(run.createdAt).toBe('2026-04-02T11:01:32Z');
    // The recording's own grid point (it was recorded for another point and is replayed here).
    expect(run.gridPoint).toEqual({ latitude: 58.577821, longitude: 16.158549 });
    expect(run.stepCount).toBe(83);
    expect(run.steps[0]).toEqual({
      validAt: '2026-04-02T11:00:00Z',
      intervalStartsAt: '2026-04-02T10:00:00Z',
      symbol: 6,
      weatherSymbol: { sv: 'Mulet', en: 'Overcast' },
      precipitationMean: 0,
      cloudBase: 528,
    });
  });

  it('README: forecast bounded by from/to', async () => {
    const body = await gw.query<{ place: { forecast: Array<{ time: string }> } }>(
      `{ place(latitude: 59.3293, longitude: 18.0686) {
          forecast(from: "2026-04-04T21:00:00Z", to: "2026-04-05T12:00:00Z") { time intervalStart } } }`,
    );
    expect(body.errors).toBeUndefined();
    // Past its 1-h steps the recording has one 2-h step, then 6-h steps; `to` is inclusive.
    expect(body.data!.place.forecast.map((s) => s.time)).toEqual([
      '2026-04-04T21:00:00Z',
      '2026-04-04T22:00:00Z',
      '2026-04-05T00:00:00Z',
      '2026-04-05T06:00:00Z',
      '2026-04-05T12:00:00Z',
    ]);
  });
});
