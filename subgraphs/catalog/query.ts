/**
 * Solr queries for the registry's `/store/search` (EntryStore): the clause forms of the portal's own
 * query builder (entrystore.js `SolrQuery`, dataportal-web `solrSearch`), with the traps of the
 * reference (`shared/agencies/dataportal.md` §4) handled here, in one place:
 *  - values are escaped with SolrJ's full set (`:` `/` whitespace, `~` which would be the fuzzy
 *    operator, …); quoted values escape only `"` and `\`;
 *  - the default operator is OR: every clause is joined with an explicit `AND`;
 *  - `public:true` is always added (counts are estimates that subtract what a guest cannot read);
 *  - text tokens shorter than 3 characters get a `*` (the text fields are 3–25-character n-grams),
 *    longer ones are cut to 15 characters (as the portal does);
 *  - the URL encoding (`#` → `%23`, `+` → `%2B`, space → `+`) is the upstream layer's
 *    `URLSearchParams`; nothing here pre-encodes.
 */
import { P, predicateHash, solrField, T } from './rdf.ts';
import { FILE_TYPE_BASE } from './vocab.ts';

/** What a datasets search filters on (already validated). */
export interface DatasetFilters {
  /** Free-text words; every word must match (title, description, keywords or the `all` field). */
  words?: readonly string[];
  /** Publisher URIs; any of them. */
  publishers?: readonly string[];
  /** EU data-theme URIs; all of them. */
  themes?: readonly string[];
  /** A media type and/or an EU file-type code: either form on the dataset or its distributions. */
  format?: { mediaType: string | null; fileTypeCode: string | null };
  /** HVD category URIs; all of them. */
  highValueCategories?: readonly string[];
  /** Datasets, data services, or both (undefined). */
  type?: 'DATASET' | 'DATA_SERVICE' | undefined;
  /** Names of a place the dataset's spatial coverage must name (any of them). */
  spatialNames?: readonly string[];
}

/** One `/store/search` request's parameters (besides `type=solr`). */
export interface SearchParams {
  query: string;
  limit: number;
  offset: number;
  sort?: string;
  facetFields?: string;
  facetLimit?: number;
}

/** The registry caps a page at 100 (`entrystore.solr.max-limit`); larger limits are silently cut. */
export const MAX_PAGE = 100;
/** Values per facet we ask for. */
export const FACET_LIMIT = 25;

/** Characters SolrJ's `ClientUtils.escapeQueryChars` escapes. */
const SPECIAL = /[\\+\-!():^[\]"{}~*?|&;/]/g;

/** A value escaped for an unquoted Solr term (SolrJ's set, whitespace included). */
export function escapeTerm(value: string): string {
  return value.replace(SPECIAL, (c) => `\\${c}`).replace(/\s/g, (c) => `\\${c}`);
}

/** A value as a quoted Solr phrase (exact string fields). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const or = (clauses: readonly string[]) => (clauses.length === 1 ? clauses[0]! : `(${clauses.join(' OR ')})`);
const and = (clauses: readonly string[]) => clauses.join(' AND ');

/** `field:value` for an exact URI field. */
export const uriClause = (field: string, uri: string) => `${field}:${escapeTerm(uri)}`;

export const FIELD = {
  publisher: solrField.uri(P.publisher),
  theme: solrField.uri(P.theme),
  hvd: solrField.uri(P.hvdCategory),
  formatLiteral: solrField.literalExact(P.format),
  formatRelated: solrField.relatedLiteralExact(P.format),
  formatUri: solrField.uri(P.format),
  geographicName: solrField.literalExact(P.geographicName),
} as const;

/** The facets every datasets search asks for, by our name. */
export const FACET_FIELDS = {
  publishers: FIELD.publisher,
  themes: FIELD.theme,
  formats: FIELD.formatLiteral,
  highValueCategories: FIELD.hvd,
} as const;

/** `rdfType` clause of the kind asked for. */
export function typeClause(type: DatasetFilters['type']): string {
  const dataset = uriClause('rdfType', T.Dataset);
  const service = uriClause('rdfType', T.DataService);
  if (type === 'DATASET') return dataset;
  if (type === 'DATA_SERVICE') return service;
  return or([dataset, service]);
}

/** One free-text word as the portal searches it: title, description, keywords or `all`. */
export function wordClause(word: string): string {
  const cut = [...word].slice(0, 15).join('');
  const term = escapeTerm(cut) + ([...cut].length < 3 ? '*' : '');
  return or([`title:${term}`, `description:${term}`, `tag.literal:${term}`, `all:${term}`]);
}

/** The Solr query of a datasets search. */
export function datasetQuery(f: DatasetFilters): string {
  const clauses = [typeClause(f.type), 'public:true'];
  if (f.publishers?.length) clauses.push(or(f.publishers.map((u) => uriClause(FIELD.publisher, u))));
  for (const theme of f.themes ?? []) clauses.push(uriClause(FIELD.theme, theme));
  if (f.format) {
    const alternatives: string[] = [];
    if (f.format.mediaType) {
      alternatives.push(`${FIELD.formatLiteral}:${quote(f.format.mediaType)}`);
      alternatives.push(`${FIELD.formatRelated}:${quote(f.format.mediaType)}`);
    }
    if (f.format.fileTypeCode)
      alternatives.push(uriClause(FIELD.formatUri, `${FILE_TYPE_BASE}${f.format.fileTypeCode}`));
    if (alternatives.length > 0) clauses.push(or(alternatives));
  }
  for (const hvd of f.highValueCategories ?? []) clauses.push(uriClause(FIELD.hvd, hvd));
  if (f.spatialNames?.length)
    clauses.push(or(f.spatialNames.map((n) => `${FIELD.geographicName}:${quote(n)}`)));
  for (const word of f.words ?? []) clauses.push(wordClause(word));
  return and(clauses);
}

/** The full parameters of a datasets page (facets included, so one call answers a whole page). */
export function datasetSearch(f: DatasetFilters, limit: number, offset: number): SearchParams {
  return {
    query: datasetQuery(f),
    limit,
    offset,
    // Relevance when searching text (the registry's default, score then modified); otherwise the
    // newest first, with the entry URI as tie-breaker so pages do not overlap (trap 13).
    ...(f.words?.length ? {} : { sort: 'modified desc,uri asc' }),
    facetFields: Object.values(FACET_FIELDS).join(','),
    facetLimit: FACET_LIMIT,
  };
}

/** Look-up of entries by their resource URIs (publishers' agents), at most 20 per request. */
export const LOOKUP_BATCH = 20;
export function resourceLookup(uris: readonly string[]): SearchParams {
  return {
    query: and(['public:true', or(uris.map((u) => uriClause('resource', u)))]),
    limit: Math.min(MAX_PAGE, uris.length),
    offset: 0,
  };
}

/** The newest catalogue statistics entry. */
export function statisticsSearch(): SearchParams {
  return {
    query: and([uriClause('rdfType', T.CatalogStatistics), 'public:true']),
    limit: 1,
    offset: 0,
    sort: 'created desc',
  };
}

/** Hash of a predicate as used in field names (re-exported for tests and docs). */
export { predicateHash };
