import DataLoader from 'dataloader';
import type { RequestTrace } from '../kit/upstream.ts';
import type { SmhiClient } from './client.ts';
import { sixDecimals } from './client.ts';
import type { SmhiContext } from './context.ts';

export const pointKey = (latitude: number, longitude: number): string =>
  `${sixDecimals(latitude)},${sixDecimals(longitude)}`;

/** Per-request loaders: identical points in one request share one upstream call. */
export function createLoaders(client: SmhiClient, trace: RequestTrace): SmhiContext['loaders'] {
  return {
    forecast: new DataLoader<string, Awaited<ReturnType<SmhiClient['forecast']>>>(async (keys) =>
      Promise.all(
        keys.map(async (key) => {
          const [lat, lon] = key.split(',').map(Number) as [number, number];
          try {
            return await client.forecast(lat, lon, trace);
          } catch (err) {
            return err as Error;
          }
        }),
      ),
    ),
  };
}
