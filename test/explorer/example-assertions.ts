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
    // SYNTHETIC values from the SCB, SMHI-observation, JobTech and SGU fixtures (see snapshot/README.md).
    expect(data['municipality']).toMatchObject({
      population: 988500,
      currentWeather: { airTemperature: 2.4, station: { name: 'Stockholm-Observatoriekullen A' } },
      jobAds: { totalCount: 187 },
      wellCount: 4862,
    });
    const g = data['municipality'] as {
      jobAds: { nodes: unknown[] };
      groundwaterStations: Array<{ id: string }>;
    };
    expect(g.jobAds.nodes).toHaveLength(3);
    expect(g.groundwaterStations.map((s) => s.id)).toEqual(['74_3', '74_7', '81_2']);
  },

  'weather-at-a-place': (data) => {
    expect(data).toMatchObject({
      location: {
        latitude: 59.3293,
        longitude: 18.0686,
        municipality: { code: '0180', name: 'Stockholm', county: { name: 'Stockholms län' } },
        municipalityMatch: { method: 'INSIDE', distanceKm: 0 },
      },
    });
    const forecast = (data['location'] as { forecast: Step[] }).forecast;
    expect(forecast).toHaveLength(3);
    expectRecordedSteps(forecast, ['airTemperature', 'windSpeed', 'windGust', 'relativeHumidity']);
  },

  'largest-municipalities-and-jobs': (data) => {
    const county = data['county'] as {
      code: string;
      name: string;
      largestMunicipalities: Array<{
        rank: number;
        population: number;
        municipality: {
          code: string;
          name: string;
          jobAdCount: number;
          currentWeather: { airTemperature: number };
        };
      }>;
    };
    expect(county).toMatchObject({ code: '01', name: 'Stockholms län' });
    const ranked = county.largestMunicipalities;
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    // SYNTHETIC populations and counts (test/fixtures/scb, test/fixtures/jobtech): ranked by SCB's figure.
    expect(ranked[0]).toMatchObject({
      population: 988500,
      municipality: { code: '0180', name: 'Stockholm', jobAdCount: 9731 },
    });
    expect(ranked[1]?.municipality).toMatchObject({ code: '0126', name: 'Huddinge' });
    const populations = ranked.map((r) => r.population);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
    for (const r of ranked) expect(r.municipality.code.startsWith('01')).toBe(true);
    expect(ranked[0]?.municipality.currentWeather.airTemperature).toBe(2.4);
  },

  'jobs-and-weather-where-i-am': (data) => {
    const place = data['location'] as {
      municipality: {
        code: string;
        jobAds: {
          totalCount: number;
          nodes: Array<{ id: string; headline: string; publicationStartsAt: string }>;
        };
      };
      currentWeather: { airTemperature: number; station: { id: string; name: string } };
      forecast: Step[];
    };
    expect(place.municipality.code).toBe('0180');
    expect(place.municipality.jobAds.totalCount).toBe(412);
    expect(place.municipality.jobAds.nodes).toHaveLength(5);
    expect(place.municipality.jobAds.nodes[0]).toMatchObject({
      headline: 'Backendutvecklare Java',
      publicationStartsAt: '2024-04-22T09:15:00+02:00',
    });
    expect(place.currentWeather).toMatchObject({
      airTemperature: 2.4,
      station: { id: '98210', name: 'Stockholm-Observatoriekullen A' },
    });
    expect(place.forecast).toHaveLength(3);
    expectRecordedSteps(place.forecast, ['airTemperature']);
  },

  'a-county-as-a-map-layer': (data) => {
    const layer = data['municipalityFeatures'] as {
      type: string;
      bbox: number[];
      features: Array<{
        type: string;
        id: string;
        geometry: { type: string; coordinates: unknown[] };
        properties: { code: string; name: string; population: number; jobAdCount: number };
      }>;
    };
    // Valid GeoJSON as it stands: a FeatureCollection of Features with polygonal geometries.
    expect(layer.type).toBe('FeatureCollection');
    expect(layer.bbox).toHaveLength(4);
    expect(layer.features).toHaveLength(26);
    for (const f of layer.features) {
      expect(f.type).toBe('Feature');
      expect(f.id).toBe(f.properties.code);
      expect(f.id.startsWith('01')).toBe(true);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      expect(f.properties.population).toBeGreaterThan(0);
    }
    // SYNTHETIC population and job counts of the snapshot (test/fixtures/scb, test/fixtures/jobtech).
    expect(layer.features.find((f) => f.id === '0180')?.properties).toEqual({
      code: '0180',
      name: 'Stockholm',
      population: 988500,
      jobAdCount: 9731,
    });
  },

  'groundwater-and-soil-under-a-place': (data) => {
    expect(data).toMatchObject({
      location: {
        municipality: { name: 'Uppsala', county: { name: 'Uppsala län' } },
        soilType: { name: 'Glacial lera' },
        bedrock: { name: 'Granit' },
      },
    });
    const stations = (
      data['location'] as {
        nearestGroundwaterStations: Array<{ distanceKm: number; station: { id: string } }>;
      }
    ).nearestGroundwaterStations;
    expect(stations.length).toBeGreaterThan(0);
    expect(stations[0]?.station.id).toBe('96_4');
    const distances = stations.map((s) => s.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  },

  'a-job-ad-and-its-workplace': (data) => {
    expect(data).toMatchObject({
      jobAd: {
        id: '28746073',
        headline: 'Group Product Manager - Customer Care',
        employer: { name: 'Volvo Personvagnar AB' },
        // The recorded ad's times have no zone: read as Swedish summer time.
        publicationStartsAt: '2024-04-24T14:27:02+02:00',
        applicationClosesAt: '2024-05-08T23:59:59+02:00',
        workplace: {
          municipality: { code: '0180', name: 'Stockholm', population: 988500 },
          // Recorded as [18.06858, 59.329323] = [lon, lat].
          location: { latitude: 59.329323, longitude: 18.06858, currentWeather: { airTemperature: 2.4 } },
        },
      },
    });
  },

  'weather-warnings-in-skane': (data) => {
    const county = data['county'] as {
      name: string;
      weatherWarnings: Array<{ level: string; event: { sv: string; en: string } }>;
    };
    expect(county.name).toBe('Skåne län');
    // The real recorded warning (water shortage in Skåne, published 2026-08-11), texts unaltered.
    expect(county.weatherWarnings).toHaveLength(1);
    expect(county.weatherWarnings[0]).toMatchObject({
      level: 'MESSAGE',
      event: { sv: 'Risk för vattenbrist', en: 'Risk for water shortage' },
    });
    expect(data['municipality']).toMatchObject({ name: 'Malmö', weatherWarnings: [{ level: 'MESSAGE' }] });
  },

  'a-place-in-the-mountains': (data) => {
    const names = data['placeNames'] as Array<{
      name: string;
      location: { latitude: number; longitude: number };
    }>;
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) {
      expect(n.name).toBe('Abisko');
      // SWEREF 99 TM converted to WGS84: Abisko lies near 68.35 N, 18.8 E.
      expect(n.location.latitude).toBeCloseTo(68.35, 1);
      expect(n.location.longitude).toBeCloseTo(18.8, 0);
    }
    // SYNTHETIC elevation (test/fixtures/lantmateriet).
    expect(data['location']).toMatchObject({
      elevation: 812.6,
      municipality: { name: 'Jokkmokk', county: { name: 'Norrbottens län' } },
      weatherWarnings: [],
    });
  },

  'statistics-for-a-municipality': (data) => {
    const page = data['statisticsTablesPage'] as { totalCount: number; nodes: Array<{ id: string }> };
    const tables = page.nodes;
    expect(page.totalCount).toBeGreaterThanOrEqual(tables.length);
    // The real recorded table search for "befolkning".
    expect(tables).toHaveLength(10);
    expect(tables[0]?.id).toBe('TAB4552');
    expect(data['sweden']).toEqual({ population: expect.any(Number) });
    const m = data['municipality'] as {
      name: string;
      populationFigure: { table: string; period: string };
      groundwaterStations: unknown[];
    };
    expect(m.name).toBe('Stockholm');
    // The latest figure comes from the monthly CKM table, not from TAB638 (which ends at 2024).
    expect(m.populationFigure.table).toBe('TAB6471');
    expect(m.populationFigure.period).toMatch(/^\d{4}M\d{2}$/);
    expect(m.groundwaterStations.length).toBeGreaterThan(0);
  },
};

/**
 * Examples that only answer in offline mode (`npm run demo`): no registry answer is in the snapshot.
 * SYNTHETIC counts and titles from the catalog simulator's deterministic catalogue.
 */
export const offlineOnlyAssertions: Record<string, (data: Record<string, unknown>) => void> = {
  'what-sgu-publishes-about-groundwater': (data) => {
    const agency = data['agency'] as {
      name: string;
      datasets: {
        totalCount: number;
        nodes: Array<{
          title: string;
          type: string;
          servedByGraph: boolean;
          graphFields: string[];
          portalUrl: string;
        }>;
        facets: { formats: Array<{ code: string; count: number }> };
      };
      servedByGraph: Array<{ title: string; fields: string[] }>;
    };
    expect(agency.name).toBe('Sveriges geologiska undersökning');
    expect(agency.datasets.totalCount).toBe(24);
    expect(agency.datasets.nodes).toHaveLength(10);
    // The most relevant hit is the groundwater-level dataset the graph serves itself.
    expect(agency.datasets.nodes[0]).toMatchObject({
      title: 'Grundvattennivåer, observerade',
      type: 'DATASET',
      servedByGraph: true,
      graphFields: expect.arrayContaining(['Municipality.groundwaterStations', 'GroundwaterStation.levels']),
    });
    expect(agency.datasets.nodes.filter((n) => !n.servedByGraph).length).toBeGreaterThan(5);
    for (const n of agency.datasets.nodes) {
      expect(n.title.toLowerCase()).toContain('grundvatten');
      expect(n.portalUrl).toMatch(/^https:\/\/www\.dataportal\.se\/sv\/(datasets|dataservice)\/122_\d+$/);
      if (!n.servedByGraph) expect(n.graphFields).toEqual([]);
    }
    expect(agency.datasets.facets.formats[0]).toEqual({ code: 'ZIP', count: 19 });
    expect(agency.servedByGraph.map((r) => r.title)).toContain(
      'Grundvattennivåer, observerade (OGC API Features)',
    );
  },

  'high-value-mobility-datasets-and-apis': (data) => {
    const datasets = data['datasets'] as {
      totalCount: number;
      nodes: Array<{ title: string; publisher: { name: string }; hasApi: boolean; license: string }>;
      facets: { publishers: Array<{ label: string; count: number }> };
    };
    expect(datasets.totalCount).toBe(22);
    expect(datasets.nodes).toHaveLength(10);
    expect(datasets.facets.publishers[0]).toEqual({ label: 'Trafikverket', count: 15 });
    expect(datasets.facets.publishers.reduce((n, p) => n + p.count, 0)).toBe(22);
    expect(datasets.nodes.some((n) => n.hasApi)).toBe(true);
    for (const n of datasets.nodes) expect(n.license).toMatch(/^https?:\/\//);
    const apis = data['apis'] as {
      totalCount: number;
      nodes: Array<{ title: string; endpointUrls: string[] }>;
    };
    expect(apis.totalCount).toBe(4);
    expect(apis.nodes.flatMap((n) => n.endpointUrls)).toContain(
      'https://api.trafikinfo.trafikverket.se/v2/data.json',
    );
  },
};

type Step = Record<string, unknown> & { validAt: string };

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
    expect(step.validAt).toBe(source.time);
    for (const field of fields)
      expect(step[field], `${field} at ${step.validAt}`).toBe(source.data[PARAMETER[field]!]);
  });
}
