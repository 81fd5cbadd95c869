import { badInput } from '../../kit/errors.ts';
import {
  geography,
  locateMunicipality,
  requireCounty,
  requireMunicipality,
  requireSwedishPoint,
  round6,
} from '../../kit/sweden.ts';
import { PLACE_NAMES_MAX, type PlaceNameMatch } from './client.ts';
import type { PlaceRef } from './context.ts';
import { checkPrecision, countyFeatures, municipalityFeatures } from './features.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import { elevationKey } from './loaders.ts';

const AGENCY = 'lantmateriet';
export const MAX_ADDRESSES = 100;
export const MIN_ADDRESS_SEARCH = 3;
const MAX_TEXT = 200;

const MATCH: Record<'EQUALS' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS', PlaceNameMatch> = {
  EQUALS: 'equals',
  STARTS_WITH: 'startsWith',
  ENDS_WITH: 'endsWith',
  CONTAINS: 'contains',
};

function checkLimit(field: string, limit: number | null | undefined, fallback: number, max: number): number {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badInput(
      `${field}(limit: ${n}) is out of range: limit must be an integer from 1 to ${max}.`,
      AGENCY,
    );
  }
  return n;
}

/** Ortnamn's name types (`namntyp`, reference §2.4); an unknown one would silently match nothing. */
export const PLACE_NAME_TYPES = [
  'Anläggning',
  'Bebyggelse',
  'Tätort',
  'Glaciär',
  'Fornlämning',
  'Kyrka',
  'Naturvårdsområde',
  'Sankmark',
  'Natur- och terrängnamn',
  'Trakt',
  'Vattendelsområde',
  'Vattendrag',
  'Hav och sjö',
] as const;

function checkTypes(types: readonly string[] | null | undefined): string[] | undefined {
  if (!types || types.length === 0) return undefined;
  return types.map((t) => {
    const wanted = t.trim().toLocaleLowerCase('sv');
    const type = PLACE_NAME_TYPES.find((known) => known.toLocaleLowerCase('sv') === wanted);
    if (!type) {
      throw badInput(
        `placeNames(types:) has an unknown name type ${JSON.stringify(t)}: use Lantmäteriet's name types (namntyp): ${PLACE_NAME_TYPES.map((k) => `"${k}"`).join(', ')}.`,
        AGENCY,
      );
    }
    return type;
  });
}

function swedishPoint(place: PlaceRef): PlaceRef {
  requireSwedishPoint(place.latitude, place.longitude, AGENCY);
  return place;
}

/** Resolvers: the embedded geographic backbone (no upstream, no credentials) plus the live Lantmäteriet fields. */
export function createResolvers(): Resolvers {
  return {
    Query: {
      municipality: (_, { code }) => requireMunicipality(code, AGENCY),
      municipalities: (_, { county }) => {
        const { municipalities } = geography();
        if (county === undefined || county === null) return [...municipalities.values()];
        return requireCounty(county, AGENCY).municipalityCodes.map((code) => municipalities.get(code)!);
      },
      county: (_, { code }) => requireCounty(code, AGENCY),
      counties: () => [...geography().counties.values()],
      municipalityFeatures: (_, { county, geometry, precision }) => {
        const decimals = checkPrecision('municipalityFeatures', precision);
        const { municipalities } = geography();
        const members =
          county === undefined || county === null
            ? [...municipalities.values()]
            : requireCounty(county, AGENCY).municipalityCodes.map((code) => municipalities.get(code)!);
        return municipalityFeatures(members, geometry ?? 'OUTLINE', decimals);
      },
      countyFeatures: (_, { geometry, precision }) =>
        countyFeatures(
          [...geography().counties.values()],
          geometry ?? 'OUTLINE',
          checkPrecision('countyFeatures', precision),
        ),
      place: (_, { latitude, longitude }) => swedishPoint({ latitude, longitude }),
      location: (_, { latitude, longitude }) => swedishPoint({ latitude, longitude }),
      placeNames: (_, args, ctx) => {
        const name = args.name.trim();
        if (name === '' || name.length > MAX_TEXT) {
          throw badInput(
            `placeNames(name:) must be 1–${MAX_TEXT} characters (a search term is required).`,
            AGENCY,
          );
        }
        const limit = checkLimit('placeNames', args.limit, 10, PLACE_NAMES_MAX);
        const types = checkTypes(args.types);
        const municipalityCode = args.municipality
          ? requireMunicipality(args.municipality, AGENCY).code
          : undefined;
        return ctx.client
          .placeNames(
            { name, match: MATCH[args.match ?? 'EQUALS'], types, municipalityCode, maxHits: limit },
            ctx.trace,
          )
          .then((rows) => rows.slice(0, limit));
      },
      addresses: (_, args, ctx) => {
        const text = args.search.trim();
        if (text.length < MIN_ADDRESS_SEARCH || text.length > MAX_TEXT) {
          throw badInput(
            `addresses(search: ${JSON.stringify(args.search)}) must be ${MIN_ADDRESS_SEARCH}–${MAX_TEXT} characters, e.g. "Storgatan 1 Umeå".`,
            AGENCY,
          );
        }
        const limit = checkLimit('addresses', args.limit, 10, MAX_ADDRESSES);
        const municipalityCode = args.municipality
          ? requireMunicipality(args.municipality, AGENCY).code
          : undefined;
        return ctx.client.addresses({ text, municipalityCode, maxHits: limit }, ctx.trace);
      },
    },
    Municipality: {
      __resolveReference: (ref) => geography().municipalities.get(ref.code) ?? null,
      county: (m) => geography().counties.get(m.countyCode)!,
      centroid: (m) => m.centroid,
      boundary: (m, { detail }, ctx) =>
        detail === 'FULL' ? ctx.client.municipalityBoundary(m.code, ctx.trace) : m.geometry,
    },
    County: {
      __resolveReference: (ref) => geography().counties.get(ref.code) ?? null,
      municipalities: (c) => c.municipalityCodes.map((code) => geography().municipalities.get(code)!),
      boundary: (c, { detail }, ctx) =>
        detail === 'FULL' ? ctx.client.countyBoundary(c.code, ctx.trace) : c.geometry,
      municipalityFeatures: (c, { geometry, precision }) =>
        municipalityFeatures(
          c.municipalityCodes.map((code) => geography().municipalities.get(code)!),
          geometry ?? 'OUTLINE',
          checkPrecision('County.municipalityFeatures', precision),
        ),
    },
    Place: {
      __resolveReference: (ref) => ({ latitude: ref.latitude, longitude: ref.longitude }),
      latitude: (p) => round6(p.latitude),
      longitude: (p) => round6(p.longitude),
      municipality: (p) => locateMunicipality(p.latitude, p.longitude)?.municipality ?? null,
      municipalityMatch: (p) => {
        const match = locateMunicipality(p.latitude, p.longitude);
        return match
          ? { method: match.method, distanceKm: Math.round(match.distanceKm * 1000) / 1000 }
          : null;
      },
      elevation: (p, _, ctx) => {
        const { latitude, longitude } = swedishPoint(p);
        return ctx.loaders.elevation.load(elevationKey(latitude, longitude));
      },
      nearestPlaceName: (p, _, ctx) => {
        const { latitude, longitude } = swedishPoint(p);
        return ctx.client.nearestPlaceName(latitude, longitude, ctx.trace);
      },
      nearestAddress: (p, _, ctx) => {
        const { latitude, longitude } = swedishPoint(p);
        return ctx.client.nearestAddress(latitude, longitude, ctx.trace);
      },
    },
    PlaceName: {
      municipality: (n) =>
        n.municipalityCode ? (geography().municipalities.get(n.municipalityCode) ?? null) : null,
      county: (n) => (n.countyCode ? (geography().counties.get(n.countyCode) ?? null) : null),
      location: (n) => ({ latitude: n.latitude, longitude: n.longitude }),
    },
    Address: {
      municipality: (a) =>
        a.municipalityCode ? (geography().municipalities.get(a.municipalityCode) ?? null) : null,
      location: (a) =>
        a.latitude === null || a.longitude === null ? null : { latitude: a.latitude, longitude: a.longitude },
    },
  };
}
