/**
 * A reusable client for OGC API – Features services (Part 1 core + CQL text filters), built on the
 * kit's `Upstream` (so it gets caching, single-flight, retries, rate limits and snapshot replay).
 *
 * - Items: `bbox`, CQL `filter` (+ `filter-lang`), `limit`, `crs`; paging follows the
 *   `links[rel=next].href` the server sends, verbatim (GeoServer uses `startIndex`, others `offset`:
 *   we never guess), bounded by `maxPages` and `maxFeatures`.
 * - `numberMatched` may be a number, the string `"unknown"` or missing (GeoServer adds
 *   `totalFeatures`); all are tolerated.
 * - WGS84 in and out: bboxes are sent in CRS84 (`minLon,minLat,maxLon,maxLat`) and positions are read
 *   as `[longitude, latitude]`. Coordinates are never swapped on the strength of a `crs` label:
 *   GeoServer labels CRS84 output `urn:ogc:def:crs:EPSG::4326`, which formally means lat,lon.
 * - A single-item request (`/items/{id}`) may answer with a FeatureCollection instead of a Feature.
 */
import { UpstreamError } from './errors.ts';
import type { BBox } from './geo.ts';
import { round6 } from './sweden.ts';
import type { RequestTrace, Upstream } from './upstream.ts';
import { expectArray, expectObject, isObject, looseNumber, ShapeError } from './validate.ts';

export type { BBox };

/** OGC's URI for WGS84 longitude-latitude, the default of every OGC API Features service. */
export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** A property value as the services send it: types drift (an int arrives as a float or a string). */
export type OgcValue = string | number | boolean | null;

export interface OgcGeometry {
  type: string;
  /** Positions as sent: `[lon, lat]` in CRS84 output. */
  coordinates: unknown;
}

export interface OgcFeature {
  /** Feature id as sent (GeoServer: `"<collection>.<fid>"`, e.g. `"stationer.4086"`), or null. */
  id: string | null;
  /** Null when the service hides the position. */
  geometry: OgcGeometry | null;
  /** Values loosely typed (number | string | boolean | null); nested values are dropped. */
  properties: Record<string, OgcValue>;
}

export interface OgcLink {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** One parsed page of `/items`. */
export interface OgcPage {
  features: OgcFeature[];
  /** `numberMatched` when it is a number; null when missing or `"unknown"`. */
  numberMatched: number | null;
  numberReturned: number | null;
  /** GeoServer's extra `totalFeatures`, when a number. */
  totalFeatures: number | null;
  timeStamp: string | null;
  /** The `crs` member's name (GeoServer's GeoJSON extension), if any. */
  crsName: string | null;
  links: OgcLink[];
  /**
   * Whether the response had a `links` array at all. Only then does a missing `next` link prove
   * this is the last page (a saved real SGU response had no `links` member).
   */
  linksSent: boolean;
}

export interface ParseOptions {
  /**
   * Reject pages whose positions cannot be WGS84 longitude/latitude (default true). Switch off when
   * a projected output `crs` was requested.
   */
  expectWgs84?: boolean;
}

/** Parses a FeatureCollection (or a bare Feature, as some services answer `/items/{id}`). */
export function parseFeatureCollection(json: unknown, options: ParseOptions = {}): OgcPage {
  const root = expectObject(json, 'response');
  const expectWgs84 = options.expectWgs84 ?? true;
  const crsName = crsNameOf(root['crs']);
  if (expectWgs84 && crsName !== null && !isWgs84Name(crsName)) {
    throw new ShapeError(`response.crs: expected WGS84 (CRS84 or EPSG:4326), got ${crsName}`);
  }
  let rawFeatures: unknown[];
  if (root['type'] === 'Feature') rawFeatures = [root];
  else {
    if (root['type'] !== undefined && root['type'] !== 'FeatureCollection') {
      throw new ShapeError(`response.type: expected "FeatureCollection", got ${String(root['type'])}`);
    }
    rawFeatures = root['features'] === null ? [] : expectArray(root['features'], 'response.features');
  }
  const features = rawFeatures.map((raw, i) => parseFeature(raw, `response.features[${i}]`, expectWgs84));
  const links = Array.isArray(root['links'])
    ? root['links'].flatMap((l): OgcLink[] =>
        isObject(l) && typeof l['href'] === 'string' && typeof l['rel'] === 'string'
          ? [
              {
                href: l['href'],
                rel: l['rel'],
                ...(typeof l['type'] === 'string' ? { type: l['type'] } : {}),
                ...(typeof l['title'] === 'string' ? { title: l['title'] } : {}),
              },
            ]
          : [],
      )
    : [];
  return {
    features,
    numberMatched: countOf(root['numberMatched']),
    numberReturned: countOf(root['numberReturned']),
    totalFeatures: countOf(root['totalFeatures']),
    timeStamp: typeof root['timeStamp'] === 'string' ? root['timeStamp'] : null,
    crsName,
    links,
    linksSent: Array.isArray(root['links']),
  };
}

function parseFeature(raw: unknown, path: string, expectWgs84: boolean): OgcFeature {
  const f = expectObject(raw, path);
  const id = typeof f['id'] === 'string' ? f['id'] : typeof f['id'] === 'number' ? String(f['id']) : null;
  let geometry: OgcGeometry | null = null;
  if (f['geometry'] !== null && f['geometry'] !== undefined) {
    const g = expectObject(f['geometry'], `${path}.geometry`);
    if (typeof g['type'] !== 'string') throw new ShapeError(`${path}.geometry.type: expected a string`);
    geometry = { type: g['type'], coordinates: g['coordinates'] };
    if (expectWgs84) checkWgs84(g['coordinates'], `${path}.geometry`);
  }
  const properties: Record<string, OgcValue> = {};
  if (isObject(f['properties'])) {
    for (const [key, value] of Object.entries(f['properties'])) {
      if (
        value === null ||
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean'
      ) {
        properties[key] = value;
      }
    }
  }
  return { id, geometry, properties };
}

/** Walks to the first position and checks it is a plausible [lon, lat]. */
function checkWgs84(coordinates: unknown, path: string): void {
  let c: unknown = coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  if (!Array.isArray(c) || c.length === 0) return; // empty geometry: nothing to check
  const [lon, lat] = c as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number') {
    throw new ShapeError(`${path}.coordinates: expected numeric positions`);
  }
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    throw new ShapeError(
      `${path}.coordinates: [${lon}, ${lat}] is not WGS84 longitude/latitude (projected output?)`,
    );
  }
}

function crsNameOf(crs: unknown): string | null {
  if (typeof crs === 'string') return crs;
  if (isObject(crs) && isObject(crs['properties']) && typeof crs['properties']['name'] === 'string') {
    return crs['properties']['name'];
  }
  return null;
}

/** CRS84 and EPSG:4326 in their usual spellings (URN, URI, short form). */
function isWgs84Name(name: string): boolean {
  return /CRS:?84|EPSG(?::+|\/0\/|\/)4326$|EPSG:4326$/i.test(name.trim());
}

/** A count that may arrive as a number, a numeric string, `"unknown"` or not at all. */
function countOf(value: unknown): number | null {
  const n = looseNumber(value);
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}

/** `{ longitude, latitude }` of a Point feature, reading positions as [lon, lat]; null otherwise. */
export function pointOf(feature: OgcFeature): { longitude: number; latitude: number } | null {
  const g = feature.geometry;
  if (!g) return null;
  let c: unknown = g.coordinates;
  // A MultiPoint with one point is common in exports; take its first point.
  if (g.type === 'MultiPoint' && Array.isArray(c)) c = c[0];
  else if (g.type !== 'Point') return null;
  if (!Array.isArray(c)) return null;
  const lon = looseNumber(c[0]);
  const lat = looseNumber(c[1]);
  return lon === null || lat === null ? null : { longitude: lon, latitude: lat };
}

/** The `next` link to follow: JSON variants first; HTML and other formats are skipped. */
export function nextLinkOf(links: readonly OgcLink[]): string | null {
  const next = links.filter((l) => l.rel.toLowerCase() === 'next');
  const json = next.find((l) => l.type !== undefined && /geo\+json/i.test(l.type));
  const anyJson = next.find((l) => l.type !== undefined && /json/i.test(l.type));
  const untyped = next.find((l) => l.type === undefined);
  return (json ?? anyJson ?? untyped)?.href ?? null;
}

/** Quotes a string literal for CQL text (single quotes doubled). */
export function cqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A bbox around a point, `halfSizeDeg` degrees each way (both axes). */
export function bboxAround(latitude: number, longitude: number, halfSizeDeg: number): BBox {
  return {
    minLon: longitude - halfSizeDeg,
    minLat: latitude - halfSizeDeg,
    maxLon: longitude + halfSizeDeg,
    maxLat: latitude + halfSizeDeg,
  };
}

/** A bbox covering a circle of `radiusKm` around a point (a conservative box; filter by distance after). */
export function bboxForRadius(latitude: number, longitude: number, radiusKm: number): BBox {
  const dLat = radiusKm / 110.574;
  const dLon = radiusKm / (111.32 * Math.max(0.01, Math.cos((latitude * Math.PI) / 180)));
  return {
    minLon: longitude - dLon,
    minLat: latitude - dLat,
    maxLon: longitude + dLon,
    maxLat: latitude + dLat,
  };
}

/** The `bbox` parameter in CRS84 axis order, 6 decimals (≈ 0.1 m). */
export function formatBBox(box: BBox): string {
  return [box.minLon, box.minLat, box.maxLon, box.maxLat].map((n) => String(round6(n))).join(',');
}

/** What to ask `/items` for. */
export interface ItemsQuery {
  /** Features intersecting this box (CRS84). The server does not clip them. */
  bbox?: BBox;
  /** CQL text, e.g. `kommunkod='0180'`. Quote literals with `cqlString`. */
  filter?: string;
  /** Default `cql-text` when a filter is given. */
  filterLang?: string;
  /** Page size sent as `limit` (default: the service's own default). */
  limit?: number;
  /** Output CRS URI; default none, which means CRS84 in OGC API Features. */
  crs?: string;
}

/** How much to fetch and how long to cache it. */
export interface ItemsOptions {
  /** Cache TTL of each page (default: the upstream's). */
  ttlMs?: number;
  trace?: RequestTrace | undefined;
  /** Pages to request at most, the first included (default: the service's, 10). */
  maxPages?: number;
  /** Features to collect at most; the rest is left unread (default: the service's, 5 000). */
  maxFeatures?: number;
}

/** All features collected over the pages read. */
export interface ItemsResult {
  features: OgcFeature[];
  /** Best known total: `numberMatched`, else `totalFeatures`, else the count read when complete; null if unknown. */
  numberMatched: number | null;
  /** Pages requested. */
  pages: number;
  /** True when more features exist than were read (page or feature bound reached). */
  truncated: boolean;
}

export interface OgcCollection {
  id: string;
  title: string | null;
  description: string | null;
}

/** One OGC API Features service (a landing page and its collections). */
export interface OgcFeaturesService {
  /** Path of the service root below the upstream's base URL, e.g. `/brunnar/ogc/features/v1`. */
  readonly root: string;
  /** The service's collections (a 404 is UPSTREAM_BAD_RESPONSE: the service is expected to exist). */
  collections(options?: Pick<ItemsOptions, 'ttlMs' | 'trace'>): Promise<OgcCollection[] | null>;
  /**
   * Items of a collection, following `next` links. A 404 for the collection is UPSTREAM_BAD_RESPONSE
   * naming its path (the gateway only asks for collections it knows); a `next` link that 404s ends
   * the read with `truncated`.
   */
  items(collection: string, query?: ItemsQuery, options?: ItemsOptions): Promise<ItemsResult | null>;
  /** One feature by id; null when absent. */
  item(
    collection: string,
    featureId: string,
    options?: Pick<ItemsOptions, 'ttlMs' | 'trace'>,
  ): Promise<OgcFeature | null>;
  /** How many features match, from one `limit=1` request; null when the service does not say. */
  count(
    collection: string,
    query?: Omit<ItemsQuery, 'limit'>,
    options?: Pick<ItemsOptions, 'ttlMs' | 'trace'>,
  ): Promise<number | null>;
  /** The URL of the first `/items` page (for logs, manifests and tests). */
  itemsUrl(collection: string, query?: ItemsQuery): string;
}

export interface OgcServiceOptions {
  /** Default page bound of `items` (default 10). */
  maxPages?: number;
  /** Default feature bound of `items` (default 5 000). */
  maxFeatures?: number;
  /** Send `f=json` with every request (default true: GeoServer otherwise may pick HTML for browsers). */
  formatParam?: boolean;
}

/**
 * An OGC API Features service under `root` on the upstream's origin, e.g.
 * `ogcFeatures(sguUpstream, '/brunnar/ogc/features/v1')`.
 */
export function ogcFeatures(
  upstream: Upstream,
  root: string,
  serviceOptions: OgcServiceOptions = {},
): OgcFeaturesService {
  const { maxPages: defaultMaxPages = 10, maxFeatures: defaultMaxFeatures = 5_000 } = serviceOptions;
  const formatParam = serviceOptions.formatParam ?? true;
  const base = `/${root.replace(/^\/+|\/+$/g, '')}`;
  const origin = new URL(upstream.baseUrl).origin;
  const itemsPath = (collection: string) => `${base}/collections/${encodeURIComponent(collection)}/items`;

  /** Query parameters in a fixed order (snapshot keys depend on it). */
  function params(query: ItemsQuery): Record<string, string | number | undefined> {
    const out: Record<string, string | number | undefined> = {};
    if (formatParam) out['f'] = 'json';
    if (query.bbox) out['bbox'] = formatBBox(query.bbox);
    if (query.filter !== undefined) {
      out['filter'] = query.filter;
      out['filter-lang'] = query.filterLang ?? 'cql-text';
    }
    if (query.crs !== undefined) out['crs'] = query.crs;
    if (query.limit !== undefined) out['limit'] = query.limit;
    return out;
  }

  const parserFor = (query: ItemsQuery) => (json: unknown) =>
    parseFeatureCollection(json, { expectWgs84: query.crs === undefined || isWgs84Name(query.crs) });

  /** Resolves a `next` href (absolute, or relative to the page) and refuses other origins. */
  function followable(href: string, current: string): string {
    let url: URL;
    try {
      url = new URL(href, current);
    } catch (err) {
      throw new UpstreamError(
        'BAD_PAYLOAD',
        upstream.agency,
        `${upstream.agency} sent an unusable next link`,
        {
          cause: err,
        },
      );
    }
    if (url.origin !== origin) {
      throw new UpstreamError(
        'BAD_PAYLOAD',
        upstream.agency,
        `${upstream.agency} sent a next link to another origin (${url.origin}); it was not followed`,
      );
    }
    return /^https?:\/\//i.test(href) ? href : url.toString();
  }

  const service: OgcFeaturesService = {
    root: base,
    itemsUrl: (collection, query = {}) => upstream.urlFor(itemsPath(collection), params(query)),

    async collections(options = {}) {
      return upstream.get({
        path: `${base}/collections`,
        query: formatParam ? { f: 'json' } : {},
        ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
        trace: options.trace,
        parse: (json) => {
          const list = expectArray(
            expectObject(json, 'collections')['collections'],
            'collections.collections',
          );
          return list.map((c, i) => {
            const o = expectObject(c, `collections.collections[${i}]`);
            if (typeof o['id'] !== 'string')
              throw new ShapeError(`collections.collections[${i}].id: expected a string`);
            return {
              id: o['id'],
              title: typeof o['title'] === 'string' ? o['title'] : null,
              description: typeof o['description'] === 'string' ? o['description'] : null,
            };
          });
        },
      });
    },

    async items(collection, query = {}, options = {}) {
      const maxPages = options.maxPages ?? defaultMaxPages;
      const maxFeatures = options.maxFeatures ?? defaultMaxFeatures;
      const parse = parserFor(query);
      const ttl = options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {};
      let url = upstream.urlFor(itemsPath(collection), params(query));
      const seen = new Set<string>();
      const features: OgcFeature[] = [];
      let first: OgcPage | null = null;
      let pages = 0;
      for (;;) {
        seen.add(url);
        // A collection the gateway asks for must exist (a 404 there is UPSTREAM_BAD_RESPONSE naming the
        // path); only a `next` link the service itself gave may 404 (then the result is incomplete).
        const page = await upstream.get({
          path: url,
          parse,
          ...ttl,
          trace: options.trace,
          notFoundIsNull: pages > 0,
        });
        pages += 1;
        if (page === null) {
          // A next link that 404s: keep what we have, and say the result is incomplete.
          return { features, numberMatched: totalOf(first, features.length, false), pages, truncated: true };
        }
        first ??= page;
        features.push(...page.features);
        const next = nextLinkOf(page.links);
        const nextUrl = next === null ? null : followable(next, url);
        const looped = nextUrl !== null && seen.has(nextUrl);
        const exhausted = nextUrl === null || page.features.length === 0 || looped;
        if (features.length >= maxFeatures) {
          const more = features.length > maxFeatures || !exhausted || !isLastPage(page, looped);
          return {
            features: features.slice(0, maxFeatures),
            numberMatched: totalOf(first, features.length, !more),
            pages,
            truncated: more,
          };
        }
        if (exhausted) {
          const complete = isLastPage(page, looped);
          const numberMatched = totalOf(first, features.length, complete);
          // A known total beyond what was read, or a broken next link, means some were not read.
          const truncated = looped || (numberMatched !== null && numberMatched > features.length);
          return { features, numberMatched, pages, truncated };
        }
        if (pages >= maxPages) {
          return { features, numberMatched: totalOf(first, features.length, false), pages, truncated: true };
        }
        url = nextUrl;
      }
    },

    async item(collection, featureId, options = {}) {
      const page = await upstream.get({
        path: `${itemsPath(collection)}/${encodeURIComponent(featureId)}`,
        query: formatParam ? { f: 'json' } : {},
        parse: parserFor({}),
        ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
        trace: options.trace,
        // No feature with this id.
        notFoundIsNull: true,
      });
      if (!page) return null;
      // GeoServer answers with a FeatureCollection of one; pick the feature with that id if several.
      return page.features.find((f) => f.id === featureId) ?? page.features[0] ?? null;
    },

    async count(collection, query = {}, options = {}) {
      const page = await upstream.get({
        path: itemsPath(collection),
        query: params({ ...query, limit: 1 }),
        parse: parserFor(query),
        ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
        trace: options.trace,
      });
      if (!page) return null;
      return totalOf(page, page.features.length, isLastPage(page, false));
    },
  };
  return service;
}

/**
 * Whether a page without a (new) next link really is the last: it is empty, or the server sends
 * `links` and names no next. Without a `links` member a full page proves nothing (with limit=1, one
 * feature back would otherwise "count" as a total of 1).
 */
function isLastPage(page: OgcPage, looped: boolean): boolean {
  if (page.features.length === 0) return true;
  return !looped && page.linksSent && nextLinkOf(page.links) === null;
}

/** numberMatched, else GeoServer's totalFeatures, else what was read if that was everything. */
function totalOf(page: OgcPage | null, read: number, complete: boolean): number | null {
  return page?.numberMatched ?? page?.totalFeatures ?? (complete ? read : null);
}
