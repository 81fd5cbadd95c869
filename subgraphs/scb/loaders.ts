import DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { DataResult, ScbClient } from './client.ts';
import type { RegionKey, ScbContext } from './context.ts';

export const REGION_VARIABLE = 'Region';

const groupKey = (key: RegionKey) => JSON.stringify([key.table, key.selection]);

/**
 * Per-request loader: all regions asked for the same table and selection in one GraphQL request
 * become ONE SCB data request (Region = every code, sorted), split only above SCB's cell limit.
 */
export function createLoaders(client: ScbClient, trace: RequestTrace): ScbContext['loaders'] {
  return {
    region: new DataLoader<RegionKey, DataResult, string>(
      async (keys) => {
        const groups = new Map<string, { key: RegionKey; regions: Set<string> }>();
        for (const key of keys) {
          const g = groupKey(key);
          const group = groups.get(g) ?? { key, regions: new Set<string>() };
          group.regions.add(key.region);
          groups.set(g, group);
        }
        const answers = new Map<string, Promise<DataResult>>();
        for (const [g, { key, regions }] of groups) {
          answers.set(
            g,
            client.data(
              key.table,
              [...key.selection, { variableCode: REGION_VARIABLE, valueCodes: [...regions].sort() }],
              trace,
            ),
          );
        }
        return Promise.all(
          keys.map(async (key) => {
            try {
              const all = await answers.get(groupKey(key))!;
              return {
                ...all,
                cells: all.cells.filter((cell) =>
                  cell.coordinates.some(
                    (c) => c.dimension.id === REGION_VARIABLE && c.category.code === key.region,
                  ),
                ),
              };
            } catch (err) {
              return err as Error;
            }
          }),
        );
      },
      { cacheKeyFn: (key) => JSON.stringify([key.table, key.selection, key.region]) },
    ),
  };
}
