/**
 * Parsers for SMHI's meteorological observations API (metobs 1.0): station listings, one station's
 * data for a period, and the all-stations latest-hour data set. Tolerant by design (smhi.md §1.3):
 * values as strings or numbers, `value: null`, `[]`, `[null]`, and aggregated items that carry
 * `ref`/`from`/`to` instead of `date`. Every timestamp leaves here as ISO-8601 UTC.
 */
import {
  expectArray,
  expectObject,
  isObject,
  type Json,
  looseNumber,
  optionalString as str,
} from '../../kit/validate.ts';
import { epochToIso } from './time.ts';

/** A station as listed by SMHI; fields the source did not send are `undefined` (filled lazily). */
export interface StationRecord {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  owner?: string | null;
  ownerCategory?: string | null;
  measuringStations?: string | null;
  height?: number | null;
  active?: boolean | null;
  /** Start of operation, ISO-8601 UTC. */
  from?: string | null;
  /** End of operation (or of the data so far), ISO-8601 UTC. */
  to?: string | null;
  /** The metobs parameter whose listing or data set this record came from. */
  parameter: number;
}

export interface StationList {
  parameter: number;
  /** `updated` of the listing, ISO-8601 UTC. */
  updated: string | null;
  stations: StationRecord[];
}

/** One observation. */
export interface Observation {
  /** When the value was observed: `date`, or for aggregated values the end of the interval (`to`). */
  time: string;
  /** Start of the aggregation interval for `ref`/`from`/`to` items; null for instant values. */
  intervalStart: string | null;
  /** SMHI's reference date of an aggregated value, e.g. "2018-08-03"; null otherwise. */
  ref: string | null;
  value: number | null;
  quality: string | null;
}

export interface StationData {
  parameter: number;
  /** The unit string of the data response, e.g. "degree celsius". */
  unit: string | null;
  parameterName: string | null;
  period: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  updated: string | null;
  station: StationRecord | null;
  /** Oldest first, as SMHI sends them. */
  values: Observation[];
}

/** One station of the all-stations latest-hour data set, with its newest non-null value. */
export interface LatestReading {
  station: StationRecord;
  latest: Observation | null;
}

export interface LatestHourSet {
  parameter: number;
  unit: string | null;
  updated: string | null;
  stations: LatestReading[];
  /**
   * Readings of stations the set gives no position for (its shape is UNCONFIRMED in detail): they
   * can still be placed from the station list of the parameter (`placeReadings`).
   */
  unplaced: Array<{ id: string; name: string | null; latest: Observation }>;
}

/** One `value[]` item; null for `null` items and items without any time. */
export function parseObservation(item: unknown): Observation | null {
  if (!isObject(item)) return null;
  const date = epochToIso(item['date']);
  const from = epochToIso(item['from']);
  const to = epochToIso(item['to']);
  const time = date ?? to;
  if (time === null) return null;
  return {
    time,
    intervalStart: date === null ? from : null,
    ref: str(item['ref']),
    value: looseNumber(item['value']),
    quality: str(item['quality']),
  };
}

/** `value` as `null`, `[]`, `[null]` or a list of items → the observations, oldest first. */
export function parseObservations(value: unknown): Observation[] {
  if (!Array.isArray(value)) return [];
  const out: Observation[] = [];
  for (const item of value) {
    const obs = parseObservation(item);
    if (obs) out.push(obs);
  }
  out.sort((a, b) => a.time.localeCompare(b.time));
  return out;
}

/** The newest observation that carries a numeric value. */
export function latestWithValue(values: readonly Observation[]): Observation | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const obs = values[i]!;
    if (obs.value !== null) return obs;
  }
  return null;
}

function parseStation(entry: Json, parameter: number): StationRecord | null {
  const id = str(entry['key']) ?? str(entry['id']);
  const latitude = looseNumber(entry['latitude']);
  const longitude = looseNumber(entry['longitude']);
  if (id === null || latitude === null || longitude === null) return null;
  const record: StationRecord = {
    id,
    name: str(entry['name']) ?? id,
    latitude,
    longitude,
    parameter,
  };
  if ('owner' in entry) record.owner = str(entry['owner']);
  if ('ownerCategory' in entry) record.ownerCategory = str(entry['ownerCategory']);
  if ('measuringStations' in entry) record.measuringStations = str(entry['measuringStations']);
  if ('height' in entry) record.height = looseNumber(entry['height']);
  if ('active' in entry) record.active = typeof entry['active'] === 'boolean' ? entry['active'] : null;
  if ('from' in entry) record.from = epochToIso(entry['from']);
  if ('to' in entry) record.to = epochToIso(entry['to']);
  return record;
}

/** `GET /parameter/{p}.json` → the stations measuring the parameter. */
export function parseStationList(parameter: number) {
  return (json: unknown): StationList => {
    const root = expectObject(json, 'parameter');
    const stations = expectArray(root['station'] ?? [], 'parameter.station')
      .filter(isObject)
      .map((s) => parseStation(s, parameter))
      .filter((s): s is StationRecord => s !== null);
    return { parameter, updated: epochToIso(root['updated']), stations };
  };
}

/**
 * `GET /parameter/{p}/station/{s}/period/{period}/data.json` → one station's observations. The
 * series is for the period asked for (`requestedPeriod`), whether or not the response names it.
 */
export function parseStationData(parameter: number, stationId: string, requestedPeriod?: string) {
  return (json: unknown): StationData => {
    const root = expectObject(json, 'data');
    const param = isObject(root['parameter']) ? root['parameter'] : {};
    const period = isObject(root['period']) ? root['period'] : {};
    const stationJson = isObject(root['station']) ? root['station'] : null;
    // The data level carries the position history instead of coordinates: take the newest one.
    const positions = Array.isArray(root['position']) ? root['position'].filter(isObject) : [];
    const position = positions
      .slice()
      .sort((a, b) => (looseNumber(a['to']) ?? 0) - (looseNumber(b['to']) ?? 0))
      .at(-1);
    let station: StationRecord | null = null;
    if (stationJson) {
      station = parseStation(
        {
          ...stationJson,
          key: stationJson['key'] ?? stationId,
          latitude: position?.['latitude'],
          longitude: position?.['longitude'],
          height: stationJson['height'] ?? position?.['height'],
        },
        parameter,
      );
    }
    return {
      parameter,
      unit: str(param['unit']),
      parameterName: str(param['name']),
      period: requestedPeriod ?? str(period['key']),
      periodFrom: epochToIso(period['from']),
      periodTo: epochToIso(period['to']),
      updated: epochToIso(root['updated']),
      station,
      values: parseObservations(root['value']),
    };
  };
}

/**
 * The set's readings, those of stations without a position placed by the station list of the same
 * parameter (stations the list does not know either stay out: a reading must have a place).
 */
export function placeReadings(set: LatestHourSet, list: StationList | null): LatestReading[] {
  if (set.unplaced.length === 0 || list === null) return set.stations;
  const listed = new Map(list.stations.map((s) => [s.id, s]));
  const placed = set.unplaced.flatMap(({ id, name, latest }): LatestReading[] => {
    const station = listed.get(id);
    return station ? [{ station: { ...station, name: name ?? station.name }, latest }] : [];
  });
  return [...set.stations, ...placed];
}

/** `GET /parameter/{p}/station-set/all/period/latest-hour/data.json` → every station's latest hour. */
export function parseLatestHourSet(parameter: number) {
  return (json: unknown): LatestHourSet => {
    const root = expectObject(json, 'station-set data');
    const param = isObject(root['parameter']) ? root['parameter'] : {};
    const stations: LatestReading[] = [];
    const unplaced: LatestHourSet['unplaced'] = [];
    for (const entry of expectArray(root['station'] ?? [], 'station-set data.station')) {
      if (!isObject(entry)) continue;
      const latest = latestWithValue(parseObservations(entry['value']));
      const station = parseStation(entry, parameter);
      if (station) stations.push({ station, latest });
      else {
        const id = str(entry['key']) ?? str(entry['id']);
        if (id !== null && latest !== null) unplaced.push({ id, name: str(entry['name']), latest });
      }
    }
    return { parameter, unit: str(param['unit']), updated: epochToIso(root['updated']), stations, unplaced };
  };
}
