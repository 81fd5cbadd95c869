/**
 * Offline simulator of Sveriges dataportal's registry (EntryStore at admin.dataportal.se): the
 * search API, entry envelopes, metadata (also `recursive=dcat`) and the organisation chart, over the
 * catalogue of `catalogue.ts`. Paths, parameters, status codes and shapes follow the server source and
 * the recorded answers (see the subgraph README, "Offline simulator").
 */
import {
  type AgencySimulator,
  json,
  type SimRequest,
  type SimResponse,
  type SimulatorDeps,
} from '../../../kit/simulator.ts';
import { P, type RdfGraph, T } from '../rdf.ts';
import { buildCatalogue, type Catalogue, recursiveMetadata } from './catalogue.ts';
import { toJsonLd, toNTriples, toRdfXml } from './serialize.ts';
import {
  candidates,
  facetField,
  matches,
  parseQuery,
  parseSort,
  type SolrDoc,
  SolrError,
  sortValue,
} from './solr.ts';
import { infoGraph, type SimEntry } from './store.ts';

/** `entrystore.solr.max-limit` and the defaults of SearchResource. */
export const SEARCH_LIMITS = {
  defaultLimit: 50,
  maxLimit: 100,
  defaultFacetLimit: 100,
  maxFacetLimit: 1000,
} as const;
const RIGHTS = ['readmetadata', 'readresource'];

const error = (status: number, message: string, headers: Record<string, string> = {}): SimResponse =>
  json(status, { error: message }, headers);

function intParam(raw: string | null, fallback: number): number {
  if (raw === null || !/^-?\d+$/.test(raw.trim())) return fallback;
  return Number(raw);
}

/** `GET /store/search?type=solr&query=…` */
function search(cat: Catalogue, req: SimRequest): SimResponse {
  const q = req.query;
  const type = q.get('type');
  if (type === null) return error(400, 'Parameter "type" is missing');
  if (type !== 'solr')
    return error(400, `Search type "${type}" is not supported by this simulator (only solr)`);
  const query = q.get('query');
  if (query === null) return error(400, 'Parameter "query" is missing');
  if (query.length < 3) return error(400, 'Query too short');
  let limit = intParam(q.get('limit'), SEARCH_LIMITS.defaultLimit);
  if (limit < 0) limit = SEARCH_LIMITS.defaultLimit;
  limit = Math.min(limit, SEARCH_LIMITS.maxLimit);
  const offset = Math.max(0, intParam(q.get('offset'), 0));
  let facetLimit = intParam(q.get('facetLimit'), SEARCH_LIMITS.defaultFacetLimit);
  if (facetLimit < 0) facetLimit = SEARCH_LIMITS.defaultFacetLimit;
  facetLimit = Math.min(facetLimit, SEARCH_LIMITS.maxFacetLimit);
  const facetMinCount = Math.max(0, intParam(q.get('facetMinCount'), 1));

  let hits: Array<{ doc: SolrDoc; score: number }>;
  let sort: ReturnType<typeof parseSort>;
  let facets: string[];
  try {
    const tree = parseQuery(query);
    const filters = (q.get('filterQuery') ?? '')
      .split(',')
      .filter((f) => f.trim() !== '')
      .map((f) => parseQuery(decodeURIComponent(f)));
    sort = parseSort(q.get('sort'));
    facets = (q.get('facetFields') ?? '')
      .split(',')
      .filter((f) => f.trim() !== '')
      .map(facetField);
    hits = [];
    const narrowed = candidates(tree, cat.inverted);
    const pool = narrowed ? [...narrowed].sort((a, b) => a - b).map((i) => cat.docs[i]!) : cat.docs;
    for (const doc of pool) {
      const score = { n: 0 };
      if (!matches(doc, tree, score)) continue;
      if (!filters.every((f) => matches(doc, f, { n: 0 }))) continue;
      hits.push({ doc, score: score.n });
    }
  } catch (err) {
    if (err instanceof SolrError || err instanceof URIError)
      return error(400, 'Search failed due to wrong parameters');
    throw err;
  }
  hits.sort((a, b) => {
    for (const s of sort) {
      const va = sortValue(a.doc, s.field, a.score);
      const vb = sortValue(b.doc, s.field, b.score);
      if (va === vb) continue;
      // Missing values sort last, whatever the order.
      if (va === null) return 1;
      if (vb === null) return -1;
      const c = va < vb ? -1 : 1;
      return s.desc ? -c : c;
    }
    return 0;
  });
  const facetFields = facets.map((field) => {
    const counts = new Map<string, number>();
    for (const { doc } of hits)
      for (const v of new Set(doc.exact.get(field) ?? [])) counts.set(v, (counts.get(v) ?? 0) + 1);
    const values = [...counts]
      .filter(([, n]) => n >= facetMinCount)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, facetLimit)
      .map(([name, count]) => ({ name, count }));
    return { name: field, valueCount: values.length, values };
  });
  const page = hits.slice(offset, offset + limit);
  return json(200, {
    offset,
    resource: {
      children: page.map(({ doc }) => ({
        metadata: doc.entry.metadata,
        rights: RIGHTS,
        contextId: doc.entry.contextId,
        relations: {},
        entryId: doc.entry.entryId,
        info: infoGraph(doc.entry, cat.base),
      })),
    },
    limit,
    results: hits.length,
    facetFields,
  });
}

/** The serialisation asked for: `?format=` first, then the Accept header; RDF/XML by default. */
function formatOf(req: SimRequest): string {
  const format = req.query.get('format');
  if (format) return format.toLowerCase();
  const accept = (req.headers['accept'] ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return accept && accept !== '*/*' ? accept : 'application/rdf+xml';
}

function entryHeaders(entry: SimEntry, contentType: string): Record<string, string> {
  const ms = Date.parse(entry.modified);
  return {
    'content-type': contentType,
    ...(Number.isNaN(ms) ? {} : { 'last-modified': new Date(ms).toUTCString(), etag: `W/"${ms}"` }),
  };
}

function graphResponse(entry: SimEntry, graph: RdfGraph, format: string): SimResponse {
  switch (format) {
    case 'application/json':
    case 'application/rdf+json':
      return { status: 200, headers: entryHeaders(entry, `${format}; charset=utf-8`), body: graph };
    case 'application/ld+json':
      return {
        status: 200,
        headers: entryHeaders(entry, 'application/ld+json; charset=utf-8'),
        body: toJsonLd(graph),
      };
    case 'text/turtle':
    case 'application/n-triples':
    case 'text/n-triples':
      return {
        status: 200,
        headers: entryHeaders(entry, `${format}; charset=utf-8`),
        body: toNTriples(graph),
      };
    case 'application/rdf+xml':
      return {
        status: 200,
        headers: entryHeaders(entry, 'application/rdf+xml; charset=utf-8'),
        body: toRdfXml(graph),
      };
    default:
      return error(406, `Unsupported format "${format}"`);
  }
}

/** `GET /store/{ctx}/entry/{id}`: the envelope (info graph), or with JSON `{ entryId, info, … }`. */
function entry(cat: Catalogue, req: SimRequest, e: SimEntry): SimResponse {
  const format = formatOf(req);
  const info = infoGraph(e, cat.base);
  if (format === 'application/json') {
    const includeAll = req.query.has('includeAll');
    return {
      status: 200,
      headers: entryHeaders(e, 'application/json; charset=utf-8'),
      body: {
        entryId: e.entryId,
        info,
        ...(includeAll ? { metadata: e.metadata, relations: {}, rights: RIGHTS } : {}),
      },
    };
  }
  return graphResponse(e, info, format);
}

/** `GET /store/{ctx}/metadata/{id}[?recursive=dcat[&depth=n]]`. */
function metadata(cat: Catalogue, req: SimRequest, e: SimEntry): SimResponse {
  const recursive = req.query.get('recursive');
  let graph = e.metadata;
  if (recursive !== null) {
    if (recursive !== 'dcat') return error(400, `Unknown recursive traversal profile "${recursive}"`);
    const rawDepth = req.query.get('depth');
    const depth = rawDepth === null ? 10 : /^\d+$/.test(rawDepth) ? Number(rawDepth) : Number.NaN;
    if (!(depth >= 0 && depth <= 10)) return error(400, 'Parameter "depth" must be an integer from 0 to 10');
    graph = recursiveMetadata(cat, e, depth);
  }
  return graphResponse(e, graph, formatOf(req));
}

/** `GET /charts/orgData.json`: datasets per publisher, largest first, and the totals. */
function orgData(cat: Catalogue): SimResponse {
  const counts = new Map<string, number>();
  let datasets = 0;
  let independent = 0;
  for (const doc of cat.docs) {
    const types = doc.exact.get('rdfType') ?? [];
    if (types.includes(T.IndependentDataService)) independent += 1;
    if (!types.includes(T.Dataset)) continue;
    datasets += 1;
    for (const p of doc.entry.metadata[doc.entry.resource]?.[P.publisher] ?? [])
      counts.set(p.value, (counts.get(p.value) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const name = (uri: string) => {
    const agent = cat.byResource.get(uri);
    const names = agent?.metadata[uri]?.[P.foafName] ?? [];
    return (names.find((n) => n.lang === 'sv') ?? names[0])?.value ?? uri;
  };
  return json(200, {
    labels: ranked.map(([uri]) => name(uri)),
    values: ranked.map(([uri]) => uri),
    series: [ranked.map(([, n]) => n)],
    datasetCount: datasets,
    independentDataserviceCount: independent,
    publisherCount: ranked.length,
  });
}

/** The simulator of the catalog subgraph's upstream, mounted at DATAPORTAL_API_URL. */
export function createCatalogSimulator(deps: SimulatorDeps<{ DATAPORTAL_API_URL: string }>): AgencySimulator {
  const base = deps.config.DATAPORTAL_API_URL.replace(/\/+$/, '');
  let cat: Catalogue | undefined;
  const catalogue = () => {
    cat ??= buildCatalogue(base);
    return cat;
  };
  return {
    agency: 'catalog',
    synthetic: true,
    note: 'Sveriges dataportal registry simulator: the recorded entries (two Trafikverket datasets, a Försäkringskassan dataset with its distributions, catalogue statistics) as recorded on 2026-09-21, plus SYNTHETIC catalogue entries for the five agencies and other publishers (SCB table ids and labels real, from recorded SCB answers), generated deterministically; facets, filters and paging computed from them.',
    mounts: [
      {
        baseUrl: base,
        handle(req) {
          if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, 'Method not allowed');
          if (req.path === '/store/search') return search(catalogue(), req);
          if (req.path === '/charts/orgData.json') return orgData(catalogue());
          const m = /^\/store\/([^/]+)\/(entry|metadata)\/([^/]+)$/.exec(req.path);
          if (m) {
            const [, ctx, part, id] = m as unknown as [string, string, string, string];
            const e = catalogue().byKey.get(`${ctx}/${id}`);
            if (!e?.public) return error(404, `No entry with id ${id} in context ${ctx}`);
            return part === 'entry' ? entry(catalogue(), req, e) : metadata(catalogue(), req, e);
          }
          return error(404, 'Not found');
        },
      },
    ],
    faultResponse(status) {
      return error(
        status,
        `Simulated failure (HTTP ${status})`,
        status === 429 || status === 503 ? { 'retry-after': '1' } : {},
      );
    },
  };
}
