import { haversineKm } from '../../kit/geo.ts';
import { perKey } from '../../kit/loaders.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { ObservationPeriodKey, SmhiClient } from './client.ts';
import type { CurrentObservationModel, SmhiContext } from './context.ts';
import { type LatestReading, type Observation, placeReadings } from './metobs.ts';

/** A reading with a value, and its place in the list it came from. */
type ValuedReading = LatestReading & { latest: Observation; order: number };

/**
 * The sorted readings of each latest-hour data set, kept as long as the set itself. The kit's cache
 * hands every request the same frozen set while it is fresh, so the readings are placed and sorted
 * once per data set (every 10 minutes) rather than once per request and parameter (before: a fifth
 * of the CPU of "a municipality at a glance" with the whole-response cache off).
 */
const sortedReadings = new WeakMap<object, { list: unknown; readings: readonly ValuedReading[] }>();

/** The great-circle length of one degree of latitude (the shortest any such gap can be). */
const KM_PER_DEGREE_LATITUDE = haversineKm(0, 0, 1, 0);

/** Index of the first reading at or north of `latitude` (readings sorted by latitude). */
function firstAtOrAbove(readings: readonly ValuedReading[], latitude: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readings[mid]!.station.latitude < latitude) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Per-request loaders: identical points, parameters and periods in one request share one call. */
export function createLoaders(client: SmhiClient, trace: RequestTrace): SmhiContext['loaders'] {
  const latestHour = perKey((parameter: number) => client.latestHour(parameter, trace));
  const stationList = perKey((parameter: number) => client.stationList(parameter, trace));
  /**
   * A parameter's readings that have a value and a position, sorted by latitude, in list order. The
   * station list is read only when some reading lacks a position (it is cached for a day; if it
   * fails, the readings that have a position still count).
   */
  const byLatitude = perKey(async (parameter: number): Promise<readonly ValuedReading[]> => {
    const set = await latestHour.load(parameter);
    if (set === null) return [];
    const list = set.unplaced.length === 0 ? null : await stationList.load(parameter).catch(() => null);
    const known = sortedReadings.get(set);
    if (known && known.list === list) return known.readings;
    const placed = set.unplaced.length === 0 ? set.stations : placeReadings(set, list);
    const valued: ValuedReading[] = [];
    for (const [order, reading] of placed.entries()) {
      const latest = reading.latest;
      if (latest !== null && latest.value !== null) valued.push(Object.freeze({ ...reading, latest, order }));
    }
    const readings = Object.freeze(
      valued.sort((a, b) => a.station.latitude - b.station.latitude || a.order - b.order),
    );
    sortedReadings.set(set, { list, readings });
    return readings;
  });
  return {
    forecast: perKey((key: string) => {
      const [lat, lon] = key.split(',').map(Number) as [number, number];
      return client.forecast(lat, lon, trace);
    }),
    stationList,
    stationData: perKey((key: string) => {
      const [parameter, station, period] = key.split('|') as [string, string, ObservationPeriodKey];
      return client.stationData(Number(parameter), station, period, trace);
    }),
    latestHour,
    nearestReading: perKey(async (key: string): Promise<CurrentObservationModel | null> => {
      const [parameter, point] = key.split('|') as [string, string];
      const [lat, lon] = point.split(',').map(Number) as [number, number];
      const readings = await byLatitude.load(Number(parameter));
      // Outwards from the point's latitude, nearer latitudes first, until the latitude gap alone is
      // farther than the best station (a great-circle distance is never shorter than it): a few
      // stations per point instead of all of them (290 places × every station before).
      let up = firstAtOrAbove(readings, lat);
      let down = up - 1;
      let best: { at: ValuedReading; distanceKm: number } | null = null;
      while (up < readings.length || down >= 0) {
        const above = up < readings.length ? readings[up]!.station.latitude - lat : Number.POSITIVE_INFINITY;
        const below = down >= 0 ? lat - readings[down]!.station.latitude : Number.POSITIVE_INFINITY;
        if (best && Math.min(above, below) * KM_PER_DEGREE_LATITUDE > best.distanceKm) break;
        const at = above <= below ? readings[up++]! : readings[down--]!;
        const distanceKm = haversineKm(lat, lon, at.station.latitude, at.station.longitude);
        // Equal distances: the station listed first wins, as in a scan of the list.
        if (
          best === null ||
          distanceKm < best.distanceKm ||
          (distanceKm === best.distanceKm && at.order < best.at.order)
        )
          best = { at, distanceKm };
      }
      if (!best) return null;
      const { order: _, ...reading } = best.at;
      return { parameter: Number(parameter), reading, distanceKm: best.distanceKm };
    }),
    warnings: perKey(() => client.warnings(trace)),
  };
}
