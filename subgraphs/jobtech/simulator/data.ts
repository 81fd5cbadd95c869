import { readFileSync } from 'node:fs';

/**
 * The real data the JobSearch simulator is built on (provenance in `data/README.md`):
 * - `taxonomy.json`: JobTech taxonomy concepts (occupation fields, groups and names with their real
 *   hierarchy and frequency, skills, languages, employment types, …), real concept ids and labels;
 * - `postal.json`: postal codes and localities per municipality (CC0), also our size weight;
 * - `ad-28746073.json`: the one real recorded ad, contact persons removed.
 */

/** `[concept_id, legacy_ams_taxonomy_id, label]`, as JobSearch's `TaxonomyItem`. */
export type Concept = readonly [conceptId: string, legacyId: string, label: string];

export interface TaxonomyData {
  fields: Concept[];
  /** `[concept_id, legacy id, label, index of its field]` */
  groups: Array<readonly [string, string, string, number]>;
  /** `[concept_id, legacy id, label, index of its group, ads with it among 1 072 real 2020 ads]` */
  occupations: Array<readonly [string, string, string, number, number]>;
  /** Skills by the legacy id of an occupation field. */
  skillsByField: Record<string, Concept[]>;
  languages: Concept[];
  employmentTypes: Concept[];
  wageTypes: Concept[];
  worktimeExtents: Concept[];
  durations: Concept[];
  drivingLicenses: Concept[];
}

export interface PostalData {
  [municipalityCode: string]: {
    postcodes: number;
    places: Array<readonly [postcode: string, locality: string]>;
  };
}

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'));

let taxonomy: TaxonomyData | undefined;
let postal: PostalData | undefined;

export function taxonomyData(): TaxonomyData {
  taxonomy ??= read('taxonomy.json') as TaxonomyData;
  return taxonomy;
}

export function postalData(): PostalData {
  if (!postal) {
    const { $comment: _, ...rest } = read('postal.json') as PostalData & { $comment?: string };
    postal = rest as PostalData;
  }
  return postal;
}

/** The real recorded ad (a fresh copy each call: callers may not mutate the shared one). */
export function recordedAd(): Record<string, unknown> {
  return read('ad-28746073.json') as Record<string, unknown>;
}

/** Sweden as JobSearch's `workplace_address` names it (legacy country code "199", not ISO). */
export const SWEDEN = { name: 'Sverige', code: '199', conceptId: 'i46j_HmG_v64' } as const;
