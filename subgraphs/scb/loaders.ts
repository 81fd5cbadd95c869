import DataLoader from 'dataloader';
import { UpstreamError } from '../../kit/errors.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import { AGENCY, type DataResult, type ScbClient } from './client.ts';
import type { RegionKey, ScbContext } from './context.ts';
import type { Cell } from './jsonstat.ts';

export const REGION_VARIABLE = 'Region';

/**
 * An answer's cells by region, indexed once per cell array: filtering all cells for every key made
 * the 290-municipality query quadratic (290 × 290 scans; 15 % of its CPU when profiled), and the
 * client hands out the same array for as long as the dataset is cached, so the index is built once
 * per cached answer rather than once per request.
 */
const regionIndexes = new WeakMap<readonly Cell[], Map<string, Cell[]>>();
function regionIndex(all: readonly Cell[]): Map<string, Cell[]> {
  let index = regionIndexes.get(all);
  if (index) return index;
  index = new Map<string, Cell[]>();
  for (const cell of all) {
    const region = cell.coordinates.find((c) => c.dimension.id === REGION_VARIABLE)?.category.code;
    if (region === undefined) continue;
    const list = index.get(region);
    if (list) list.push(cell);
    else index.set(region, [cell]);
  }
  for (const list of index.values()) Object.freeze(list);
  regionIndexes.set(all, index);
  return index;
}

/**
 * A key's table and selection as one string, once per selection object and table: the resolvers of
 * one request share a plan's selection array, so 290 regions of one table spell their group once
 * instead of 290 times (twice per key before: the group and the loader's cache key).
 */
const groupKeys = new WeakMap<object, Map<string, string>>();
function groupKey(key: RegionKey): string {
  let byTable = groupKeys.get(key.selection);
  if (!byTable) {
    byTable = new Map();
    groupKeys.set(key.selection, byTable);
  }
  let text = byTable.get(key.table);
  if (text === undefined) {
    text = `${JSON.stringify(key.table)}\u0000${JSON.stringify(key.selection)}`;
    byTable.set(key.table, text);
  }
  return text;
}

/**
 * Per-request loader: all regions asked for the same table and selection in one GraphQL request
 * become ONE SCB data request (Region = every code, sorted), split only above SCB's cell limit.
 */
export function createLoaders(client: ScbClient, trace: RequestTrace): ScbContext['loaders'] {
  return {
    region: new DataLoader<RegionKey, DataResult, string>(
      async (keys) => {
        // Each key's group once (a JSON string of its table and selection: not cheap for 290 keys).
        const groupOf = keys.map(groupKey);
        const groups = new Map<string, { key: RegionKey; regions: Set<string> }>();
        for (const [i, key] of keys.entries()) {
          const g = groupOf[i]!;
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
        const byRegion = new Map<string, Promise<{ all: DataResult; cells: Map<string, Cell[]> }>>();
        for (const [g, answer] of answers)
          byRegion.set(
            g,
            answer.then((all) => ({ all, cells: regionIndex(all.cells) })),
          );
        return Promise.all(
          keys.map(async (key, i) => {
            try {
              const { all, cells } = await byRegion.get(groupOf[i]!)!;
              const mine = cells.get(key.region);
              // Region was in the request, so SCB's answer must have its cells (a missing figure is a
              // cell whose value is null, with a status): none at all is an answer to another question.
              if (!mine)
                return new UpstreamError(
                  'BAD_PAYLOAD',
                  AGENCY,
                  `SCB's answer for table ${key.table} does not match the request: it has no cells for Region ${key.region}`,
                );
              return { ...all, cells: mine };
            } catch (err) {
              return err as Error;
            }
          }),
        );
      },
      { cacheKeyFn: (key) => `${groupKey(key)}\u0000${key.region}` },
    ),
  };
}
