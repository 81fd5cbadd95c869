import DataLoader from 'dataloader';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { CatalogClient } from './client.ts';
import type { CatalogContext } from './context.ts';
import type { ResourceModel } from './decode.ts';
import { LOOKUP_BATCH, type SearchParams } from './query.ts';

/** Registry ids of a dataset id `{contextId}_{entryId}` (validated by the resolvers). */
export function splitId(id: string): { contextId: string; entryId: string } {
  const cut = id.lastIndexOf('_');
  return { contextId: id.slice(0, cut), entryId: id.slice(cut + 1) };
}

/** Per-request loaders over the catalog client, each named (traces and profiles say which batched what). */
export function createLoaders(client: CatalogClient, trace: RequestTrace): CatalogContext['loaders'] {
  const resource: CatalogContext['loaders']['resource'] = new DataLoader(
    async (uris) => {
      try {
        const found = await client.resources(uris, trace);
        return uris.map((uri) => found[uri] ?? null);
      } catch (err) {
        return uris.map(() => err as Error);
      }
    },
    // The registry's documented batch size for resource look-ups (dataportal.md §1.2).
    { maxBatchSize: LOOKUP_BATCH, name: 'catalog.resource' },
  );
  return {
    search: new DataLoader<SearchParams, Awaited<ReturnType<CatalogClient['search']>>, string>(
      async (keys) =>
        Promise.all(keys.map((k) => client.search(k, trace).catch((err: unknown) => err as Error))),
      { cacheKeyFn: (k) => JSON.stringify(k), name: 'catalog.search' },
    ),
    dataset: new DataLoader(
      async (ids) =>
        Promise.all(
          ids.map(async (id) => {
            try {
              const { contextId, entryId } = splitId(id);
              const detail = await client.dataset(contextId, entryId, trace);
              if (detail) {
                // What the recursive metadata brought along needs no further look-up.
                for (const [uri, name] of Object.entries(detail.publishers))
                  resource.prime(uri, { kind: 'agent', name } satisfies ResourceModel);
                for (const d of detail.distributions)
                  resource.prime(d.uri, { kind: 'distribution', distribution: d } satisfies ResourceModel);
              }
              return detail;
            } catch (err) {
              return err as Error;
            }
          }),
        ),
      { name: 'catalog.dataset' },
    ),
    resource,
    statistics: new DataLoader(
      async (keys) => {
        try {
          const s = await client.statistics(trace);
          return keys.map(() => s);
        } catch (err) {
          return keys.map(() => err as Error);
        }
      },
      { name: 'catalog.statistics' },
    ),
  };
}
