import { json, type SimRequest, type SimResponse, SimulatorBadJson } from '../../../kit/simulator.ts';
import { isPlausibleSweref, type Sweref, toSweref, toWgs84 } from '../coords.ts';
import type { AddressRegister, SimAddress } from './addresses.ts';
import { gatewayFault } from './auth.ts';
import { mm, parseSrid, projectTo, unprojectFrom } from './crs.ts';
import { nameMatches, type PlaceNameEntry, type PlaceNameRegister } from './names.ts';
import { NO_DATA, type Terrain } from './terrain.ts';
import { fold, uuidFrom } from './util.ts';

/**
 * Handlers of the three simulated "Direkt" REST APIs: Ortnamn v2.2, Belägenhetsadress v4.2 and
 * Markhöjd v1. Shapes follow the reference (`/work/shared/agencies/lantmateriet.md` §2.1, §2.4, §2.6)
 * and the repository's fixtures; parameters the reference marks UNCONFIRMED are accepted tolerantly.
 */

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
};

/** A Direkt API error: HTTP status plus a "Fault" message (reference §1.5; body shape assumed, see README). */
export function direktFault(
  status: number,
  description: string,
  headers: Record<string, string> = {},
): SimResponse {
  return gatewayFault(status, status, REASONS[status] ?? 'Error', description, headers);
}

const notFound = (req: SimRequest) =>
  gatewayFault(
    404,
    900906,
    'No matching resource found for given API Request',
    `${req.method} ${req.url.pathname}`,
  );

/** "northing,easting" (reference §3) in `srid` → SWEREF 99 TM; an error text when malformed. */
function parsePoint(raw: string | null, srid: number): { point: Sweref } | { error: string } {
  if (raw === null || raw.trim() === '')
    return { error: 'A point is required: koordinater=<northing>,<easting>' };
  const parts = raw.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite)) {
    return { error: `Invalid coordinates "${raw}": expected <northing>,<easting>` };
  }
  const [n, e] = parts as [number, number];
  if (srid === 3006) return { point: { n, e } };
  const w = unprojectFrom(srid, { n, e });
  return { point: toSweref(w.latitude, w.longitude) };
}

/** A SWEREF 99 TM position as `[E, N]` in the output `srid` (the fixtures' order; UNCONFIRMED). */
function outputPosition(p: Sweref, srid: number): [number, number] {
  if (srid === 3006) return [mm(p.e), mm(p.n)];
  const w = toWgs84(p);
  const q = projectTo(srid, w.latitude, w.longitude);
  return [mm(q.e), mm(q.n)];
}

const crsMember = (srid: number) => ({ type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${srid}` } });

function intParam(
  req: SimRequest,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | string {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    return `${name} must be an integer from ${min} to ${max}, got "${raw}"`;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Ortnamn Direkt v2.2

const MATCHES = ['equals', 'startsWith', 'endsWith', 'contains'] as const;
/** Default `maxHits` when absent (UNCONFIRMED). */
const ORTNAMN_DEFAULT_HITS = 100;
export const ORTNAMN_MAX_HITS = 400;

function placeNameFeature(entry: PlaceNameEntry, srid: number) {
  return {
    type: 'Feature',
    geometry: null,
    properties: {
      namn: entry.name,
      sprak: entry.language,
      namntyp: entry.type,
      lankod: entry.lankod,
      lannamn: entry.lannamn,
      kommunkod: entry.kommunkod,
      kommunnamn: entry.kommunnamn,
      placering: entry.placements.map((p) => ({
        punkt: { type: 'Point', coordinates: outputPosition(p, srid) },
      })),
    },
  };
}

const placeNameCollection = (entries: readonly PlaceNameEntry[], srid: number) => ({
  type: 'FeatureCollection',
  crs: crsMember(srid),
  features: entries.map((e) => placeNameFeature(e, srid)),
});

export function handleOrtnamn(req: SimRequest, names: PlaceNameRegister): SimResponse {
  const out = parseSrid(req.query.get('srid'), 3006);
  if ('error' in out) return direktFault(400, out.error);
  const srid = out.srid;
  if (req.path === '/kriterier') {
    const namn = req.query.get('namn')?.trim() ?? '';
    if (namn === '') return direktFault(400, 'A search term is required: namn');
    const match = req.query.get('match') ?? 'equals';
    if (!(MATCHES as readonly string[]).includes(match)) {
      return direktFault(400, `Invalid match "${match}": use ${MATCHES.join(', ')}`);
    }
    const maxHits = intParam(req, 'maxHits', ORTNAMN_DEFAULT_HITS, 1, ORTNAMN_MAX_HITS);
    if (typeof maxHits === 'string') return direktFault(400, maxHits);
    const offset = intParam(req, 'offset', 0, 0, 1_000_000);
    if (typeof offset === 'string') return direktFault(400, offset);
    const kommunkod = req.query.get('kommunkod');
    if (kommunkod !== null && !/^\d{4}$/.test(kommunkod)) {
      return direktFault(400, `Invalid kommunkod "${kommunkod}": 4 digits`);
    }
    const lankod = req.query.get('lankod');
    if (lankod !== null && !/^\d{2}$/.test(lankod))
      return direktFault(400, `Invalid lankod "${lankod}": 2 digits`);
    const types = (req.query.get('namntyp') ?? '')
      .split(',')
      .map((t) => t.trim().toLocaleLowerCase('sv-SE'))
      .filter((t) => t !== '');
    const pool = kommunkod ? names.inMunicipality(kommunkod) : names.all();
    const term = fold(namn);
    const hits = pool.filter(
      (e) =>
        (lankod === null || e.lankod === lankod) &&
        (types.length === 0 || types.includes(e.type.toLocaleLowerCase('sv-SE'))) &&
        nameMatches(e, term, match),
    );
    return json(200, placeNameCollection(hits.slice(offset, offset + maxHits), srid));
  }
  if (req.path === '/punkt') {
    if (req.query.has('maxHits'))
      return direktFault(400, 'maxHits cannot be combined with a point search (punkt)');
    const input = parseSrid(req.query.get('punktSrid'), 3006);
    if ('error' in input) return direktFault(400, input.error);
    // The point parameter's name is UNCONFIRMED (reference §2.4): `koordinater` as in the other Direkt APIs, or `punkt`.
    const parsed = parsePoint(req.query.get('koordinater') ?? req.query.get('punkt'), input.srid);
    if ('error' in parsed) return direktFault(400, parsed.error);
    // Far outside Sweden (e.g. northing and easting swapped): nothing is near.
    const found = isPlausibleSweref(parsed.point) ? names.nearest(parsed.point) : null;
    return json(200, placeNameCollection(found ? [found] : [], srid));
  }
  return notFound(req);
}

// ---------------------------------------------------------------------------------------------
// Belägenhetsadress Direkt v4.2

export const ADDRESS_IDS_MAX = 250;
/** Default `maxHits` when absent (UNCONFIRMED). */
const ADDRESS_DEFAULT_HITS = 100;
const INCLUDE = ['basinformation', 'berorkrets', 'total'] as const;

/** "Kiruna Kiruna Björkvägen 12B 98123 Kiruna" (kommun, kommundel, street, number, postcode, town; §2.1). */
function addressText(a: SimAddress): string {
  const m = a.municipality.name;
  return `${m} ${m} ${a.street.name} ${a.number}${a.letter ?? ''} ${a.street.postnummer} ${m}`;
}

function addressFeature(a: SimAddress, include: string, srid: number) {
  const m = a.municipality;
  const seed = a.id;
  const properties: Record<string, unknown> = {
    objektidentitet: a.id,
    adressplatsattribut: {
      objektidentitet: uuidFrom(`${seed}/adressplats`),
      objektversion: 1,
      versionGiltigFran: '2016-01-01T00:00:00',
      adressplatsbeteckning: {
        adressplatsnummer: String(a.number),
        bokstavstillagg: a.letter,
        lagestillagg: null,
        lagestillagsnummer: null,
        avvikandeAdressplatsBeteckning: null,
        avvikerFranStandarden: false,
      },
      adressplatstyp: 'Gatuadressplats',
      insamlingslage: 'Byggnad',
      status: 'Gällande',
      objektstatus: 'Levande',
      postnummer: a.street.postnummer,
      postort: m.name,
    },
    adressplatsnamn: null,
    adressomrade: {
      faststalltNamn: a.street.name,
      adressomradestyp: 'Gatuadressområde',
      kommundel: { faststalltNamn: m.name, kommun: { kommunkod: m.code, kommunnamn: m.name } },
    },
    gardsadressomrade: null,
    adressplatsanmarkning: [],
    adressattAnlaggning: null,
    distriktstillhorighet: { distriktskod: `${m.code}01`, distriktsnamn: m.name },
  };
  if (include !== 'basinformation') {
    properties['registerenhetsreferens'] = {
      objektidentitet: uuidFrom(`${seed}/registerenhet`),
      beteckning: `${m.name.toLocaleUpperCase('sv-SE')} ${a.street.name.slice(0, 4).toLocaleUpperCase('sv-SE')} ${1 + (a.street.index % 9)}:${a.number + 10}`,
      typ: 'Fastighet',
    };
  }
  return {
    type: 'Feature',
    id: a.id,
    geometry: { type: 'Point', coordinates: outputPosition(a.point, srid) },
    properties,
  };
}

const addressCollection = (list: readonly SimAddress[], include: string, srid: number) => ({
  type: 'FeatureCollection',
  features: list.map((a) => addressFeature(a, include, srid)),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function handleAddress(req: SimRequest, addresses: AddressRegister): SimResponse {
  const include = req.query.get('includeData') ?? 'basinformation';
  if (!(INCLUDE as readonly string[]).includes(include)) {
    return direktFault(400, `Invalid includeData "${include}": use ${INCLUDE.join(', ')}`);
  }
  const out = parseSrid(req.query.get('srid'), 3006);
  if ('error' in out) return direktFault(400, out.error);
  const srid = out.srid;
  if (req.method === 'POST') {
    if (req.path !== '/') return notFound(req);
    let body: unknown;
    try {
      body = req.json();
    } catch (err) {
      if (err instanceof SimulatorBadJson) return direktFault(400, 'The request body is not valid JSON');
      throw err;
    }
    if (!Array.isArray(body) || !body.every((id) => typeof id === 'string')) {
      return direktFault(400, 'The request body must be a JSON array of objektidentitet strings');
    }
    if (body.length > ADDRESS_IDS_MAX) {
      return direktFault(400, `At most ${ADDRESS_IDS_MAX} objektidentitet per request, got ${body.length}`);
    }
    const found = (body as string[]).flatMap((id) => {
      const a = addresses.byId(id);
      return a ? [a] : [];
    });
    return json(200, addressCollection(found, include, srid));
  }
  if (req.path === '/referens/fritext') {
    const text = req.query.get('adress')?.trim() ?? '';
    if (text.length < 3) return direktFault(400, 'adress must be at least 3 characters');
    const kommunkod = req.query.get('kommunkod');
    if (kommunkod !== null && !/^\d{4}$/.test(kommunkod)) {
      return direktFault(400, `Invalid kommunkod "${kommunkod}": 4 digits`);
    }
    const status = req.query.get('status');
    if (status !== null && status !== 'Gällande' && status !== 'Reserverad') {
      return direktFault(400, `Invalid status "${status}": use Gällande or Reserverad`);
    }
    const maxHits = intParam(req, 'maxHits', ADDRESS_DEFAULT_HITS, 1, 1000);
    if (typeof maxHits === 'string') return direktFault(400, maxHits);
    // Every generated address is "Gällande".
    const hits =
      status === 'Reserverad' ? [] : addresses.search(text, { kommunkod: kommunkod ?? undefined, maxHits });
    const split = req.query.get('splitAdress') === 'true';
    return json(
      200,
      hits.map((a) => ({
        objektidentitet: a.id,
        adress: addressText(a),
        ...(split
          ? {
              adressComponents: {
                kommun: a.municipality.name,
                kommundel: a.municipality.name,
                adressomrade: a.street.name,
                gardsadressomrade: null,
                adressplatsnummer: String(a.number),
                bokstavstillagg: a.letter,
                lagestillagg: null,
                lagestillagsnummer: null,
                avvikandeAdressplatsBeteckning: null,
                postnummer: a.street.postnummer,
                postort: a.municipality.name,
              },
            }
          : {}),
      })),
    );
  }
  if (req.path === '/punkt') {
    const input = parseSrid(req.query.get('punktSrid'), 3006);
    if ('error' in input) return direktFault(400, input.error);
    const parsed = parsePoint(req.query.get('koordinater'), input.srid);
    if ('error' in parsed) return direktFault(400, parsed.error);
    const found = isPlausibleSweref(parsed.point) ? addresses.nearest(parsed.point) : null;
    return json(200, addressCollection(found ? [found] : [], include, srid));
  }
  const id = req.path.slice(1);
  if (UUID.test(id)) {
    const a = addresses.byId(id);
    if (!a) return direktFault(404, `No address with objektidentitet ${id}`);
    return json(200, addressCollection([a], include, srid));
  }
  return notFound(req);
}

// ---------------------------------------------------------------------------------------------
// Markhöjd Direkt v1

export const ELEVATION_POINTS_MAX = 1000;

/** Heights for positions given in `srid`, `[E, N]` order (reference §2.6). */
function heights(positions: number[][], srid: number, terrain: Terrain): number[][] {
  return positions.map(([e, n]) => {
    let p: Sweref = { n: n!, e: e! };
    if (srid !== 3006) {
      const w = unprojectFrom(srid, p);
      p = toSweref(w.latitude, w.longitude);
    }
    return [e!, n!, terrain.height(p.n, p.e)];
  });
}

function srsFromCrsMember(crs: unknown): string | null {
  if (typeof crs !== 'object' || crs === null) return null;
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  return typeof name === 'string' ? name : null;
}

export function handleMarkhojd(req: SimRequest, terrain: Terrain): SimResponse {
  if (req.path !== '/hojd') return notFound(req);
  if (req.method === 'GET') {
    // The GET form's parameters are UNCONFIRMED (reference §2.6): a Direkt-style point, N,E.
    const input = parseSrid(req.query.get('punktSrid') ?? req.query.get('srid'), 3006);
    if ('error' in input) return direktFault(400, input.error);
    const raw = req.query.get('koordinater');
    const parts = (raw ?? '').split(',').map((v) => Number(v.trim()));
    if (parts.length !== 2 || !parts.every(Number.isFinite)) {
      return direktFault(400, 'A point is required: koordinater=<northing>,<easting>');
    }
    const [n, e] = parts as [number, number];
    const [position] = heights([[e, n]], input.srid, terrain);
    return json(200, {
      type: 'Feature',
      geometry: { type: 'Point', crs: crsMember(input.srid), coordinates: position },
      properties: { nodatavalue: NO_DATA },
    });
  }
  let body: unknown;
  try {
    body = req.json();
  } catch (err) {
    if (err instanceof SimulatorBadJson) return direktFault(400, 'The request body is not valid JSON');
    throw err;
  }
  const geometry = (
    typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'Feature'
      ? (body as { geometry?: unknown }).geometry
      : body
  ) as { type?: unknown; crs?: unknown; coordinates?: unknown } | null;
  if (
    typeof geometry !== 'object' ||
    geometry === null ||
    (geometry.type !== 'Point' && geometry.type !== 'MultiPoint')
  ) {
    return direktFault(400, 'The body must be a GeoJSON Point or MultiPoint with a crs member');
  }
  const declared = srsFromCrsMember(geometry.crs);
  const srs = parseSrid(declared, 3006);
  if ('error' in srs) return direktFault(400, srs.error);
  const list = geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates;
  if (
    !Array.isArray(list) ||
    !list.every((p) => Array.isArray(p) && p.length >= 2 && p.every((v) => typeof v === 'number'))
  ) {
    return direktFault(400, 'coordinates must be [easting, northing] number pairs');
  }
  if (list.length > ELEVATION_POINTS_MAX) {
    return direktFault(400, `At most ${ELEVATION_POINTS_MAX} points per request, got ${list.length}`);
  }
  const positions = heights(list as number[][], srs.srid, terrain);
  return json(200, {
    type: 'Feature',
    geometry: {
      type: geometry.type,
      crs: crsMember(srs.srid),
      coordinates: geometry.type === 'Point' ? positions[0] : positions,
    },
    properties: { nodatavalue: NO_DATA },
  });
}
