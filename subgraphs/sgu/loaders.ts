import DataLoader from 'dataloader';
import { perKey } from '../../kit/loaders.ts';

import type { RequestTrace } from '../../kit/upstream.ts';
import type { SguClient } from './client.ts';
import type { SguContext } from './context.ts';

/** Largest `platsbeteckning in (...)` list sent in one request. */
export const STATION_BATCH = 50;

const split = (key: string) => key.split(',').map(Number) as [number, number, number];

/** Per-request loaders over the SGU client. */
export function createLoaders(client: SguClient, trace: RequestTrace): SguContext['loaders'] {
  return {
    station: new DataLoader(
      async (ids) => {
        try {
          const found = await client.stationsByIds(ids, trace);
          const byId = new Map(found.map((s) => [s.id, s]));
          return ids.map((id) => byId.get(id) ?? null);
        } catch (err) {
          return ids.map(() => err as Error);
        }
      },
      { maxBatchSize: STATION_BATCH },
    ),
    stationsInMunicipality: perKey((code) => client.stationsInMunicipality(code, trace)),
    stationsNear: perKey((key) => {
      const [lat, lon, km] = split(key);
      return client.stationsNear(lat, lon, km, trace);
    }),
    levels: perKey((key) => {
      const [id, from, to] = key.split('|') as [string, string, string];
      return client.levels(id, from, to === '' ? null : to, trace);
    }),
    wells: perKey((key) => {
      const [code, take] = key.split('|') as [string, string];
      return client.wells(code, Number(take), trace);
    }),
    wellCount: perKey((code) => client.wellCount(code, trace)),
    soil: perKey((key) => {
      const [lat, lon] = split(key);
      return client.soilAt(lat, lon, trace);
    }),
    bedrock: perKey((key) => {
      const [lat, lon] = split(key);
      return client.bedrockAt(lat, lon, trace);
    }),
  };
}
