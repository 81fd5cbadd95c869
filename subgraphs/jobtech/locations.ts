import { readFileSync } from 'node:fs';
import { requireCounty, requireMunicipality } from '../../kit/sweden.ts';

/**
 * Our municipality (4-digit) and county (2-digit) codes ↔ JobTech taxonomy concept ids, from
 * JobTech's own table (see data/README.md for provenance). JobSearch's location filters want the
 * concept id; a name or an unknown value silently gives 0 hits, so codes are checked here first.
 */

interface ConceptEntry {
  conceptId: string;
  legacyAmsTaxonomyId: string;
  preferredTerm: string;
  type: string;
}

interface LocationTable {
  municipality: Record<string, ConceptEntry>;
  region: Record<string, ConceptEntry>;
}

/** The region code JobTech uses for "Ospecificerad" (unspecified): not a län. */
export const UNSPECIFIED_REGION = '90';

let table: LocationTable | undefined;

export function locationTable(): LocationTable {
  table ??= JSON.parse(
    readFileSync(new URL('./data/taxonomy-location-concepts.json', import.meta.url), 'utf8'),
  ) as LocationTable;
  return table;
}

let reverse: { municipality: Map<string, string>; region: Map<string, string> } | undefined;

function reverseMaps() {
  if (reverse) return reverse;
  const t = locationTable();
  reverse = {
    municipality: new Map(Object.entries(t.municipality).map(([code, e]) => [e.conceptId, code])),
    region: new Map(Object.entries(t.region).map(([code, e]) => [e.conceptId, code])),
  };
  return reverse;
}

/** Concept id of a municipality code; BAD_USER_INPUT for malformed or unknown codes. */
export function municipalityConcept(code: string, agency: string): string {
  requireMunicipality(code, agency);
  const entry = locationTable().municipality[code];
  if (!entry) throw new Error(`municipality ${code} missing from the JobTech concept table`);
  return entry.conceptId;
}

/** Concept id of a county code; BAD_USER_INPUT for malformed or unknown codes. */
export function countyConcept(code: string, agency: string): string {
  requireCounty(code, agency);
  const entry = locationTable().region[code];
  if (!entry) throw new Error(`county ${code} missing from the JobTech concept table`);
  return entry.conceptId;
}

/** Municipality code of a concept id, or undefined. */
export function municipalityCodeOfConcept(conceptId: string): string | undefined {
  return reverseMaps().municipality.get(conceptId);
}

/** County code of a concept id (never "90"), or undefined. */
export function countyCodeOfConcept(conceptId: string): string | undefined {
  const code = reverseMaps().region.get(conceptId);
  return code === UNSPECIFIED_REGION ? undefined : code;
}

let byName: Map<string, string> | undefined;

/** Municipality code of an official name ("Stockholm"), or undefined. Names are unique in Sweden. */
export function municipalityCodeOfName(name: string): string | undefined {
  byName ??= new Map(
    Object.entries(locationTable().municipality).map(([code, e]) => [e.preferredTerm.toLowerCase(), code]),
  );
  return byName.get(name.toLowerCase());
}
