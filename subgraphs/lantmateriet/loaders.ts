import DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import { ELEVATION_BATCH_MAX, type LantmaterietClient } from './client.ts';
import type { LantmaterietLoaders } from './context.ts';
import { roundSweref, type Sweref, toSweref } from './coords.ts';

/** Loader key of a WGS84 point: its SWEREF 99 TM position to the metre, "E,N". */
export function elevationKey(latitude: number, longitude: number): string {
  const p = roundSweref(toSweref(latitude, longitude));
  return `${p.e},${p.n}`;
}

function fromKey(key: string): Sweref {
  const [e, n] = key.split(',').map(Number) as [number, number];
  return { n, e };
}

/**
 * Per-request loaders. Every `Place.elevation` of one GraphQL request goes to Markhöjd as one
 * MultiPoint request (split by DataLoader beyond 1 000 points); identical points are asked once.
 */
export function createLoaders(client: LantmaterietClient, trace: RequestTrace): LantmaterietLoaders {
  return {
    elevation: new DataLoader<string, number | null>(
      async (keys) => {
        try {
          return await client.elevations(keys.map(fromKey), trace);
        } catch (err) {
          return keys.map(() => err as Error);
        }
      },
      { maxBatchSize: ELEVATION_BATCH_MAX },
    ),
  };
}
