import { json, type SimRequest, type SimResponse, seededRandom } from '../../../kit/simulator.ts';
import { isSwerefSrid, mm, projectTo } from './crs.ts';
import type { BoundaryUnit, MultiPolygonCoords, SimGeography } from './geography.ts';
import { uuidFrom } from './util.ts';

/**
 * The simulated "Kommun, län och rike Direkt" (OGC API Features, reference §2.5) over the real
 * embedded outlines (`geography.ts`). Collections `kommuner`, `lan`, `rike`; `items` filtered by
 * `kommunkod` / `lanskod`, paged by `limit` (1–10 000, default 10) and `offset`, in CRS84 by default
 * or the `crs` asked for (`…/EPSG/0/3006` → [N, E], as the reference says for this family of services;
 * `…/EPSG/0/4326` → [lat, lon]). Errors use the OGC API exception body `{ code, description }`
 * (OGC API – Features Part 1, `exception.yaml`).
 */

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG = 'http://www.opengis.net/def/crs/EPSG/0/';
const SUPPORTED_CRS = [CRS84, `${EPSG}4326`, ...Array.from({ length: 13 }, (_, i) => `${EPSG}${3006 + i}`)];

/** The official county letters (länsbokstav), a public code list (e.g. SCB, Transportstyrelsen). */
const LANSBOKSTAV: Record<string, string> = {
  '01': 'AB',
  '03': 'C',
  '04': 'D',
  '05': 'E',
  '06': 'F',
  '07': 'G',
  '08': 'H',
  '09': 'I',
  '10': 'K',
  '12': 'M',
  '13': 'N',
  '14': 'O',
  '17': 'S',
  '18': 'T',
  '19': 'U',
  '20': 'W',
  '21': 'X',
  '22': 'Y',
  '23': 'Z',
  '24': 'AC',
  '25': 'BD',
};

export function ogcException(status: number, code: string, description: string): SimResponse {
  return json(status, { code, description });
}

type Collection = 'kommuner' | 'lan' | 'rike';

const TITLES: Record<Collection, string> = {
  kommuner: 'Kommuner',
  lan: 'Län',
  rike: 'Rike',
};

/** Positions in the output CRS: CRS84 [lon, lat], EPSG:4326 [lat, lon], SWEREF 99 [N, E]. */
function transform(polygons: MultiPolygonCoords, crs: string): MultiPolygonCoords {
  if (crs === CRS84) return polygons;
  const code = Number(crs.slice(EPSG.length));
  return polygons.map((polygon) =>
    polygon.map((ring) =>
      ring.map(([lon, lat]) => {
        if (code === 4326) return [lat!, lon!];
        const p = projectTo(code, lat!, lon!);
        return [mm(p.n), mm(p.e)];
      }),
    ),
  );
}

function properties(kind: Collection, unit: BoundaryUnit, geo: SimGeography): Record<string, unknown> {
  const total = geo.area(unit);
  // Water share: SYNTHETIC (seeded, 2–14 %); the embedded outlines do not tell land from water.
  const water = total * (0.02 + 0.12 * seededRandom(`vattenareal/${kind}/${unit.code}`)());
  const round2 = (v: number) => Math.round(v * 100) / 100;
  const common = {
    objektidentitet: uuidFrom(`administrativ-indelning/${kind}/${unit.code}`),
    objektversion: 1,
    versionGiltigFran: '2024-01-01T00:00:00Z',
    versionGiltigTill: null,
    objekttyp: kind === 'kommuner' ? 'Kommun' : kind === 'lan' ? 'Län' : 'Rike',
    enhetstyp: kind === 'kommuner' ? 'Kommun' : kind === 'lan' ? 'Län' : 'Rike',
    gransstatus: 'Gällande',
  };
  const areas = {
    landareal_varde: round2(total - water),
    landareal_enhet: 'km2',
    vattenareal_varde: round2(water),
    vattenareal_enhet: 'km2',
    totalareal_varde: round2(total),
    totalareal_enhet: 'km2',
    referensdatumFran: '2024-01-01',
    referensdatumTill: null,
  };
  if (kind === 'kommuner') {
    return {
      ...common,
      lanskod: unit.code.slice(0, 2),
      kommunkod: unit.code,
      landskod: 'SE',
      hogstaForvaltningsniva: false,
      beslutatNamn: unit.name,
      namnKortform: unit.shortName,
      ...areas,
    };
  }
  if (kind === 'lan') {
    return {
      ...common,
      lanskod: unit.code,
      landskod: 'SE',
      hogstaForvaltningsniva: false,
      beslutatNamn: unit.name,
      namnKortform: unit.shortName,
      lansbokstav: LANSBOKSTAV[unit.code] ?? null,
      ...areas,
    };
  }
  return {
    ...common,
    landskod: 'SE',
    hogstaForvaltningsniva: true,
    beslutatNamn: 'Sverige',
    namnKortform: 'Sverige',
    nationellIdentifieringskod: 'SE',
    ...areas,
  };
}

function units(kind: Collection, geo: SimGeography): BoundaryUnit[] {
  if (kind === 'kommuner') return geo.municipalities.map((m) => geo.kommun(m.code)!);
  if (kind === 'lan') return geo.counties.map((c) => geo.lan(c.code)!);
  return [geo.rike()];
}

const featureId = (kind: Collection, unit: BoundaryUnit) => (kind === 'rike' ? 1 : Number(unit.code));

function feature(kind: Collection, unit: BoundaryUnit, geo: SimGeography, crs: string) {
  return {
    type: 'Feature',
    id: featureId(kind, unit),
    geometry: { type: 'MultiPolygon', coordinates: transform(unit.polygons, crs) },
    properties: properties(kind, unit, geo),
  };
}

function collectionInfo(base: string, kind: Collection) {
  return {
    id: kind,
    title: TITLES[kind],
    itemType: 'feature',
    crs: SUPPORTED_CRS,
    storageCrs: `${EPSG}3006`,
    extent: { spatial: { bbox: [[10.95, 55.33, 24.18, 69.06]], crs: CRS84 } },
    links: [
      { href: `${base}/collections/${kind}`, rel: 'self', type: 'application/json', title: TITLES[kind] },
      {
        href: `${base}/collections/${kind}/items`,
        rel: 'items',
        type: 'application/geo+json',
        title: 'Items',
      },
    ],
  };
}

function isCollection(id: string): id is Collection {
  return id === 'kommuner' || id === 'lan' || id === 'rike';
}

export interface OgcHandler {
  /** True when the request needs credentials (items); landing page and collection lists are public. */
  needsAuth(req: SimRequest): boolean;
  handle(req: SimRequest): SimResponse;
}

export function createOgcHandler(base: string, geo: SimGeography): OgcHandler {
  return {
    needsAuth: (req) => /^\/collections\/[^/]+\/items(\/|$)/.test(req.path),
    handle(req) {
      if (req.method !== 'GET')
        return ogcException(405, 'MethodNotAllowed', `${req.method} is not supported`);
      const f = req.query.get('f');
      if (f !== null && f !== 'json' && f !== 'geojson') {
        return ogcException(400, 'InvalidParameterValue', `Unsupported format f=${f}: use json`);
      }
      const segments = req.path.split('/').filter((s) => s !== '');
      if (segments.length === 0) {
        return json(200, {
          title: 'Kommun, län och rike Direkt (offline simulator)',
          links: [
            { href: `${base}/`, rel: 'self', type: 'application/json' },
            { href: `${base}/conformance`, rel: 'conformance', type: 'application/json' },
            { href: `${base}/collections`, rel: 'data', type: 'application/json' },
          ],
        });
      }
      if (segments[0] === 'conformance' && segments.length === 1) {
        return json(200, {
          conformsTo: [
            'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
            'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
            'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
          ],
        });
      }
      if (segments[0] !== 'collections') return ogcException(404, 'NotFound', `No resource ${req.path}`);
      if (segments.length === 1) {
        return json(200, {
          collections: (['kommuner', 'lan', 'rike'] as const).map((k) => collectionInfo(base, k)),
          links: [{ href: `${base}/collections`, rel: 'self', type: 'application/json' }],
        });
      }
      const id = segments[1]!;
      if (!isCollection(id)) return ogcException(404, 'NotFound', `Collection ${id} does not exist`);
      if (segments.length === 2) return json(200, collectionInfo(base, id));
      if (segments[2] !== 'items' || segments.length > 4) {
        return ogcException(404, 'NotFound', `No resource ${req.path}`);
      }
      const crs = req.query.get('crs') ?? CRS84;
      if (!SUPPORTED_CRS.includes(crs)) {
        return ogcException(
          400,
          'InvalidParameterValue',
          `Unsupported crs ${crs}: use one of ${SUPPORTED_CRS.join(', ')}`,
        );
      }
      const code = crs === CRS84 ? null : Number(crs.slice(EPSG.length));
      if (code !== null && code !== 4326 && !isSwerefSrid(code)) {
        return ogcException(400, 'InvalidParameterValue', `Unsupported crs ${crs}`);
      }
      const headers = {
        'content-type': 'application/geo+json',
        'content-crs': `<${crs}>`,
      };
      const all = units(id, geo);
      if (segments.length === 4) {
        const fid = segments[3]!;
        const unit = all.find((u) => String(featureId(id, u)) === fid);
        if (!unit) return ogcException(404, 'NotFound', `Feature ${fid} does not exist in ${id}`);
        return json(200, feature(id, unit, geo, crs), headers);
      }
      const limit = Number(req.query.get('limit') ?? 10);
      const offset = Number(req.query.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        return ogcException(400, 'InvalidParameterValue', 'limit must be an integer from 1 to 10000');
      }
      if (!Number.isInteger(offset) || offset < 0) {
        return ogcException(400, 'InvalidParameterValue', 'offset must be a non-negative integer');
      }
      const kommunkod = req.query.get('kommunkod');
      const lanskod = req.query.get('lanskod');
      const bboxRaw = req.query.get('bbox');
      let bbox: number[] | null = null;
      if (bboxRaw !== null) {
        bbox = bboxRaw.split(',').map(Number);
        if (bbox.length !== 4 || !bbox.every(Number.isFinite)) {
          return ogcException(
            400,
            'InvalidParameterValue',
            'bbox must be minLon,minLat,maxLon,maxLat (CRS84)',
          );
        }
      }
      const matched = all.filter((u) => {
        if (kommunkod !== null && (id !== 'kommuner' || u.code !== kommunkod)) return false;
        if (lanskod !== null && (id === 'rike' || u.code.slice(0, 2) !== lanskod)) return false;
        if (bbox) {
          const [x0, y0, x1, y1] = bbox as [number, number, number, number];
          if (u.bbox.maxLon < x0 || u.bbox.minLon > x1 || u.bbox.maxLat < y0 || u.bbox.minLat > y1)
            return false;
        }
        return true;
      });
      const page = matched.slice(offset, offset + limit);
      const self = new URL(req.url.href);
      const links: Array<Record<string, string>> = [
        { href: self.href, rel: 'self', type: 'application/geo+json', title: 'This document' },
      ];
      if (offset + limit < matched.length) {
        const next = new URL(req.url.href);
        next.searchParams.set('offset', String(offset + limit));
        next.searchParams.set('limit', String(limit));
        links.push({ href: next.href, rel: 'next', type: 'application/geo+json', title: 'Next page' });
      }
      return json(
        200,
        {
          type: 'FeatureCollection',
          features: page.map((u) => feature(id, u, geo, crs)),
          links,
          timeStamp: new Date(req.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          numberMatched: matched.length,
          numberReturned: page.length,
        },
        headers,
      );
    },
  };
}
