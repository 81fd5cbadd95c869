import { UpstreamError } from '../../kit/errors.ts';
import { geography, round6 } from '../../kit/sweden.ts';
import type { RequestTrace, Upstream } from '../../kit/upstream.ts';
import { expectArray, expectObject, isObject, type Json, looseNumber } from '../../kit/validate.ts';
import { countyCodeOfConcept, municipalityCodeOfConcept, UNSPECIFIED_REGION } from './locations.ts';
import { swedishIso } from './time.ts';

/** Cache TTLs (ms): searches change by the minute, an ad rarely, typeahead words slowly. */
export const SEARCH_TTL_MS = 5 * 60_000;
export const AD_TTL_MS = 60 * 60_000;
export const COMPLETE_TTL_MS = 24 * 60 * 60_000;

/** A taxonomy concept as our DTO. */
export interface TaxonomyItem {
  conceptId: string;
  label: string | null;
  legacyId: string | null;
}

export interface Workplace {
  street: string | null;
  postcode: string | null;
  city: string | null;
  /** A code of the embedded geography, or null (abroad, missing, unknown). */
  municipalityCode: string | null;
  /** A code of the embedded geography, or null (abroad, missing, "90" unspecified). */
  countyCode: string | null;
  country: string | null;
  location: { latitude: number; longitude: number } | null;
}

/**
 * One ad, our DTO. Deliberately without `application_contacts` (names and phone numbers of contact
 * persons): personal data is dropped while parsing, so it never reaches the cache, logs or clients.
 */
export interface JobAdModel {
  id: string;
  externalId: string | null;
  headline: string | null;
  labels: string[];
  description: {
    text: string | null;
    formatted: string | null;
    companyInformation: string | null;
    needs: string | null;
    requirements: string | null;
    conditions: string | null;
  };
  employer: {
    name: string | null;
    organizationNumber: string | null;
    url: string | null;
    workplace: string | null;
  };
  occupation: TaxonomyItem | null;
  occupationGroup: TaxonomyItem | null;
  occupationField: TaxonomyItem | null;
  employmentType: TaxonomyItem | null;
  workingHours: TaxonomyItem | null;
  duration: TaxonomyItem | null;
  salaryType: TaxonomyItem | null;
  salaryDescription: string | null;
  scopeOfWork: { min: number | null; max: number | null } | null;
  numberOfPositions: number | null;
  experienceRequired: boolean | null;
  drivingLicenseRequired: boolean | null;
  publishedAt: string | null;
  applicationDeadline: string | null;
  lastPublishedAt: string | null;
  /**
   * The three times as JobSearch sent them, for the `DateTime` fields: those tell "no value" (null)
   * from "a value that is not a date-time" (an error), which the text fields above cannot.
   */
  sentTimes: { publicationDate: unknown; applicationDeadline: unknown; lastPublicationDate: unknown };
  application: {
    url: string | null;
    email: string | null;
    information: string | null;
    reference: string | null;
    viaArbetsformedlingen: boolean | null;
  };
  webpageUrl: string | null;
  logoUrl: string | null;
  workplace: Workplace;
  relevance: number | null;
}

/** One facet of `stats=…`. */
export interface StatsFacet {
  type: string;
  values: Array<{ term: string | null; conceptId: string | null; code: string | null; count: number }>;
}

export interface SearchResult {
  total: number;
  positions: number | null;
  ads: JobAdModel[];
  stats: StatsFacet[];
}

export interface Suggestion {
  value: string;
  foundPhrase: string | null;
  type: string | null;
  occurrences: number | null;
}

/** A JobSearch `/search` request, already validated and translated to concept ids. */
export interface SearchParams {
  q?: string | undefined;
  municipality?: string | undefined;
  region?: string | undefined;
  occupationField?: string | undefined;
  occupationGroup?: string | undefined;
  remote?: boolean | undefined;
  /** Swedish local time "YYYY-MM-DDTHH:MM:SS". */
  publishedAfter?: string | undefined;
  position?: { latitude: number; longitude: number; radiusKm: number } | undefined;
  /** JobSearch's sort value; omitted = relevance. */
  sort?: string | undefined;
  stats?: 'municipality' | 'region' | undefined;
  statsLimit?: number | undefined;
  offset: number;
  limit: number;
}

/**
 * The query string in a fixed order (the offline snapshot is keyed by the exact URL):
 * q, location, occupation, remote, published-after, position, sort, stats, offset, limit.
 * `position` is **lat,lon** here, the reverse of the ads' `coordinates`.
 */
export function searchQuery(p: SearchParams): Record<string, string | number | undefined> {
  return {
    q: p.q,
    municipality: p.municipality,
    region: p.region,
    'occupation-field': p.occupationField,
    'occupation-group': p.occupationGroup,
    remote: p.remote ? 'true' : undefined,
    'published-after': p.publishedAfter,
    position: p.position ? `${round6(p.position.latitude)},${round6(p.position.longitude)}` : undefined,
    'position.radius': p.position?.radiusKm,
    sort: p.sort,
    stats: p.stats,
    'stats.limit': p.statsLimit,
    offset: p.offset,
    limit: p.limit,
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: unknown): Json => (isObject(v) ? v : {});

function taxonomy(value: unknown): TaxonomyItem | null {
  if (!isObject(value) || typeof value['concept_id'] !== 'string') return null;
  const legacy = value['legacy_ams_taxonomy_id'];
  return {
    conceptId: value['concept_id'],
    label: str(value['label']),
    legacyId: typeof legacy === 'string' ? legacy : typeof legacy === 'number' ? String(legacy) : null,
  };
}

/** `label` arrives as an array or as a JSON array encoded in a string ("[]"). */
function labels(value: unknown): string[] {
  let v = value;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return [];
    if (t.startsWith('[')) {
      try {
        v = JSON.parse(t);
      } catch {
        return [t];
      }
    } else return [t];
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `coordinates` are **[longitude, latitude]**; anything unusable (missing, [0,0], out of range) → null. */
function location(value: unknown): Workplace['location'] {
  if (!Array.isArray(value) || value.length < 2) return null;
  const lon = looseNumber(value[0]);
  const lat = looseNumber(value[1]);
  if (lon === null || lat === null) return null;
  if (lon === 0 && lat === 0) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { latitude: round6(lat), longitude: round6(lon) };
}

function workplace(value: unknown): Workplace {
  const w = obj(value);
  const { municipalities, counties } = geography();
  const mCode = str(w['municipality_code']);
  const mConcept = str(w['municipality_concept_id']);
  const municipalityCode =
    mCode && municipalities.has(mCode)
      ? mCode
      : ((mConcept ? municipalityCodeOfConcept(mConcept) : undefined) ?? null);
  const rCode = str(w['region_code']);
  const rConcept = str(w['region_concept_id']);
  const countyCode =
    rCode && rCode !== UNSPECIFIED_REGION && counties.has(rCode)
      ? rCode
      : ((rConcept ? countyCodeOfConcept(rConcept) : undefined) ??
        (municipalityCode ? municipalityCode.slice(0, 2) : null));
  return {
    street: nonEmpty(w['street_address']),
    postcode: nonEmpty(w['postcode']),
    city: nonEmpty(w['city']),
    municipalityCode,
    countyCode,
    country: nonEmpty(w['country']),
    location: location(w['coordinates']),
  };
}

/** Parses one JobSearch ad; tolerant of nulls and unknown fields (the model keeps growing). */
export function parseAd(json: unknown, path = 'ad'): JobAdModel {
  const ad = expectObject(json, path);
  const rawId = ad['id'];
  if (typeof rawId !== 'string' && typeof rawId !== 'number') {
    throw new Error(`${path}.id: expected a string or number`);
  }
  const description = obj(ad['description']);
  const employer = obj(ad['employer']);
  const application = obj(ad['application_details']);
  const scope = isObject(ad['scope_of_work']) ? ad['scope_of_work'] : null;
  const salary = nonEmpty(ad['salary_description']);
  return {
    id: String(rawId),
    externalId: nonEmpty(ad['external_id']),
    headline: str(ad['headline']),
    labels: labels(ad['label']),
    description: {
      text: str(description['text']),
      formatted: str(description['text_formatted']),
      companyInformation: str(description['company_information']),
      needs: str(description['needs']),
      requirements: str(description['requirements']),
      conditions: str(description['conditions']),
    },
    employer: {
      name: str(employer['name']),
      organizationNumber: nonEmpty(employer['organization_number']),
      url: nonEmpty(employer['url']),
      workplace: nonEmpty(employer['workplace']),
    },
    occupation: taxonomy(ad['occupation']),
    occupationGroup: taxonomy(ad['occupation_group']),
    occupationField: taxonomy(ad['occupation_field']),
    employmentType: taxonomy(ad['employment_type']),
    workingHours: taxonomy(ad['working_hours_type']),
    duration: taxonomy(ad['duration']),
    salaryType: taxonomy(ad['salary_type']),
    // "Undefined" is JobSearch's placeholder for "no salary text".
    salaryDescription: salary === null || /^undefined$/i.test(salary.trim()) ? null : salary,
    scopeOfWork: scope ? { min: looseNumber(scope['min']), max: looseNumber(scope['max']) } : null,
    numberOfPositions: looseNumber(ad['number_of_vacancies']),
    experienceRequired: bool(ad['experience_required']),
    drivingLicenseRequired: bool(ad['driving_license_required']),
    publishedAt: swedishIso(ad['publication_date']),
    applicationDeadline: swedishIso(ad['application_deadline']),
    lastPublishedAt: swedishIso(ad['last_publication_date']),
    sentTimes: {
      publicationDate: ad['publication_date'],
      applicationDeadline: ad['application_deadline'],
      lastPublicationDate: ad['last_publication_date'],
    },
    application: {
      url: nonEmpty(application['url']),
      email: nonEmpty(application['email']),
      information: nonEmpty(application['information']),
      reference: nonEmpty(application['reference']),
      viaArbetsformedlingen: bool(application['via_af']),
    },
    webpageUrl: nonEmpty(ad['webpage_url']),
    logoUrl: nonEmpty(ad['logo_url']),
    workplace: workplace(ad['workplace_address']),
    relevance: looseNumber(ad['relevance']),
  };
}

/** Parses a `/search` response. */
export function parseSearch(json: unknown): SearchResult {
  const root = expectObject(json, 'search');
  const total = looseNumber(expectObject(root['total'], 'search.total')['value']);
  if (total === null) throw new Error('search.total.value: expected a number');
  const hits =
    root['hits'] === undefined || root['hits'] === null ? [] : expectArray(root['hits'], 'search.hits');
  const stats = Array.isArray(root['stats']) ? root['stats'] : [];
  return {
    total,
    positions: looseNumber(root['positions']),
    ads: hits.map((hit, i) => parseAd(hit, `search.hits[${i}]`)),
    stats: stats.filter(isObject).map((facet) => ({
      type: str(facet['type']) ?? '',
      values: (Array.isArray(facet['values']) ? facet['values'] : []).filter(isObject).map((v) => ({
        term: str(v['term']),
        conceptId: str(v['concept_id']),
        code: typeof v['code'] === 'number' ? String(v['code']) : str(v['code']),
        count: looseNumber(v['count']) ?? 0,
      })),
    })),
  };
}

/** Parses a `/complete` response. */
export function parseComplete(json: unknown): Suggestion[] {
  const root = expectObject(json, 'complete');
  return expectArray(root['typeahead'] ?? [], 'complete.typeahead')
    .filter(isObject)
    .filter((s) => typeof s['value'] === 'string')
    .map((s) => ({
      value: s['value'] as string,
      foundPhrase: str(s['found_phrase']),
      type: str(s['type']),
      occurrences: looseNumber(s['occurrences']),
    }));
}

/** The JobSearch surface the resolvers use (a fake or replay client satisfies it too). */
export interface JobTechClient {
  search(params: SearchParams, trace?: RequestTrace): Promise<SearchResult>;
  /** null when JobSearch answers 404 ("Ad not found"). */
  ad(id: string, trace?: RequestTrace): Promise<JobAdModel | null>;
  complete(prefix: string, limit: number, trace?: RequestTrace): Promise<Suggestion[]>;
}

/**
 * Drops `application_contacts` (contact persons' names and phone numbers) from an ad or from every
 * hit of a search before a response is written to the snapshot in record mode.
 */
export function redactContacts(body: unknown): unknown {
  const strip = (ad: unknown) => {
    if (ad && typeof ad === 'object' && 'application_contacts' in ad)
      delete (ad as Record<string, unknown>)['application_contacts'];
  };
  if (body && typeof body === 'object') {
    strip(body);
    const hits = (body as { hits?: unknown }).hits;
    if (Array.isArray(hits)) hits.forEach(strip);
  }
  return body;
}

/**
 * JobSearch's 401 ("Missing or invalid API key") and 403 say what to do: the only credential is
 * JOBTECH_API_KEY. The message names the variable, never its value.
 */
const AGENCY = 'jobtech';

export function jobtechErrorFor(status: number): UpstreamError | undefined {
  if (status !== 401 && status !== 403) return undefined;
  return new UpstreamError(
    'AUTH_REQUIRED',
    AGENCY,
    `JobSearch refused the request (HTTP ${status}: missing or invalid API key): check JOBTECH_API_KEY, or unset it (JobSearch answers without a key today). Keys are issued at https://apirequest.jobtechdev.se.`,
    { status },
  );
}

export function createJobTechClient(upstream: Upstream): JobTechClient {
  return {
    async search(params, trace) {
      const result = await upstream.get({
        path: '/search',
        query: searchQuery(params),
        parse: parseSearch,
        redactForRecording: redactContacts,
        onErrorStatus: jobtechErrorFor,
        ttlMs: SEARCH_TTL_MS,
        forceTtl: true,
        notFoundIsNull: false,
        trace,
      });
      // notFoundIsNull is off: a null here cannot happen, but keep the type honest.
      return result ?? { total: 0, positions: 0, ads: [], stats: [] };
    },
    ad(id, trace) {
      return upstream.get({
        path: `/ad/${encodeURIComponent(id)}`,
        parse: (json) => parseAd(json),
        redactForRecording: redactContacts,
        onErrorStatus: jobtechErrorFor,
        ttlMs: AD_TTL_MS,
        forceTtl: true,
        // JobSearch's "Ad not found".
        notFoundIsNull: true,
        trace,
      });
    },
    async complete(prefix, limit, trace) {
      const result = await upstream.get({
        path: '/complete',
        query: { q: prefix, limit },
        parse: parseComplete,
        onErrorStatus: jobtechErrorFor,
        ttlMs: COMPLETE_TTL_MS,
        forceTtl: true,
        notFoundIsNull: false,
        trace,
      });
      return result ?? [];
    },
  };
}
