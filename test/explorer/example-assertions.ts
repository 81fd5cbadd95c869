import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * What each example in `schema/examples/` must answer in snapshot mode, keyed by file name (without
 * `.graphql`). Adding an example? Add an entry here: `examples.test.ts` fails for an example without
 * one. Assert the values the snapshot gives (names, codes, recorded numbers), not just shapes.
 */
export const exampleAssertions: Record<string, (data: Record<string, unknown>) => void> = {
  'municipality-at-a-glance': (data) => {
    expect(data).toMatchObject({
      municipality: {
        code: '0180',
        name: 'Stockholm',
        county: { code: '01', name: 'Stockholms län' },
      },
    });
    const m = data['municipality'] as { centroid: { latitude: number; longitude: number }; forecast: Step[] };
    // The representative point the snapshot has a recording for.
    expect(m.centroid).toEqual({ latitude: 59.322029, longitude: 17.99689 });
    expect(m.forecast).toHaveLength(6);
    expectRecordedSteps(m.forecast, ['airTemperature', 'windSpeed']);
  },

  'weather-at-a-place': (data) => {
    expect(data).toMatchObject({
      place: {
        latitude: 59.3293,
        longitude: 18.0686,
        municipality: { code: '0180', name: 'Stockholm', county: { name: 'Stockholms län' } },
        municipalityMatch: { method: 'INSIDE', distanceKm: 0 },
      },
    });
    const forecast = (data['place'] as { forecast: Step[] }).forecast;
    expect(forecast).toHaveLength(3);
    expectRecordedSteps(forecast, ['airTemperature', 'windSpeed', 'windGust', 'relativeHumidity']);
  },

  'municipalities-of-a-county': (data) => {
    const county = data['county'] as { code: string; name: string; municipalities: Municipality[] };
    expect(county.code).toBe('03');
    expect(county.name).toBe('Uppsala län');
    // Uppsala län has eight municipalities, ordered by code.
    expect(county.municipalities).toHaveLength(8);
    expect(county.municipalities[0]).toEqual({ code: '0305', name: 'Håbo' });
    expect(county.municipalities).toContainEqual({ code: '0380', name: 'Uppsala' });
    expect(county.municipalities.map((m) => m.code)).toEqual(
      [...county.municipalities.map((m) => m.code)].sort(),
    );
  },
};

interface Municipality {
  code: string;
  name: string;
}
type Step = Record<string, unknown> & { time: string };

/** The SMHI recording every snapshot forecast point replays (see snapshot/manifest/smhi.json). */
const recorded = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };

const PARAMETER: Record<string, string> = {
  airTemperature: 'air_temperature',
  windSpeed: 'wind_speed',
  windGust: 'wind_speed_of_gust',
  relativeHumidity: 'relative_humidity',
};

function expectRecordedSteps(steps: Step[], fields: string[]) {
  steps.forEach((step, i) => {
    const source = recorded.timeSeries[i]!;
    expect(step.time).toBe(source.time);
    for (const field of fields)
      expect(step[field], `${field} at ${step.time}`).toBe(source.data[PARAMETER[field]!]);
  });
}
