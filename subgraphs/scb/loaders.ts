import DataLoader from 'dataloader';
import { UpstreamError } from '../../kit/errors.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import { AGENCY, type DataResult, type ScbClient } from './client.ts';
import type { RegionKey, ScbContext } from './context.ts';

export const REGION_VARIABLE = 'Region';

/**
 * The JSON text of each selection, once per selection object: the resolvers of one request share a
 * plan's selection array, so 290 regions of one table spell their group once instead of 290 times
 * (twice per key before: the group and the loader's cache key; 3 % of the CPU of all municipalities'
 * populations).
 */
const selectionTexts = new WeakMap<object, string>();
function selectionText(selection: RegionKey['selection']): string {
  let text = selectionTexts.get(selection);
  if (text === undefined) {
    text = JSON.stringify(selection);
    selectionTexts.set(selection, text);
  }
  return text;
}

const groupKey = (key: RegionKey) => `${JSON.stringify(key.table)}\u0000${selectionText(key.selection)}`;

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
        // Each answer's cells indexed by region once: filtering all cells for every key made the
        // 290-municipality query quadratic (290 × 290 scans; 15 % of its CPU when profiled).
        const byRegion = new Map<
          string,
          Promise<{ all: DataResult; cells: Map<string, DataResult['cells']> }>
        >();
        for (const [g, answer] of answers) {
          byRegion.set(
            g,
            answer.then((all) => {
              const cells = new Map<string, DataResult['cells']>();
              for (const cell of all.cells) {
                const region = cell.coordinates.find((c) => c.dimension.id === REGION_VARIABLE)?.category
                  .code;
                if (region === undefined) continue;
                const list = cells.get(region);
                if (list) list.push(cell);
                else cells.set(region, [cell]);
              }
              return { all, cells };
            }),
          );
        }
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
