import { UpstreamError } from '../../kit/errors.ts';
import { haversineKm, type Polygonal } from '../../kit/geo.ts';
import { round6 } from '../../kit/sweden.ts';
import type { RequestTrace, Upstream, UpstreamMode } from '../../kit/upstream.ts';
import {
  expectArray,
  expectObject,
  isObject,
  type Json,
  looseNumber,
  optionalString,
} from '../../kit/validate.ts';
import {
  ADDRESS,
  ADMIN,
  AGENCY,
  type AuthScheme,
  GEOTORGET_URL,
  type LmApi,
  type LmAuth,
  MARKHOJD,
  ORTNAMN,
  TokenEndpointError,
} from './auth.ts';
import {
  directPointParam,
  markhojdBody,
  roundSweref,
  type Sweref,
  swerefFromEitherOrder,
  toSweref,
  toWgs84,
} from './coords.ts';

const DAY_MS = 24 * 60 * 60_000;
/** Place names change rarely; a day keeps renames visible within a day. */
export const PLACE_NAME_TTL_MS = DAY_MS;
/** Addresses: never kept longer than a day (personal-data terms), and never served stale. */
export const ADDRESS_TTL_MS = DAY_MS;
/** Elevation and boundaries change on the scale of years. */
export const GEODATA_TTL_MS = 30 * DAY_MS;
/** Belägenhetsadress `POST /` takes at most 250 ids (reference §2.1). */
export const ADDRESS_BATCH_MAX = 250;
/** Markhöjd takes at most 1 000 points per request (reference §2.6). */
export const ELEVATION_BATCH_MAX = 1000;
/** Ortnamn `maxHits` upper bound (reference §2.4). */
export const PLACE_NAMES_MAX = 400;
/** Markhöjd's no-data value when the response does not name one. */
const NO_DATA = -9999;
/**
 * Name of Ortnamn `/punkt`'s point parameter: UNCONFIRMED (reference §2.4). Belägenhetsadress and
 * Registerbeteckning use `koordinater`, so that is what we send.
 */
export const ORTNAMN_POINT_PARAM = 'koordinater';

/** One placement of a place name (Ortnamn rows are flattened name × placement). */
export interface PlaceNameRecord {
  name: string;
  /** `namntyp`, e.g. "Bebyggelse". */
  type: string | null;
  /** `sprak`. */
  language: string | null;
  municipalityCode: string | null;
  municipalityName: string | null;
  countyCode: string | null;
  countyName: string | null;
  latitude: number;
  longitude: number;
  /** Distance from the point asked about (nearest-name lookups only), metres. */
  distanceMeters: number | null;
}

/** One address (Belägenhetsadress). Personal data: never persisted beyond the 1-day cache. */
export interface AddressRecord {
  id: string;
  label: string;
  street: string | null;
  number: string | null;
  letter: string | null;
  postalCode: string | null;
  postalTown: string | null;
  municipalityCode: string | null;
  latitude: number | null;
  longitude: number | null;
  distanceMeters: number | null;
}

export interface AddressReference {
  id: string;
  label: string | null;
}

export type PlaceNameMatch = 'startsWith' | 'equals' | 'endsWith' | 'contains';

export interface PlaceNameSearch {
  name: string;
  match: PlaceNameMatch;
  types?: readonly string[] | undefined;
  municipalityCode?: string | undefined;
  maxHits: number;
}

/** The client surface the resolvers and loaders use (a fake satisfies it too). */
export interface LantmaterietClient {
  placeNames(search: PlaceNameSearch, trace?: RequestTrace): Promise<PlaceNameRecord[]>;
  nearestPlaceName(
    latitude: number,
    longitude: number,
    trace?: RequestTrace,
  ): Promise<PlaceNameRecord | null>;
  addresses(
    search: { text: string; municipalityCode?: string | undefined; maxHits: number },
    trace?: RequestTrace,
  ): Promise<AddressRecord[]>;
  addressesByIds(ids: readonly string[], trace?: RequestTrace): Promise<AddressRecord[]>;
  nearestAddress(latitude: number, longitude: number, trace?: RequestTrace): Promise<AddressRecord | null>;
  /** Ground heights (m, RH 2000; null = no data) for points, aligned with them; ≤ 1 000 per call. */
  elevations(points: readonly Sweref[], trace?: RequestTrace): Promise<Array<number | null>>;
  municipalityBoundary(code: string, trace?: RequestTrace): Promise<Polygonal | null>;
  countyBoundary(code: string, trace?: RequestTrace): Promise<Polygonal | null>;
}

export interface LantmaterietUpstreams {
  /** `…/distribution/produkter/ortnamn/v2.2` */
  ortnamn: Upstream;
  /** `…/distribution/produkter/markhojd/v1` */
  markhojd: Upstream;
  /** `…/ogc-features/v1/administrativ-indelning` */
  admin: Upstream;
  /** `…/distribution/produkter/belagenhetsadress/v4.2`, with stale-if-error off */
  address: Upstream;
}

const SCHEME_VARIABLES: Record<AuthScheme, string> = {
  basic: 'LM_USERNAME/LM_PASSWORD',
  oauth2: 'LM_CONSUMER_KEY/LM_CONSUMER_SECRET',
};

function isRefusal(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError && !(err instanceof TokenEndpointError) && err.kind === 'AUTH_REQUIRED';
}

export function createLantmaterietClient(options: {
  mode: UpstreamMode;
  auth: LmAuth;
  upstreams: LantmaterietUpstreams;
}): LantmaterietClient {
  const { mode, auth, upstreams } = options;

  function refused(api: LmApi, err: UpstreamError): UpstreamError {
    const scheme = auth.schemeFor(api);
    return new UpstreamError(
      'AUTH_REQUIRED',
      AGENCY,
      `Lantmäteriet refused the configured credentials for ${api.product} (HTTP ${err.status ?? '401'}): check ${scheme ? SCHEME_VARIABLES[scheme] : 'the credentials'}, and that the product is ordered and approved for the account at Geotorget (${GEOTORGET_URL}).`,
      { status: err.status, cause: err },
    );
  }

  /**
   * Runs `call` with credentials: without any (live/record mode) it fails before any upstream call;
   * an OAuth2 401 drops the cached token and retries once with a new one; a second refusal is final.
   * Snapshot mode needs no credentials (the snapshot was recorded with them). Offline mode is live
   * with credentials: `index.ts` supplies fake offline ones when none are configured, so this whole
   * path (token, Bearer header, 401 → new token) runs against the simulator.
   */
  async function authed<T>(api: LmApi, call: () => Promise<T>): Promise<T> {
    if (mode === 'snapshot') return call();
    const scheme = auth.require(api);
    try {
      return await call();
    } catch (err) {
      if (!isRefusal(err)) throw err;
      if (err.status !== 401 || scheme !== 'oauth2') throw refused(api, err);
      auth.invalidateToken();
      try {
        return await call();
      } catch (again) {
        throw isRefusal(again) ? refused(api, again) : again;
      }
    }
  }

  async function addressesByIds(ids: readonly string[], trace?: RequestTrace): Promise<AddressRecord[]> {
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += ADDRESS_BATCH_MAX) batches.push(ids.slice(i, i + ADDRESS_BATCH_MAX));
    const results = await Promise.all(
      batches.map(
        async (batch) =>
          (
            await upstreams.address.request({
              method: 'POST',
              path: '/',
              query: { includeData: 'basinformation' },
              body: batch,
              parse: parseAddressFeatures,
              // A read: safe to retry.
              idempotent: true,
              ttlMs: ADDRESS_TTL_MS,
              forceTtl: true,
              trace,
            })
          ).data ?? [],
      ),
    );
    return results.flat();
  }

  return {
    placeNames(search, trace) {
      return authed(ORTNAMN, async () => {
        const rows = await upstreams.ortnamn.get({
          path: '/kriterier',
          query: {
            namn: search.name,
            match: search.match,
            namntyp: search.types && search.types.length > 0 ? search.types.join(',') : undefined,
            kommunkod: search.municipalityCode,
            maxHits: search.maxHits,
            srid: 3006,
          },
          parse: parsePlaceNames,
          ttlMs: PLACE_NAME_TTL_MS,
          forceTtl: true,
          trace,
        });
        return rows ?? [];
      });
    },

    nearestPlaceName(latitude, longitude, trace) {
      const point = roundSweref(toSweref(latitude, longitude));
      return authed(ORTNAMN, async () => {
        const rows = await upstreams.ortnamn.get({
          path: '/punkt',
          // No maxHits: with a point it is a 400 (reference §2.4).
          query: { [ORTNAMN_POINT_PARAM]: directPointParam(point), punktSrid: 3006, srid: 3006 },
          parse: parsePlaceNames,
          ttlMs: PLACE_NAME_TTL_MS,
          forceTtl: true,
          trace,
        });
        return nearest(rows ?? [], latitude, longitude);
      });
    },

    addresses(search, trace) {
      return authed(ADDRESS, async () => {
        const refs =
          (await upstreams.address.get({
            path: '/referens/fritext',
            query: { adress: search.text, kommunkod: search.municipalityCode, maxHits: search.maxHits },
            parse: parseAddressReferences,
            ttlMs: ADDRESS_TTL_MS,
            forceTtl: true,
            trace,
          })) ?? [];
        const details = await addressesByIds(
          refs.map((r) => r.id),
          trace,
        );
        const byId = new Map(details.map((d) => [d.id, d]));
        return refs.flatMap((ref) => {
          const found = byId.get(ref.id);
          if (!found) return [];
          return [ref.label && found.label === '' ? { ...found, label: ref.label } : found];
        });
      });
    },

    addressesByIds(ids, trace) {
      return authed(ADDRESS, () => addressesByIds(ids, trace));
    },

    nearestAddress(latitude, longitude, trace) {
      const point = roundSweref(toSweref(latitude, longitude));
      return authed(ADDRESS, async () => {
        const rows = await upstreams.address.get({
          path: '/punkt',
          query: { koordinater: directPointParam(point), punktSrid: 3006, includeData: 'basinformation' },
          parse: parseAddressFeatures,
          ttlMs: ADDRESS_TTL_MS,
          forceTtl: true,
          trace,
        });
        return nearest(rows ?? [], latitude, longitude);
      });
    },

    elevations(points, trace) {
      if (points.length === 0) return Promise.resolve([]);
      if (points.length > ELEVATION_BATCH_MAX) {
        throw new Error(`elevations: at most ${ELEVATION_BATCH_MAX} points per call, got ${points.length}`);
      }
      return authed(MARKHOJD, async () => {
        const result = await upstreams.markhojd.request({
          method: 'POST',
          path: '/hojd',
          body: markhojdBody(points),
          parse: parseElevations,
          idempotent: true,
          ttlMs: GEODATA_TTL_MS,
          forceTtl: true,
          trace,
        });
        return alignElevations(points, result.data);
      });
    },

    municipalityBoundary(code, trace) {
      return authed(ADMIN, () =>
        upstreams.admin.get({
          path: '/collections/kommuner/items',
          // No `crs`: the default output is CRS84 [lon, lat], which is what we emit.
          query: { kommunkod: code, f: 'json' },
          parse: (json) => parseBoundary(json, 'kommunkod', code),
          ttlMs: GEODATA_TTL_MS,
          forceTtl: true,
          trace,
        }),
      );
    },

    countyBoundary(code, trace) {
      return authed(ADMIN, () =>
        upstreams.admin.get({
          path: '/collections/lan/items',
          // The län filter is the `lanskod` property (UNCONFIRMED as a query parameter; see README).
          query: { lanskod: code, f: 'json' },
          parse: (json) => parseBoundary(json, 'lanskod', code),
          ttlMs: GEODATA_TTL_MS,
          forceTtl: true,
          trace,
        }),
      );
    },
  };
}

function nearest<
  T extends { latitude: number | null; longitude: number | null; distanceMeters: number | null },
>(rows: readonly T[], latitude: number, longitude: number): T | null {
  let best: T | null = null;
  for (const row of rows) {
    if (row.latitude === null || row.longitude === null) continue;
    // The APIs give no distance: ours, great-circle, in whole metres.
    const d = Math.round(haversineKm(latitude, longitude, row.latitude, row.longitude) * 1000);
    if (!best || d < (best.distanceMeters ?? Number.POSITIVE_INFINITY)) best = { ...row, distanceMeters: d };
  }
  return best ?? rows[0] ?? null;
}

const pad = (value: unknown, width: number): string | null => {
  const s = optionalString(value);
  return s === null || s === '' ? null : s.padStart(width, '0');
};

/** A Point's coordinates anywhere in an object we were told holds one (`placering` items vary). */
function pointCoordinates(value: unknown): unknown[] | null {
  if (!isObject(value)) return null;
  if (Array.isArray(value['coordinates']) && (value['type'] === undefined || value['type'] === 'Point'))
    return value['coordinates'] as unknown[];
  for (const key of ['punkt', 'geometry', 'geometri', 'point']) {
    const found = pointCoordinates(value[key]);
    if (found) return found;
  }
  return null;
}

function featuresOf(json: unknown, what: string): Json[] {
  if (Array.isArray(json)) return json.filter(isObject);
  const root = expectObject(json, what);
  if (root['type'] === 'Feature') return [root];
  return expectArray(root['features'] ?? [], `${what}.features`).filter(isObject);
}

/**
 * Ortnamn Direkt v2.2 `/kriterier` and `/punkt`: a FeatureCollection whose `geometry` is null; the
 * positions are in `properties.placering[]` (SWEREF 99 TM, axis order read from the values).
 * One row per name × placement.
 */
export function parsePlaceNames(json: unknown): PlaceNameRecord[] {
  const rows: PlaceNameRecord[] = [];
  featuresOf(json, 'ortnamn').forEach((feature, i) => {
    const props = expectObject(feature['properties'], `ortnamn.features[${i}].properties`);
    const name = optionalString(props['namn']);
    if (name === null) return;
    const placements = Array.isArray(props['placering']) ? [...props['placering']] : [];
    if (placements.length === 0 && feature['geometry']) placements.push(feature['geometry']);
    for (const placement of placements) {
      const coords = pointCoordinates(placement);
      const point = coords ? swerefFromEitherOrder(coords) : null;
      if (!point) continue;
      const { latitude, longitude } = toWgs84(point);
      rows.push({
        name,
        type: optionalString(props['namntyp']),
        language: optionalString(props['sprak']),
        municipalityCode: pad(props['kommunkod'], 4),
        municipalityName: optionalString(props['kommunnamn']),
        countyCode: pad(props['lankod'], 2),
        countyName: optionalString(props['lannamn']),
        latitude: round6(latitude),
        longitude: round6(longitude),
        distanceMeters: null,
      });
    }
  });
  return rows;
}

/** Belägenhetsadress `/referens/fritext`: a JSON array of `{ objektidentitet, adress }`. */
export function parseAddressReferences(json: unknown): AddressReference[] {
  const items = Array.isArray(json) ? json : featuresOf(json, 'belagenhetsadress.referens');
  return items.filter(isObject).flatMap((item) => {
    const id = optionalString(item['objektidentitet']);
    return id ? [{ id, label: optionalString(item['adress']) }] : [];
  });
}

const obj = (value: unknown): Json => (isObject(value) ? value : {});

/** Belägenhetsadress `/{id}`, `POST /` and `/punkt`: a GeoJSON FeatureCollection of addresses. */
export function parseAddressFeatures(json: unknown): AddressRecord[] {
  return featuresOf(json, 'belagenhetsadress').flatMap((feature) => {
    const props = obj(feature['properties']);
    const id = optionalString(props['objektidentitet']) ?? optionalString(feature['id']);
    if (!id) return [];
    const attr = obj(props['adressplatsattribut']);
    const designation = obj(attr['adressplatsbeteckning']);
    const area = obj(props['adressomrade']);
    const courtyard = obj(props['gardsadressomrade']);
    const street = optionalString(area['faststalltNamn']) ?? optionalString(courtyard['faststalltNamn']);
    const number = optionalString(designation['adressplatsnummer']);
    const letter = optionalString(designation['bokstavstillagg']);
    const postnummer = looseNumber(attr['postnummer']);
    const postalCode = postnummer === null ? null : String(postnummer).padStart(5, '0');
    const postalTown = optionalString(attr['postort']);
    const kommun = obj(obj(area['kommundel'])['kommun']);
    const coords = pointCoordinates(feature['geometry']);
    const point = coords ? swerefFromEitherOrder(coords) : null;
    const wgs = point ? toWgs84(point) : null;
    const streetPart = [street, [number, letter].filter(Boolean).join('')].filter(Boolean).join(' ');
    const postPart = [postalCode ? `${postalCode.slice(0, 3)} ${postalCode.slice(3)}` : null, postalTown]
      .filter(Boolean)
      .join(' ');
    return [
      {
        id,
        label: [streetPart, postPart].filter((s) => s !== '').join(', '),
        street,
        number,
        letter,
        postalCode,
        postalTown,
        municipalityCode: pad(kommun['kommunkod'], 4),
        latitude: wgs ? round6(wgs.latitude) : null,
        longitude: wgs ? round6(wgs.longitude) : null,
        distanceMeters: null,
      },
    ];
  });
}

export interface ElevationResponse {
  /** `[E, N, Z]` positions as returned. */
  positions: number[][];
  noData: number;
}

/** Markhöjd `/hojd`: an object whose `geometry.coordinates` are `[E, N, Z]`, `properties.nodatavalue`. */
export function parseElevations(json: unknown): ElevationResponse {
  const root = expectObject(json, 'markhojd');
  const first = Array.isArray(root['features']) ? obj(root['features'][0]) : undefined;
  const feature = first ?? root;
  const geometry = isObject(feature['geometry']) ? feature['geometry'] : feature;
  const coordinates = expectArray(geometry['coordinates'], 'markhojd.geometry.coordinates');
  // A single Point answer is one position, not a list of them.
  const list = typeof coordinates[0] === 'number' ? [coordinates] : coordinates;
  const positions = list.map((p, i) => {
    const position = expectArray(p, `markhojd.geometry.coordinates[${i}]`).map((v) => looseNumber(v) ?? NaN);
    return position;
  });
  const noData = looseNumber(obj(feature['properties'])['nodatavalue']) ?? NO_DATA;
  return { positions, noData };
}

/**
 * Heights aligned with the points asked for: by index when the counts agree (the documented shape),
 * else by matching [E, N] to the nearest metre. No-data (−9999) and missing values become null.
 */
export function alignElevations(
  points: readonly Sweref[],
  response: ElevationResponse | null,
): Array<number | null> {
  if (!response) return points.map(() => null);
  const height = (position: number[] | undefined): number | null => {
    const z = position?.[2];
    if (z === undefined || !Number.isFinite(z) || z === response.noData || z === NO_DATA) return null;
    return Math.round(z * 100) / 100;
  };
  if (response.positions.length === points.length) return response.positions.map(height);
  const byKey = new Map(
    response.positions.map((p) => [`${Math.round(p[0] ?? 0)},${Math.round(p[1] ?? 0)}`, p]),
  );
  return points.map((p) => height(byKey.get(`${Math.round(p.e)},${Math.round(p.n)}`)));
}

/** Positions of a Polygon/MultiPolygon: CRS84 [lon, lat] as asked; SWEREF pairs are converted. */
function toCrs84(coordinates: unknown): unknown {
  if (!Array.isArray(coordinates)) return coordinates;
  if (typeof coordinates[0] === 'number') {
    const [a, b] = coordinates as number[];
    if (a === undefined || b === undefined || (Math.abs(a) <= 360 && Math.abs(b) <= 360)) return coordinates;
    // Projected despite asking for the default CRS84: the values tell N from E (see coords.ts).
    const point = swerefFromEitherOrder([a, b]);
    if (!point) throw new Error(`boundary position [${a}, ${b}] is neither CRS84 nor SWEREF 99 TM`);
    const { latitude, longitude } = toWgs84(point);
    return [round6(longitude), round6(latitude)];
  }
  return coordinates.map(toCrs84);
}

/**
 * administrativ-indelning `collections/{kommuner|lan}/items`: a FeatureCollection; takes the feature
 * whose `property` equals `code` (or the only feature when it lacks the property). No feature at all
 * is null (Lantmäteriet has no outline for the code); features of other codes only mean the filter
 * was not applied (the `lanskod` parameter is UNCONFIRMED): an answer to another question, so an
 * error rather than a null that reads as "no outline".
 */
export function parseBoundary(
  json: unknown,
  property: 'kommunkod' | 'lanskod',
  code: string,
): Polygonal | null {
  const features = featuresOf(json, 'administrativ-indelning');
  const width = property === 'kommunkod' ? 4 : 2;
  const match =
    features.find((f) => pad(obj(f['properties'])[property], width) === code) ??
    (features.length === 1 && pad(obj(features[0]!['properties'])[property], width) === null
      ? features[0]
      : undefined);
  if (!match) {
    if (features.length === 0) return null;
    const codes = features.map((f) => pad(obj(f['properties'])[property], width) ?? '(none)');
    throw new Error(
      `administrativ-indelning: asked for ${property} ${code}, got ${features.length} feature(s) of other codes (${[...new Set(codes)].slice(0, 5).join(', ')}${codes.length > 5 ? ', …' : ''})`,
    );
  }
  const geometry = expectObject(match['geometry'], 'administrativ-indelning.features[].geometry');
  const type = geometry['type'];
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw new Error(
      `administrativ-indelning geometry: expected Polygon or MultiPolygon, got ${String(type)}`,
    );
  }
  return { type, coordinates: toCrs84(geometry['coordinates']) as Polygonal['coordinates'] };
}
