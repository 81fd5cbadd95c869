/**
 * Groundwater monitoring stations (`stationer`) and their level series (`nivaer`).
 *
 * Stations: a few per municipality for all 290, grouped in areas (`platsbeteckning` = area_pipe,
 * like SGU's "95_2"), at seeded positions inside the municipality's outline (kit/data). The stations
 * of the repository's fixtures keep their ids, names and positions (test/fixtures/sgu/): 74_3, 74_7
 * and 81_2 in Stockholm, 95_2 "Lagga_2" in Knivsta (a real id and name), 96_4, 96_9 and 97_1 (no
 * position) in Uppsala. Everything else is synthetic.
 *
 * Levels: one reading per day from automatic loggers, two a month where the station is read by hand,
 * from the first date of the series up to the simulator clock (readings become visible once they
 * have been "uploaded"), modelled as mean depth − seasonal cycle (spring high in the south, early
 * summer high after snowmelt in the north) − slow multi-year swings − trend + seeded noise.
 * Any reading is computed from its index: a series of 10 000 readings is never materialised.
 */
import { pointInPolygon } from '../../../kit/geo.ts';
import { geography, type MunicipalityRecord, round6 } from '../../../kit/sweden.ts';
import { groundElevation, municipalitiesInOrder } from './geology.ts';
import { areaKm2, toSweref } from './geometry.ts';
import { between, round, seedOf, stream, unit } from './random.ts';

const DAY = 86_400_000;
const YEAR = 365.2425 * DAY;
const T2000 = Date.UTC(2000, 0, 1);

/** Manual readings are uploaded about three days after they are taken; logger data the next night. */
const MANUAL_LAG = 3 * DAY;
const AUTO_LAG = 20 * 60 * 60_000;
/** Readings newer than this carry the remark below (not yet checked by SGU). */
const PRELIMINARY_DAYS = 90;
export const PRELIMINARY_REMARK = 'Preliminärt värde';

interface Series {
  /** First month with manual readings (months since 1970-01), and how many months of them. */
  manualStartMonth: number;
  manualMonths: number;
  /** Epoch day of the first daily logger reading; null for a station read by hand only. */
  autoStartDay: number | null;
  /** Last instant with readings (a discontinued station), or null. */
  end: number | null;
  seed: number;
  meanDepth: number;
  amplitude: number;
  peak: number;
  autumn: number;
  trend: number;
  swings: Array<[number, number, number]>;
  noise: number;
}

export interface Station {
  /** Position in `rowid` order (GeoServer's natural order); keys the level row ids. */
  ordinal: number;
  id: string;
  rowid: number;
  name: string;
  municipality: MunicipalityRecord;
  /** Position; `hidden` stations are published with `geometry: null`. */
  lon: number;
  lat: number;
  hidden: boolean;
  /** Static attributes in SGU's property order (tdat is added per request). */
  attributes: Record<string, string | number | null>;
  pipeHeight: number;
  referenceLevel: number;
  series: Series;
}

/** Stations of the repository's fixtures: kept where they are (ids, names, positions). */
const FIXTURE_STATIONS: ReadonlyArray<{
  id: string;
  rowid: number;
  name: string;
  position: [number, number] | null;
  municipality: string;
  refniva: number;
  akvifer: 'JS' | 'JÖ';
  jordart: 'MN' | 'SA' | 'SG';
  automatic: boolean;
}> = [
  {
    id: '95_2',
    rowid: 4086,
    name: 'Lagga_2',
    position: [17.80412311, 59.72108462],
    municipality: '0330',
    refniva: 31.56,
    akvifer: 'JS',
    jordart: 'MN',
    automatic: true,
  },
  {
    id: '74_3',
    rowid: 9101,
    name: 'Bromma (syntetisk)',
    position: [17.94155011, 59.34212874],
    municipality: '0180',
    refniva: 18.42,
    akvifer: 'JS',
    jordart: 'MN',
    automatic: true,
  },
  {
    id: '74_7',
    rowid: 9102,
    name: 'Farsta (syntetisk)',
    position: [18.09211467, 59.24318802],
    municipality: '0180',
    refniva: 41.07,
    akvifer: 'JÖ',
    jordart: 'SA',
    automatic: false,
  },
  {
    id: '81_2',
    rowid: 9103,
    name: 'Hässelby (syntetisk)',
    position: [17.83772034, 59.3680539],
    municipality: '0180',
    refniva: 22.9,
    akvifer: 'JS',
    jordart: 'MN',
    automatic: true,
  },
  {
    id: '96_4',
    rowid: 9201,
    name: 'Uppsala Luthagen (syntetisk)',
    position: [17.62381907, 59.8661723],
    municipality: '0380',
    refniva: 11.02,
    akvifer: 'JÖ',
    jordart: 'SG',
    automatic: true,
  },
  {
    id: '96_9',
    rowid: 9202,
    name: 'Gamla Uppsala (syntetisk)',
    position: [17.63095402, 59.89802156],
    municipality: '0380',
    refniva: 20.4,
    akvifer: 'JS',
    jordart: 'MN',
    automatic: false,
  },
  {
    id: '97_1',
    rowid: 9203,
    name: 'Dold position (syntetisk)',
    position: null,
    municipality: '0380',
    refniva: 24.31,
    akvifer: 'JS',
    jordart: 'MN',
    automatic: false,
  },
];
const RESERVED_AREAS = new Set([74, 81, 95, 96, 97]);

/** Codes and texts as the stationer collection gives them (the ones the fixtures show). */
const AQUIFER_TEXT = { JS: 'Sluten akvifer i jord', JÖ: 'Öppen akvifer i jord' } as const;
const SOIL_TEXT = { MN: 'Morän', SA: 'Sand', SG: 'Isälvssediment' } as const;
const AREA_SUFFIX = ['', ' norra', ' södra'];

let catalogue: { list: Station[]; byId: Map<string, Station> } | undefined;

/** All stations, in `rowid` order (built once per process, ~1 200 stations). */
export function stations(): { list: Station[]; byId: Map<string, Station> } {
  if (catalogue) return catalogue;
  const list: Omit<Station, 'ordinal'>[] = [];
  let area = 1;
  let rowid = 10_001;
  for (const m of municipalitiesInOrder()) {
    const s = stream(seedOf(`sgu:stations:${m.code}`));
    const size = areaKm2(m.geometry);
    const areas = Math.min(3, 1 + (size > 2500 ? 1 : 0) + (s() < 0.25 ? 1 : 0));
    for (let a = 0; a < areas; a++) {
      while (RESERVED_AREAS.has(area)) area++;
      const centre = randomPointIn(m, s);
      const pipes = 2 + Math.floor(s() * 3);
      let pipe = 0;
      for (let p = 0; p < pipes; p++) {
        pipe += s() < 0.3 ? 2 : 1;
        const primary = a === 0 && p === 0;
        const pos = nearPointIn(m, centre, s);
        const id = `${area}_${pipe}`;
        list.push(
          build({
            id,
            rowid: rowid++,
            name: `${m.name}${AREA_SUFFIX[a] ?? ''}_${pipe} (syntetisk)`,
            municipality: m,
            lon: pos[0],
            lat: pos[1],
            hidden: !primary && unit(seedOf(id), 1) < 0.02,
            primary,
            fixture: null,
          }),
        );
      }
      area++;
    }
  }
  const munis = geography().municipalities;
  for (const f of FIXTURE_STATIONS) {
    const m = munis.get(f.municipality)!;
    const [lon, lat] = f.position ?? [m.centroid.longitude, m.centroid.latitude];
    list.push(
      build({
        id: f.id,
        rowid: f.rowid,
        name: f.name,
        municipality: m,
        lon,
        lat,
        hidden: f.position === null,
        primary: false,
        fixture: f,
      }),
    );
  }
  list.sort((a, b) => a.rowid - b.rowid);
  const full = list.map((s, ordinal) => ({ ...s, ordinal }));
  catalogue = { list: full, byId: new Map(full.map((s) => [s.id, s])) };
  return catalogue;
}

function randomPointIn(m: MunicipalityRecord, s: () => number): [number, number] {
  const { minLon, minLat, maxLon, maxLat } = m.bbox;
  for (let i = 0; i < 200; i++) {
    const lon = between(s(), minLon, maxLon);
    const lat = between(s(), minLat, maxLat);
    if (pointInPolygon(m.geometry, lon, lat)) return [lon, lat];
  }
  return [m.centroid.longitude, m.centroid.latitude];
}

/** A pipe within about 1.5 km of its area's centre, inside the municipality. */
function nearPointIn(m: MunicipalityRecord, centre: [number, number], s: () => number): [number, number] {
  const kx = 111.32 * Math.cos((centre[1] * Math.PI) / 180);
  for (let i = 0; i < 20; i++) {
    const lon = centre[0] + ((s() - 0.5) * 3) / kx;
    const lat = centre[1] + ((s() - 0.5) * 3) / 110.574;
    if (pointInPolygon(m.geometry, lon, lat)) return [round(lon, 8), round(lat, 8)];
  }
  return [round(centre[0], 8), round(centre[1], 8)];
}

function build(x: {
  id: string;
  rowid: number;
  name: string;
  municipality: MunicipalityRecord;
  lon: number;
  lat: number;
  hidden: boolean;
  primary: boolean;
  fixture: (typeof FIXTURE_STATIONS)[number] | null;
}): Omit<Station, 'ordinal'> {
  const seed = seedOf(`sgu:station:${x.id}`);
  const s = stream(seed);
  const f = x.fixture;
  const akvifer = f?.akvifer ?? (s() < 0.4 ? 'JÖ' : 'JS');
  const jordart = f?.jordart ?? (akvifer === 'JS' ? 'MN' : s() < 0.6 ? 'SG' : 'SA');
  const soilDepth = round(akvifer === 'JÖ' ? between(s(), 5, 30) : between(s(), 2, 12), 1);
  const pipeHeight = round(between(s(), 0.2, 1.0), 2);
  const ground = groundElevation(x.lat, x.lon, s());
  const referenceLevel = f?.refniva ?? round(ground + pipeHeight, 2);
  const meanDepth = akvifer === 'JÖ' ? between(s(), 2.5, 8) : between(s(), 1.2, 4);
  const pipeLength = round(Math.min(soilDepth, meanDepth + between(s(), 1.5, 6)) + pipeHeight, 1);
  // A pipe that ends above the bedrock only tells that the soil is deeper than the pipe (">").
  const reachesRock = pipeLength - pipeHeight >= soilDepth - 0.05;
  const fdatYear = f ? 1975 : 1966 + Math.floor(s() * 47);
  const fdatMonth = f ? 3 : Math.floor(s() * 12);
  const automatic = f ? f.automatic : s() < 0.65;
  const autoYear = Math.max(fdatYear + 1, 2004 + Math.floor(s() * 17));
  const discontinued = !x.primary && !f && s() < 0.04;
  const endYear = 2004 + Math.floor(s() * 18);
  const swingsRng = stream(seed, 9);
  const north = Math.min(1, Math.max(0, (x.lat - 58) / 6));
  const amplitude = akvifer === 'JÖ' ? between(s(), 0.15, 0.6) : between(s(), 0.35, 1.1);
  const series: Series = {
    manualStartMonth: (fdatYear - 1970) * 12 + fdatMonth,
    manualMonths: automatic ? (autoYear - fdatYear) * 12 - fdatMonth : 12 * 400,
    autoStartDay: automatic ? Math.floor(Date.UTC(autoYear, 0, 1) / DAY) : null,
    end: discontinued ? Date.UTC(endYear, Math.floor(s() * 12), 10) : null,
    seed,
    meanDepth: Math.max(meanDepth, amplitude + 0.4),
    amplitude,
    // Day of the year with the highest level: late March in the south, early June after snowmelt up north.
    peak: (82 + 70 * north + (akvifer === 'JÖ' ? 25 : 0)) / 365.25,
    autumn: 0.12 + 0.25 * north,
    trend: between(s(), -0.012, 0.012),
    swings: [3.1, 5.7, 11.3].map((period) => [
      period,
      between(swingsRng(), 0.04, 0.16),
      swingsRng() * Math.PI * 2,
    ]),
    noise: automatic ? 0.015 : 0.03,
  };
  const position = x.hidden ? null : toSweref(x.lon, x.lat);
  const county = geography().counties.get(x.municipality.countyCode);
  const inGroundwaterBody = x.primary || f !== null || s() < (akvifer === 'JÖ' ? 0.9 : 0.5);
  const sweref = toSweref(x.lon, x.lat);
  return {
    id: x.id,
    rowid: x.rowid,
    name: x.name,
    municipality: x.municipality,
    lon: round6(x.lon),
    lat: round6(x.lat),
    hidden: x.hidden,
    pipeHeight,
    referenceLevel,
    series,
    attributes: {
      rowid: x.rowid,
      platsbeteckning: x.id,
      obsplatsnamn: x.name,
      provplatsid: null,
      fdat: `${fdatYear}-${String(fdatMonth + 1).padStart(2, '0')}-01`,
      tdat: null,
      refniva: referenceLevel,
      hojdmetod: 'Avvägning',
      hojdsystem: 'RH 2000',
      rorhojd: pipeHeight,
      rorlangd: pipeLength,
      akvifer,
      akvifer_tx: AQUIFER_TEXT[akvifer],
      jordart,
      jordart_tx: SOIL_TEXT[jordart],
      genes_jord: 'GL',
      genes_jord_tx: 'Glacial',
      jord_ovan_jord: null,
      jord_ovan_jord_tx: null,
      jorddjup: reachesRock ? soilDepth : round(pipeLength - pipeHeight, 1),
      tecken_jorddjup: reachesRock ? null : '>',
      idiam: s() < 0.5 ? 50.0 : 52.0,
      brunnsmtrl: 'PEH',
      brunnsmtrl_tx: 'Plast (PEH)',
      borrhalslutning: null,
      sillangd: [0.5, 1.0, 2.0][Math.floor(s() * 3)] ?? 1.0,
      geohylag: 'I',
      geohylag_tx: 'Inströmningsområde',
      kommunkod: x.municipality.code,
      kommun: x.municipality.name,
      lanskod: x.municipality.countyCode,
      lan: county?.name ?? null,
      // Synthetic ids in the "SE<6 digits>-<6 digits>" form of Swedish water body ids.
      eucd_gwb: inGroundwaterBody
        ? `SE${Math.floor(sweref.n / 10)}-${String(Math.floor(sweref.e / 10)).padStart(6, '0')}`
        : null,
      n: position ? round(position.n, 0) : null,
      e: position ? round(position.e, 0) : null,
      symbol_magasin: null,
      symbol_paverkan: null,
      stationsanmarkning: null,
      kommentar: null,
    },
  };
}

const monthStart = (month: number) => Date.UTC(1970 + Math.floor(month / 12), month % 12, 1);

/** Instant of reading k of a series. */
export function readingTime(series: Series, k: number): number {
  const manual = series.manualMonths * 2;
  if (k < manual) {
    const month = series.manualStartMonth + Math.floor(k / 2);
    const day = (k % 2 === 0 ? 1 : 16) + Math.floor(unit(series.seed, k, 1) * 4);
    const hour = 7 + Math.floor(unit(series.seed, k, 2) * 4);
    const minute = 15 * Math.floor(unit(series.seed, k, 3) * 4);
    return monthStart(month) + (day - 1) * DAY + hour * 3_600_000 + minute * 60_000;
  }
  return ((series.autoStartDay ?? 0) + (k - manual)) * DAY + 6 * 3_600_000;
}

const isManual = (series: Series, k: number) => k < series.manualMonths * 2;

/** When reading k (taken at t) reaches the database (its `lastupdate`). */
function uploadTime(series: Series, k: number, t = readingTime(series, k)): number {
  if (isManual(series, k)) return Math.floor((t + MANUAL_LAG) / DAY) * DAY + 2 * 3_600_000;
  return t + AUTO_LAG; // logger readings are taken at 06:00 and arrive at 02:00 the next night
}

const MAX_READINGS = 2 * 12 * 400;

/** Smallest k in [0, hi] for which `pred` holds (pred monotone false → true); hi when none. */
function firstWhere(hi: number, pred: (k: number) => boolean): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const seriesLength = (series: Series) =>
  series.autoStartDay === null ? series.manualMonths * 2 : series.manualMonths * 2 + MAX_READINGS * 10;

/** How many readings exist at `now` (uploaded, and before the end of a discontinued series). */
export function visibleCount(series: Series, now: number): number {
  const lag = (k: number) =>
    uploadTime(series, k) > now || (series.end !== null && readingTime(series, k) > series.end);
  return firstWhere(seriesLength(series), lag);
}

/** Index of the first reading at or after `t` (strictly after when `inclusive` is false). */
export function firstReadingFrom(series: Series, t: number, inclusive: boolean): number {
  return firstWhere(seriesLength(series), (k) =>
    inclusive ? readingTime(series, k) >= t : readingTime(series, k) > t,
  );
}

/** Depth of the groundwater below the ground surface at reading k (m). */
function depthAt(series: Series, k: number, t: number): number {
  const years = (t - T2000) / YEAR;
  const phase = years - Math.floor(years);
  const seasonal =
    series.amplitude * Math.cos(2 * Math.PI * (phase - series.peak)) +
    series.amplitude * series.autumn * Math.cos(4 * Math.PI * (phase - series.peak - 0.05));
  let swings = 0;
  for (const [period, amp, shift] of series.swings)
    swings += amp * Math.sin((2 * Math.PI * years) / period + shift);
  const noise = (unit(series.seed, k, 4) - 0.5) * 2 * series.noise;
  return Math.max(0.03, series.meanDepth - seasonal - swings - series.trend * years + noise);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Properties of reading k of a station, in SGU's order (`nivaer`). */
export function readingProperties(
  station: Station,
  k: number,
  now: number,
): Record<string, string | number | null> {
  const series = station.series;
  const t = readingTime(series, k);
  const belowGround = round(depthAt(series, k, t), 2);
  const belowPipeTop = round(belowGround + station.pipeHeight, 2);
  return {
    rowid: levelRowId(station, k),
    platsbeteckning: station.id,
    obsdatum: iso(t),
    grundvattenniva_m_urok: belowPipeTop,
    grundvattenniva_m_o_h: round(station.referenceLevel - belowPipeTop, 2),
    grundvattenniva_m_u_markyta: belowGround,
    metod_for_matning: isManual(series, k) ? 'Manuell' : 'Automatisk',
    nivaanmarkning: t > now - PRELIMINARY_DAYS * DAY ? PRELIMINARY_REMARK : null,
    lastupdate: iso(uploadTime(series, k, t)),
  };
}

/** Row ids of levels: the station's ordinal and the reading's index (decodable for `/items/{id}`). */
export const levelRowId = (station: Station, k: number) => (station.ordinal + 1) * 100_000 + k + 1;

export function levelOfRowId(rowid: number): { station: Station; k: number } | null {
  const station = stations().list[Math.floor(rowid / 100_000) - 1];
  const k = (rowid % 100_000) - 1;
  return station && k >= 0 ? { station, k } : null;
}

/** The station's attributes at `now`: `tdat` is the date of its last visible reading. */
export function stationAttributes(station: Station, now: number): Record<string, string | number | null> {
  const count = visibleCount(station.series, now);
  const tdat = count > 0 ? iso(readingTime(station.series, count - 1)).slice(0, 10) : null;
  return { ...station.attributes, tdat };
}
