import {
  geography,
  locateMunicipality,
  requireCounty,
  requireMunicipality,
  requireSwedishPoint,
  round6,
} from '../kit/sweden.ts';
import type { Resolvers } from './generated/resolvers-types.ts';

const AGENCY = 'lantmateriet';

/** Resolvers of the embedded geographic backbone: no upstream calls, no credentials. */
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
      place: (_, { latitude, longitude }) => {
        requireSwedishPoint(latitude, longitude, AGENCY);
        return { latitude, longitude };
      },
    },
    Municipality: {
      __resolveReference: (ref) => geography().municipalities.get(ref.code) ?? null,
      county: (m) => geography().counties.get(m.countyCode)!,
      centroid: (m) => m.centroid,
      boundary: (m) => m.geometry,
    },
    County: {
      __resolveReference: (ref) => geography().counties.get(ref.code) ?? null,
      municipalities: (c) => c.municipalityCodes.map((code) => geography().municipalities.get(code)!),
      boundary: (c) => c.geometry,
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
    },
  };
}
