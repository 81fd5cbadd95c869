import { haversineKm } from '../../kit/geo.ts';
import { perKey } from '../../kit/loaders.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { ObservationPeriodKey, SmhiClient } from './client.ts';
import type { CurrentObservationModel, SmhiContext } from './context.ts';
import { type LatestReading, placeReadings } from './metobs.ts';

/** Per-request loaders: identical points, parameters and periods in one request share one call. */
export function createLoaders(client: SmhiClient, trace: RequestTrace): SmhiContext['loaders'] {
  const latestHour = perKey((parameter: number) => client.latestHour(parameter, trace));
  const stationList = perKey((parameter: number) => client.stationList(parameter, trace));
  /** The latest-hour readings of a parameter with a position; the station list only when needed. */
  const placed = perKey(async (parameter: number): Promise<LatestReading[]> => {
    const set = await latestHour.load(parameter);
    if (set === null) return [];
    if (set.unplaced.length === 0) return set.stations;
    // The list is cached for a day; if it fails, the readings that have a position still count.
    const list = await stationList.load(parameter).catch(() => null);
    return placeReadings(set, list);
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
      let best: CurrentObservationModel | null = null;
      for (const reading of await placed.load(Number(parameter))) {
        const latest = reading.latest;
        if (latest === null || latest.value === null) continue;
        const distanceKm = haversineKm(lat, lon, reading.station.latitude, reading.station.longitude);
        if (best === null || distanceKm < best.distanceKm) {
          best = { parameter: Number(parameter), reading: { ...reading, latest }, distanceKm };
        }
      }
      return best;
    }),
    warnings: perKey(() => client.warnings(trace)),
  };
}
