import DataLoader from 'dataloader';
import { round6 } from './sweden.ts';

/**
 * A per-request loader that only dedupes: one upstream call per distinct key in the request, each
 * key's failure returned in its own place (DataLoader's contract) instead of failing the batch.
 */
export function perKey<K, V>(load: (key: K) => Promise<V>): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) =>
    Promise.all(
      keys.map(async (key) => {
        try {
          return await load(key);
        } catch (err) {
          return err as Error;
        }
      }),
    ),
  );
}

/** Loader key of a WGS84 point, at the 6 decimals every agency call uses. */
export const pointKey = (latitude: number, longitude: number): string =>
  `${round6(latitude)},${round6(longitude)}`;
