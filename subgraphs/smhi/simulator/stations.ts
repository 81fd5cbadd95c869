/**
 * The simulated metobs station network.
 *
 * - **Recorded:** Akalla (id 1), exactly as in the recorded station listing and station document
 *   (`metobs_stations_ifk-smhi_http.txt`, `metobs_periods_ifk-smhi_http.txt`): inactive since 2013.
 * - **From the test fixtures:** seven Stockholm-area stations of `test/fixtures/smhi/
 *   metobs_stations_p1_synthetic.json` — SMHI's ids and names (Stockholm-Observatoriekullen A 98210,
 *   Bromma, Arlanda, Tullinge A, Svenska Högarna A, Uppsala Aut, the closed "Stockholm" 98230) with
 *   the fixture's approximate coordinates, heights and dates (not checked against SMHI's list).
 * - **Synthetic:** one automatic station near the representative point of every municipality
 *   (from `kit/sweden.ts`) that has no automatic station within 10 km yet, named "<municipality> A";
 *   for some municipalities a manual precipitation station ("<municipality>") and a closed
 *   historical station ("<municipality>-<suffix>"). Offsets, ids (SMHI-like: rising northward),
 *   heights (the synthetic terrain), owners, dates and measured parameters come from a seeded PRNG.
 */
import { pointInPolygon } from '../../../kit/geo.ts';
import { seededRandom } from '../../../kit/simulator.ts';
import { geography } from '../../../kit/sweden.ts';
import { elevationM } from './weather.ts';

export interface StationDef {
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  height: number;
  owner: string;
  ownerCategory: string;
  measuringStations: 'CORE' | 'ADDITIONAL';
  active: boolean;
  /** Start of operation, epoch ms. */
  from: number;
  /** End of operation for closed stations (epoch ms); null = reporting up to now. */
  to: number | null;
  /** `updated` for closed stations (the recording's value for Akalla). */
  updated: number | null;
  parameters: ReadonlySet<number>;
  origin: 'recorded' | 'fixture' | 'synthetic';
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * What every automatic station measures: the seven parameters of `currentWeather` (temperature,
 * wind direction, speed and gust, humidity, hourly precipitation, pressure), so that every place in
 * Sweden has readings within 50 km, and their aggregates.
 */
const AUTO_BASE = [1, 2, 3, 4, 6, 7, 9, 19, 20, 21, 22, 25, 26, 27, 39];
const PRECIPITATION_GAUGE = [5, 14, 15, 23, 38];
const AIRPORT_LIKE = [12, 13, 16, ...range(28, 37)];
const RADIATION = [10, 11, 24];
const MANUAL = [5, 8, 17, 18, 23];
const HISTORICAL = [1, 2, 19, 20, 22, 26, 27];

const FULL_AUTO = new Set([...AUTO_BASE, ...PRECIPITATION_GAUGE, ...AIRPORT_LIKE, 8]);

/** Akalla as recorded, and the fixture's Stockholm-area stations. */
const FIXED: StationDef[] = [
  {
    id: 1,
    name: 'Akalla',
    latitude: 59.5,
    longitude: 17.8,
    height: 23.0,
    owner: 'Icke namngiven ägare',
    ownerCategory: 'NATIONAL',
    measuringStations: 'ADDITIONAL',
    active: false,
    from: 1356998400000,
    to: 1367366399000,
    updated: 1367366399000,
    parameters: new Set([1]),
    origin: 'recorded',
  },
  ...(
    [
      [98210, 'Stockholm-Observatoriekullen A', 59.3417, 18.0549, 43.1, 844128000000, [...RADIATION]],
      [97200, 'Stockholm-Bromma Flygplats', 59.3537, 17.9513, 14.0, 852076800000, []],
      [97400, 'Stockholm-Arlanda Flygplats', 59.6502, 17.9475, 37.0, 820454400000, []],
      [97100, 'Tullinge A', 59.1787, 17.9092, 46.7, 1117584000000, []],
      [99280, 'Svenska Högarna A', 59.4445, 19.5059, 6.0, 815184000000, []],
      [97510, 'Uppsala Aut', 59.8471, 17.632, 41.0, 473385600000, [...RADIATION]],
    ] as const
  ).map(
    ([id, name, latitude, longitude, height, from, extra]): StationDef => ({
      id,
      name,
      latitude,
      longitude,
      height,
      owner: 'SMHI',
      ownerCategory: 'CLIMATE',
      measuringStations: 'CORE',
      active: true,
      from,
      to: null,
      updated: null,
      parameters: new Set([...FULL_AUTO, ...extra]),
      origin: 'fixture',
    }),
  ),
  {
    id: 98230,
    name: 'Stockholm',
    latitude: 59.342,
    longitude: 18.0575,
    height: 44.0,
    owner: 'SMHI',
    ownerCategory: 'CLIMATE',
    measuringStations: 'ADDITIONAL',
    active: false,
    from: -3502828800000,
    to: 1546300800000,
    updated: 1546300800000,
    parameters: new Set([...HISTORICAL, 5, 23]),
    origin: 'fixture',
  },
];

const SUFFIXES = ['Bruk', 'Kyrkby', 'Hamn', 'Gård', 'Säteri', 'Mosse', 'Udde', 'Berg'];
const KM_PER_DEG = 111.2;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const dy = (a.latitude - b.latitude) * KM_PER_DEG;
  const dx = (a.longitude - b.longitude) * KM_PER_DEG * Math.cos((a.latitude * Math.PI) / 180);
  return Math.hypot(dx, dy);
}

/** The station network, built once (deterministic: the same on every run and machine). */
export function buildStations(): StationDef[] {
  const stations = [...FIXED];
  const names = new Set(stations.map((s) => s.name));
  const ids = new Set(stations.map((s) => s.id));
  const autos = stations.filter((s) => s.active && s.parameters.has(1));

  const newId = (lat: number, lon: number) => {
    const band = Math.max(50, Math.round(52 + (lat - 55.6) * 10.6));
    let id = band * 1000 + (Math.abs(Math.round((lon - 10.5) * 37)) % 100) * 10;
    while (ids.has(id)) id += 10;
    ids.add(id);
    return id;
  };

  for (const m of geography().municipalities.values()) {
    const rng = seededRandom(`smhi-stations|${m.code}`);
    // A point near the representative point, inside the municipality when possible.
    const near = (minKm: number, maxKm: number) => {
      for (let attempt = 0; attempt < 6; attempt++) {
        const angle = rng() * 2 * Math.PI;
        const km = minKm + rng() * (maxKm - minKm);
        const latitude = round4(m.centroid.latitude + (km * Math.cos(angle)) / KM_PER_DEG);
        const longitude = round4(
          m.centroid.longitude +
            (km * Math.sin(angle)) / (KM_PER_DEG * Math.cos((m.centroid.latitude * Math.PI) / 180)),
        );
        if (pointInPolygon(m.geometry, longitude, latitude)) return { latitude, longitude };
      }
      return { latitude: round4(m.centroid.latitude), longitude: round4(m.centroid.longitude) };
    };
    const heightAt = (p: { latitude: number; longitude: number }) =>
      Math.round((elevationM(p.latitude, p.longitude) + rng() * 8) * 10) / 10;
    const year = (from: number, span: number) =>
      Date.UTC(from + Math.floor(rng() * span), Math.floor(rng() * 12), 1 + Math.floor(rng() * 28));

    // An automatic station, unless one already stands within 10 km.
    const autoAt = near(0.5, 6);
    const core = rng() < 0.4;
    const national = rng() < 0.1;
    const params = new Set(AUTO_BASE);
    if (rng() < 0.85) for (const p of PRECIPITATION_GAUGE) params.add(p);
    if (rng() < (core ? 0.6 : 0.1)) for (const p of AIRPORT_LIKE) params.add(p);
    if (rng() < 0.12) for (const p of RADIATION) params.add(p);
    if (rng() < (m.centroid.latitude > 58 ? 0.4 : 0.15)) params.add(8);
    if (rng() < 0.1) params.add(40);
    const autoFrom = year(1990, 30);
    if (!autos.some((s) => distanceKm(s, autoAt) < 10) && !names.has(`${m.name} A`)) {
      const station: StationDef = {
        id: newId(autoAt.latitude, autoAt.longitude),
        name: `${m.name} A`,
        ...autoAt,
        height: heightAt(autoAt),
        owner: national ? 'Icke namngiven ägare' : 'SMHI',
        ownerCategory: national ? 'NATIONAL' : 'CLIMATE',
        measuringStations: core ? 'CORE' : 'ADDITIONAL',
        active: true,
        from: autoFrom,
        to: null,
        updated: null,
        parameters: params,
        origin: 'synthetic',
      };
      stations.push(station);
      autos.push(station);
      names.add(station.name);
    }

    // A manual precipitation station.
    const manualAt = near(3, 15);
    const manualFrom = year(1900, 90);
    const manualParams = new Set(MANUAL);
    if (rng() < 0.2) manualParams.add(40);
    if (rng() < 0.4 && !names.has(m.name)) {
      stations.push({
        id: newId(manualAt.latitude, manualAt.longitude),
        name: m.name,
        ...manualAt,
        height: heightAt(manualAt),
        owner: 'SMHI',
        ownerCategory: 'CLIMATE',
        measuringStations: 'ADDITIONAL',
        active: true,
        from: manualFrom,
        to: null,
        updated: null,
        parameters: manualParams,
        origin: 'synthetic',
      });
      names.add(m.name);
    }

    // A closed historical station.
    const oldAt = near(1, 10);
    const oldName = `${m.name}-${SUFFIXES[Math.floor(rng() * SUFFIXES.length)]}`;
    const oldFrom = year(1880, 60);
    const oldTo = year(1975, 43);
    const oldParams = new Set(HISTORICAL);
    if (rng() < 0.5) for (const p of [5, 23]) oldParams.add(p);
    if (rng() < 0.25 && !names.has(oldName)) {
      stations.push({
        id: newId(oldAt.latitude, oldAt.longitude),
        name: oldName,
        ...oldAt,
        height: heightAt(oldAt),
        owner: 'SMHI',
        ownerCategory: 'CLIMATE',
        measuringStations: 'ADDITIONAL',
        active: false,
        from: oldFrom,
        to: oldTo,
        updated: oldTo,
        parameters: oldParams,
        origin: 'synthetic',
      });
      names.add(oldName);
    }
  }
  return stations;
}
