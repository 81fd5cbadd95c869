import type { RequestTrace, Upstream } from '../../kit/upstream.ts';
import {
  type CatalogStatisticsModel,
  type DatasetDetail,
  decodeEntry,
  decodeRecursive,
  decodeResources,
  decodeSearch,
  decodeStatistics,
  type EntryInfoModel,
  type ResourceModel,
  type SearchResultModel,
} from './decode.ts';
import { resourceLookup, type SearchParams, statisticsSearch } from './query.ts';
import { asGraph } from './rdf.ts';

/**
 * Cache TTL of every catalogue answer: the registry re-harvests once a night (~04:00) and its
 * search index "should not be used as source of truth" minute by minute, so hours, not minutes.
 * Forced: the registry's own Cache-Control describes its store, not the harvest cadence.
 */
export const CATALOG_TTL_MS = 6 * 60 * 60_000;

/** Paths below DATAPORTAL_API_URL (the registry root, https://admin.dataportal.se). */
export const PATHS = {
  search: '/store/search',
  entry: (ctx: string, id: string) => `/store/${ctx}/entry/${id}`,
  metadata: (ctx: string, id: string) => `/store/${ctx}/metadata/${id}`,
} as const;

/** Registry ids are short digit/letter strings; anything else never reaches a URL path. */
export const REGISTRY_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** What the resolvers use: a narrow structural interface (a fake or the simulator can stand in). */
export interface CatalogClient {
  search(params: SearchParams, trace?: RequestTrace): Promise<SearchResultModel>;
  /** One dataset by registry ids; null when the registry has no such entry. */
  dataset(contextId: string, entryId: string, trace?: RequestTrace): Promise<DatasetDetail | null>;
  /** Entries by resource URI (agents, contact points, distributions; ≤ 20 per call); unknown URIs are absent. */
  resources(uris: readonly string[], trace?: RequestTrace): Promise<Record<string, ResourceModel>>;
  statistics(trace?: RequestTrace): Promise<CatalogStatisticsModel | null>;
}

function searchQuery(p: SearchParams): Record<string, string | number> {
  return {
    type: 'solr',
    query: p.query,
    limit: p.limit,
    offset: p.offset,
    ...(p.sort !== undefined ? { sort: p.sort } : {}),
    ...(p.facetFields !== undefined ? { facetFields: p.facetFields } : {}),
    ...(p.facetLimit !== undefined ? { facetLimit: p.facetLimit } : {}),
  };
}

export function createCatalogClient(upstream: Upstream): CatalogClient {
  const search = async <T>(p: SearchParams, parse: (json: unknown) => T, trace?: RequestTrace) => {
    const data = await upstream.get<T>({
      path: PATHS.search,
      query: searchQuery(p),
      parse,
      ttlMs: CATALOG_TTL_MS,
      forceTtl: true,
      // The search endpoint always exists: a 404 there is a moved or misconfigured API, not "no hits".
      notFoundIsNull: false,
      trace,
    });
    return data as T;
  };

  return {
    search: (params, trace) => search(params, decodeSearch, trace),

    async dataset(contextId, entryId, trace) {
      const [entry, metadata] = await Promise.all([
        upstream.get<EntryInfoModel>({
          path: PATHS.entry(contextId, entryId),
          query: { format: 'application/rdf+json' },
          parse: (json) => decodeEntry(json, contextId, entryId),
          ttlMs: CATALOG_TTL_MS,
          forceTtl: true,
          // The registry has no such entry.
          notFoundIsNull: true,
          trace,
        }),
        // The raw graph is cached (parse keeps only what the decoder needs once the entry is known);
        // the recursive profile pulls in distributions, the publisher agent and the contact point.
        upstream.get<unknown>({
          path: PATHS.metadata(contextId, entryId),
          query: { recursive: 'dcat', format: 'application/json' },
          parse: (json) => stripPersonalData(json),
          ttlMs: CATALOG_TTL_MS,
          forceTtl: true,
          notFoundIsNull: true,
          trace,
        }),
      ]);
      if (entry === null || metadata === null) return null;
      return decodeRecursive(metadata, entry, contextId, entryId);
    },

    async resources(uris, trace) {
      if (uris.length === 0) return {};
      return search(resourceLookup(uris), decodeResources, trace);
    },

    statistics: (trace) => search(statisticsSearch(), decodeStatistics, trace),
  };
}

/** Predicates that carry personal data in the registry (vCard/FOAF contact details). */
const PERSONAL_PREDICATES = new Set([
  'http://xmlns.com/foaf/0.1/mbox',
  'http://xmlns.com/foaf/0.1/mbox_sha1sum',
  'http://xmlns.com/foaf/0.1/phone',
  'http://www.w3.org/2006/vcard/ns#hasEmail',
  'http://www.w3.org/2006/vcard/ns#email',
  'http://www.w3.org/2006/vcard/ns#hasTelephone',
  'http://www.w3.org/2006/vcard/ns#tel',
  'http://www.w3.org/2006/vcard/ns#given-name',
  'http://www.w3.org/2006/vcard/ns#family-name',
  'http://www.w3.org/2006/vcard/ns#hasName',
]);

const INDIVIDUAL_TYPES = new Set([
  'http://www.w3.org/2006/vcard/ns#Individual',
  'http://xmlns.com/foaf/0.1/Person',
]);

/**
 * The recursive metadata graph as it may be cached: every e-mail address, telephone number and
 * name part removed, and the `fn`/`foaf:name` of people (and of contacts that are not organisations)
 * dropped. The decoder never reads them either; this keeps them out of the cache too.
 */
export function stripPersonalData(json: unknown): Record<string, Record<string, unknown[]>> {
  const graph = asGraph(json, 'metadata') as unknown as Record<string, Record<string, unknown[]>>;
  const contacts = new Set<string>();
  for (const node of Object.values(graph)) {
    for (const v of (node?.['http://www.w3.org/ns/dcat#contactPoint'] ?? []) as Array<{ value?: unknown }>) {
      if (typeof v?.value === 'string') contacts.add(v.value);
    }
  }
  const out: Record<string, Record<string, unknown[]>> = {};
  for (const [subject, node] of Object.entries(graph)) {
    if (typeof node !== 'object' || node === null) {
      out[subject] = node;
      continue;
    }
    const types = (
      (node['http://www.w3.org/1999/02/22-rdf-syntax-ns#type'] ?? []) as Array<{ value?: unknown }>
    )
      .map((t) => t?.value)
      .filter((t): t is string => typeof t === 'string');
    const person =
      types.some((t) => INDIVIDUAL_TYPES.has(t)) ||
      (contacts.has(subject) && !types.includes('http://www.w3.org/2006/vcard/ns#Organization'));
    const kept: Record<string, unknown[]> = {};
    for (const [predicate, list] of Object.entries(node)) {
      if (PERSONAL_PREDICATES.has(predicate)) continue;
      if (
        person &&
        (predicate === 'http://www.w3.org/2006/vcard/ns#fn' || predicate === 'http://xmlns.com/foaf/0.1/name')
      )
        continue;
      kept[predicate] = list;
    }
    out[subject] = kept;
  }
  return out;
}
