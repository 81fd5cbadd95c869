/**
 * The HTTP surface of SGU's OGC API Features services (GeoServer) as the simulator serves it:
 *
 *   {base}/{dataset}/ogc/features/v1[/]                      landing page
 *   …/conformance                                             conformance classes
 *   …/collections, …/collections/{id}                         collection documents
 *   …/collections/{id}/queryables                             queryable properties (JSON schema)
 *   …/collections/{id}/items?bbox&bbox-crs&filter&filter-lang&filter-crs&datetime&limit&startIndex&crs&properties&f
 *   …/collections/{id}/items/{featureId}                      one feature, as a FeatureCollection
 *
 * Envelope as the reference's real response (§1.5): `type`, `features` (with `geometry_name`),
 * `totalFeatures`, `numberMatched`, `numberReturned`, `timeStamp`, `crs` labelled
 * `urn:ogc:def:crs:EPSG::4326` with [lon, lat] positions, and `links` with `rel: "next"` built the way
 * GeoServer's PaginationLinksBuilder does (the request's parameters plus `startIndex` and `limit`).
 * Errors in GeoServer's OGC API Features shape `{ "code": "InvalidParameterValue", "description": … }`
 * (its FeaturesExceptionHandler): 400 for a bad bbox, limit, startIndex, crs, datetime or filter,
 * 404 `NotFound` for an unknown dataset, collection or feature.
 */
import type { SimRequest, SimResponse } from '../../../kit/simulator.ts';
import { type Collection, DATASETS, type Plan, type SimFeature } from './collections.ts';
import { CqlError, type Expr, evaluate, parseCql, parseInstant } from './cql.ts';
import {
  boxRegion,
  type Crs,
  crsUri,
  crsUrn,
  intersectsRegion,
  parseCrs,
  project,
  type Region,
  swerefBoxRegion,
} from './geometry.ts';

/** Largest page served; a larger `limit` is capped (an SGU client warns when a page reaches 50 000). */
export const MAX_LIMIT = 50_000;
/** Candidates looked at beyond the page to count `numberMatched`; past it the count is "unknown". */
export const COUNT_BUDGET = 25_000;
const FILTER_LANGS = new Set(['cql-text', 'ecql-text', 'cql2-text']);
const GEOJSON = 'application/geo+json';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

const bad = (description: string) => new ApiError(400, 'InvalidParameterValue', description);
const notFound = (description: string) => new ApiError(404, 'NotFound', description);

/** An error body in the shape of GeoServer's OGC API Features exception handler. */
export function errorResponse(
  status: number,
  code: string,
  description: string,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: { code, description },
  };
}

/** Answers one request below SGU_API_URL. */
export function handle(req: SimRequest): SimResponse {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(405, 'NoApplicableCode', `Request method '${req.method}' is not supported`);
    }
    const m = /^\/([^/]+)\/ogc\/features\/v1(\/.*)?$/.exec(req.path);
    const dataset = m ? DATASETS[m[1]!] : undefined;
    if (!m || !dataset) {
      throw notFound(
        `No service at ${req.path}: the simulator serves ${Object.keys(DATASETS)
          .map((d) => `/${d}/ogc/features/v1`)
          .join(', ')}`,
      );
    }
    const root =
      `${req.url.origin}${req.url.pathname.slice(0, req.url.pathname.length - (m[2] ?? '').length)}`.replace(
        /\/$/,
        '',
      );
    const rest = (m[2] ?? '/').replace(/\/+$/, '') || '/';
    const format = formatOf(req);
    if (format === 'html') return html(dataset.title, rest);
    if (rest === '/') return json(landing(root, dataset.title));
    if (rest === '/conformance') return json(conformance());
    if (rest === '/collections') {
      return json({
        links: [
          link(`${root}/collections?f=application%2Fjson`, 'self', 'application/json', 'This document'),
        ],
        collections: dataset.collections.map((c) => collectionDoc(root, c)),
      });
    }
    const parts = /^\/collections\/([^/]+)(\/items(?:\/([^/]+))?|\/queryables)?$/.exec(rest);
    if (!parts) throw notFound(`No such resource: ${req.path}`);
    const id = decodeURIComponent(parts[1]!);
    const collection = dataset.collections.find((c) => c.id === id);
    if (!collection) throw notFound(`Unknown collection ${id}`);
    if (parts[2] === undefined) return json(collectionDoc(root, collection));
    if (parts[2] === '/queryables') return json(queryables(root, collection), 'application/schema+json');
    if (parts[3] !== undefined) return item(req, collection, decodeURIComponent(parts[3]));
    return items(req, collection);
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err.status, err.code, err.message);
    throw err;
  }
}

function formatOf(req: SimRequest): 'json' | 'html' {
  const f = req.query.get('f');
  if (f === null || /^(json|geojson|application\/(geo\+)?json)$/i.test(f)) return 'json';
  if (/^(html|text\/html)$/i.test(f)) return 'html';
  throw bad(`Unsupported output format: ${f}`);
}

const json = (body: unknown, type = 'application/json'): SimResponse => ({
  status: 200,
  headers: { 'content-type': type },
  body,
});

function html(title: string, rest: string): SimResponse {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><head><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(rest)}</p></body></html>`,
  };
}

const link = (href: string, rel: string, type: string, title: string) => ({ href, rel, type, title });

function landing(root: string, title: string) {
  return {
    title,
    description: `${title} — OGC API Features (SGU, simulated offline)`,
    links: [
      link(`${root}/?f=application%2Fjson`, 'self', 'application/json', 'This document'),
      link(
        `${root}/conformance?f=application%2Fjson`,
        'conformance',
        'application/json',
        'Conformance declaration',
      ),
      link(`${root}/collections?f=application%2Fjson`, 'data', 'application/json', 'Collections'),
    ],
  };
}

function conformance() {
  const base = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf';
  return {
    conformsTo: [
      `${base}/core`,
      `${base}/geojson`,
      'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
      'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
      'http://geoserver.org/spec/ecql/1.0/req/ecql-text',
    ],
  };
}

function collectionDoc(root: string, c: Collection) {
  const href = `${root}/collections/${encodeURIComponent(c.id)}`;
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    extent: { spatial: { bbox: [[10.5, 55.0, 24.5, 69.5]], crs: crsUri('CRS84') } },
    itemType: 'feature',
    crs: [crsUri('CRS84'), 'http://www.opengis.net/def/crs/EPSG/0/4326', crsUri('EPSG:3006')],
    storageCrs: crsUri('EPSG:3006'),
    links: [
      link(`${href}?f=application%2Fjson`, 'self', 'application/json', 'This document'),
      link(`${href}/items?f=application%2Fgeo%2Bjson`, 'items', GEOJSON, `${c.id} items as GeoJSON`),
      link(
        `${href}/queryables?f=application%2Fschema%2Bjson`,
        'http://www.opengis.net/def/rel/ogc/1.0/queryables',
        'application/schema+json',
        'Queryables',
      ),
    ],
  };
}

function queryables(root: string, c: Collection) {
  const properties: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(c.properties)) {
    properties[name] =
      type === 'date'
        ? { type: 'string', format: 'date-time', title: name }
        : { type: type === 'number' ? 'number' : 'string', title: name };
  }
  if (c.geometryName)
    properties[c.geometryName] = { $ref: `https://geojson.org/schema/${c.geometryType}.json` };
  return {
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    $id: `${root}/collections/${encodeURIComponent(c.id)}/queryables`,
    type: 'object',
    title: c.title,
    properties,
  };
}

/** A non-negative integer parameter (`limit`, `startIndex`), as GeoServer reads BigIntegers. */
function integerParam(req: SimRequest, name: string): number | null {
  const raw = req.query.get(name);
  if (raw === null) return null;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw bad(`Invalid syntax ${raw} for parameter ${name}`);
  const n = Number(raw);
  if (n < 0) throw bad(`Invalid value ${raw} for parameter ${name}: it must not be negative`);
  return n;
}

function crsParam(req: SimRequest, name: string): Crs {
  const raw = req.query.get(name);
  if (raw === null) return 'CRS84';
  const crs = parseCrs(raw);
  if (!crs) throw bad(`Invalid CRS: ${raw}`);
  return crs;
}

/** `bbox` in GeoServer's APIBBoxParser terms (4 or 6 numbers, minimum ≤ maximum). */
function bboxParam(req: SimRequest): Region | null {
  const raw = req.query.get('bbox');
  if (raw === null || raw.trim() === '') return null;
  const parts = raw.split(',');
  if (parts.length !== 4 && parts.length !== 6) {
    throw bad(`Requested bounding box contains wrong number of coordinates (should have 4): ${parts.length}`);
  }
  const nums = parts.map((p, i) => {
    const n = Number(p.trim());
    if (p.trim() === '' || !Number.isFinite(n))
      throw bad(`Bounding box coordinate ${i} is not parsable:${p}`);
    return n;
  });
  const [minX, minY, maxX, maxY] =
    nums.length === 6 ? [nums[0]!, nums[1]!, nums[3]!, nums[4]!] : (nums as [number, number, number, number]);
  if (minX > maxX) throw bad(`illegal bbox, minX: ${minX} is greater than maxX: ${maxX}`);
  if (minY > maxY) throw bad(`illegal bbox, minY: ${minY} is greater than maxY: ${maxY}`);
  const crs = crsParam(req, 'bbox-crs');
  if (crs === 'EPSG:3006') return swerefBoxRegion(minX, minY, maxX, maxY);
  if (Math.abs(minY) > 90 || Math.abs(maxY) > 90) throw bad(`illegal bbox: latitude out of range in ${raw}`);
  return boxRegion({ minLon: minX, minLat: minY, maxLon: maxX, maxLat: maxY });
}

function filterParam(req: SimRequest, c: Collection): Expr | null {
  const text = req.query.get('filter');
  if (text === null || text.trim() === '') return null;
  const lang = (req.query.get('filter-lang') ?? 'cql-text').toLowerCase();
  if (!FILTER_LANGS.has(lang)) {
    throw bad(`Unsupported filter language: ${lang}. Supported: ${[...FILTER_LANGS].join(', ')}`);
  }
  try {
    return parseCql(text, {
      properties: c.properties,
      geometry: c.geometryName,
      crs: crsParam(req, 'filter-crs'),
    });
  } catch (err) {
    if (err instanceof CqlError) throw bad(`Invalid filter ${text}: ${err.message}`);
    throw err;
  }
}

/** `datetime` (an instant or an interval, `..` open) over every date property, as GeoServer does. */
function datetimeParam(req: SimRequest, c: Collection): Expr | null {
  const raw = req.query.get('datetime');
  if (raw === null || raw.trim() === '') return null;
  const ends = raw.split('/');
  if (ends.length > 2)
    throw bad(`Invalid time specification, must be a single time, or a time range: ${raw}`);
  const bound = (s: string | undefined): number | null => {
    if (s === undefined || s === '' || s === '..') return null;
    const ms = parseInstant(s);
    if (ms === null) throw bad(`Invalid time specification, ${s} is not a valid date-time`);
    return ms;
  };
  const from = bound(ends[0]);
  const to = ends.length === 2 ? bound(ends[1]) : from;
  if (ends.length === 1 && from === null) throw bad(`Invalid time specification: ${raw}`);
  const dates = Object.entries(c.properties)
    .filter(([, t]) => t === 'date')
    .map(([p]) => p);
  if (dates.length === 0) return { op: 'const', value: false };
  const per = dates.map((prop): Expr => {
    const args: Expr[] = [];
    if (from !== null) args.push({ op: 'cmp', cmp: '>=', prop, value: { kind: 'date', value: from } });
    if (to !== null) args.push({ op: 'cmp', cmp: '<=', prop, value: { kind: 'date', value: to } });
    return args.length === 1 ? args[0]! : { op: 'and', args };
  });
  return per.length === 1 ? per[0]! : { op: 'or', args: per };
}

interface Page {
  features: SimFeature[];
  matched: number | 'unknown';
}

/** Walks the plan to the page [start, start + limit), counting what matches (within COUNT_BUDGET). */
function runPlan(plan: Plan, start: number, limit: number): Page {
  const features: SimFeature[] = [];
  if (plan.residual === null && plan.region === null) {
    let skip = start;
    let total = 0;
    for (const seg of plan.segments) {
      total += seg.count;
      for (let i = Math.min(skip, seg.count); i < seg.count && features.length < limit; i++)
        features.push(seg.get(i));
      skip = Math.max(0, skip - seg.count);
    }
    return { features, matched: total };
  }
  let matched = 0;
  let scanned = 0;
  for (const seg of plan.segments) {
    for (let i = 0; i < seg.count; i++) {
      if (features.length >= limit && scanned > COUNT_BUDGET) return { features, matched: 'unknown' };
      const f = seg.get(i);
      scanned++;
      if (plan.region !== null && !intersectsRegion(f.geometry, plan.region)) continue;
      if (plan.residual !== null && !evaluate(plan.residual, f)) continue;
      if (matched >= start && features.length < limit) features.push(f);
      matched++;
    }
  }
  return { features, matched };
}

function items(req: SimRequest, c: Collection): SimResponse {
  const limit = Math.min(MAX_LIMIT, integerParam(req, 'limit') ?? MAX_LIMIT);
  if (limit < 1)
    throw bad(`Invalid value ${req.query.get('limit')} for parameter limit: it must be at least 1`);
  // GeoServer pages with startIndex; `offset` (the OGC name some clients send) is taken too.
  const start = integerParam(req, 'startIndex') ?? integerParam(req, 'offset') ?? 0;
  const crs = crsParam(req, 'crs');
  const region = bboxParam(req);
  if (region !== null && c.geometryName === null) {
    throw bad(`Collection ${c.id} has no geometry: bbox cannot be applied`);
  }
  const filter = filterParam(req, c);
  const time = datetimeParam(req, c);
  const where = filter && time ? { op: 'and' as const, args: [filter, time] } : (filter ?? time);
  const page = runPlan(c.plan(where, region, req.now), start, limit);
  const self = req.url.href;
  const links = [link(self, 'self', GEOJSON, 'This document')];
  const more =
    page.matched === 'unknown' ? page.features.length === limit : start + page.features.length < page.matched;
  if (page.features.length > 0 && more)
    links.push(link(pageHref(req, start + page.features.length, limit), 'next', GEOJSON, 'Next page'));
  if (start > 0) {
    const prev = Math.max(0, start - limit);
    links.push(link(pageHref(req, prev, start - prev), 'prev', GEOJSON, 'Previous page'));
  }
  return collectionResponse(c, page.features, page.matched, crs, req, links);
}

/** The request's URL with another page: GeoServer keeps every parameter and sets startIndex and limit. */
function pageHref(req: SimRequest, start: number, limit: number): string {
  const url = new URL(req.url.href);
  url.searchParams.delete('offset');
  url.searchParams.set('startIndex', String(start));
  url.searchParams.set('limit', String(limit));
  return url.href;
}

function item(req: SimRequest, c: Collection, featureId: string): SimResponse {
  const crs = crsParam(req, 'crs');
  const f = c.item(featureId, req.now);
  if (!f) throw notFound(`Feature ${featureId} not found in collection ${c.id}`);
  return collectionResponse(c, [f], 1, crs, req, [link(req.url.href, 'self', GEOJSON, 'This document')]);
}

function collectionResponse(
  c: Collection,
  features: SimFeature[],
  matched: number | 'unknown',
  crs: Crs,
  req: SimRequest,
  links: ReturnType<typeof link>[],
): SimResponse {
  const only = req.query.get('properties');
  const keep = only === null ? null : new Set(only.split(',').map((p) => p.trim()));
  return {
    status: 200,
    headers: { 'content-type': GEOJSON, 'content-crs': `<${crsUri(crs)}>` },
    body: {
      type: 'FeatureCollection',
      features: features.map((f) => ({
        type: 'Feature',
        id: f.id,
        geometry: f.geometry === null ? null : project(f.geometry, crs),
        ...(c.geometryName ? { geometry_name: c.geometryName } : {}),
        properties:
          keep === null
            ? f.properties
            : Object.fromEntries(Object.entries(f.properties).filter(([k]) => keep.has(k))),
      })),
      totalFeatures: matched,
      numberMatched: matched,
      numberReturned: features.length,
      timeStamp: new Date(req.now).toISOString(),
      crs: { type: 'name', properties: { name: crsUrn(crs) } },
      links,
    },
  };
}
