import { haversineKm } from '../../../kit/geo.ts';
import { json, type SimRequest, type SimResponse } from '../../../kit/simulator.ts';
import { adText, Clock, type Corpus, instantOfLocal, renderAd, type SimAd } from './corpus.ts';
import { SWEDEN } from './data.ts';
import { compileFreetext, type Freetext, noConcepts } from './freetext.ts';

/**
 * `/search` and `/complete`: parameters, validation and answers as JobSearch gives them. The rules
 * follow JobSearch's open-source code (1.16.0, `JobtechSwe/sokannonser-api`: `rest/model/queries.py`,
 * `repository/querybuilder.py`, `repository/platsannonser.py`) and the reference.
 */

/** JobSearch's caps (`settings.py`: MAX_OFFSET, MAX_LIMIT, MAX_COMPLETE_LIMIT; stats.limit 0–30). */
export const MAX_OFFSET = 2000;
export const MAX_LIMIT = 100;
export const MAX_COMPLETE_LIMIT = 50;
export const MAX_STATS_LIMIT = 30;

const SORTS = [
  'relevance',
  'pubdate-desc',
  'pubdate-asc',
  'applydate-desc',
  'applydate-asc',
  'updated',
  'id',
];
const STATS = [
  'occupation-name',
  'occupation-group',
  'occupation-field',
  'country',
  'municipality',
  'region',
];
const QFIELDS = ['occupation', 'skill', 'location', 'employer'];
const PUBLISHED_AFTER_PATTERN =
  '^(\\d\\d\\d\\d-(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])T(0[0-9]|1[0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]))|(\\d+)$';
const POSITION_PATTERN =
  '^[-+]?([1-8]?\\d(\\.\\d*)?|90(\\.0*)?),[-+]?(180(\\.0*)?|((1[0-7]\\d)|([1-9]?\\d))(\\.\\d*)?)$';

/** A flask-restx argument error: JobSearch answers it as a 400 in this shape. */
export class BadArgument extends Error {
  constructor(
    readonly argument: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** `{"errors": {"limit": "…"}, "message": "Input payload validation failed"}` (flask-restx `reqparse`). */
export function badArgumentResponse(err: BadArgument): SimResponse {
  return json(400, { errors: { [err.argument]: err.detail }, message: 'Input payload validation failed' });
}

/** Python's `int()` as flask-restx `inputs.int_range(low, high)` uses it. */
function intRange(q: URLSearchParams, name: string, low: number, high: number, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw new BadArgument(name, `${raw} is not a valid integer`);
  const value = Number(raw);
  if (value < low || value > high) {
    throw new BadArgument(
      name,
      `Invalid argument: ${value}. argument must be within the range ${low} - ${high}`,
    );
  }
  return value;
}

function boolean(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw === '') return false;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1' || v === 'on') return true;
  if (v === 'false' || v === '0') return false;
  throw new BadArgument(name, `Invalid literal for boolean(): ${v}`);
}

function choices(q: URLSearchParams, name: string, allowed: readonly string[]): string[] {
  const values = q.getAll(name);
  for (const v of values) {
    if (!allowed.includes(v))
      throw new BadArgument(name, `The value '${v}' is not a valid choice for '${name}'.`);
  }
  return values;
}

function float(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const v = Number(raw.trim());
  if (raw.trim() === '' || Number.isNaN(v))
    throw new BadArgument(name, `could not convert string to float: '${raw}'`);
  return v;
}

/** `YYYY-MM-DDTHH:MM:SS` (Swedish local time) → instant; or null when it does not parse. */
function localDateTime(value: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const local = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h}:${mi}:${s}`;
  const ms = instantOfLocal(local);
  return Number.isNaN(ms) ? null : ms;
}

/** The filters both `/search` and `/complete` take (`base_annons_query`). */
export interface Filters {
  publishedAfter?: number;
  publishedBefore?: number;
  occupations: string[];
  locations: { municipality: string[]; region: string[]; country: string[] };
  skill: string[];
  language: string[];
  worktimeExtent: string[];
  employmentType: string[];
  drivingLicense: string[];
  drivingLicenseRequired?: boolean;
  experience?: boolean;
  parttime?: { min: number; max: number };
  employer: string[];
  remote?: boolean;
  abroad?: boolean;
  unspecifiedSweden?: boolean;
  positions: Array<{ lat: number; lon: number; radiusKm: number }>;
  q?: string;
  qfields: string[];
}

/** Parses and validates the shared filters in JobSearch's argument order; throws `BadArgument`. */
export function parseFilters(q: URLSearchParams, now: number): Filters {
  const f: Filters = {
    occupations: [],
    locations: { municipality: [], region: [], country: [] },
    skill: [],
    language: [],
    worktimeExtent: [],
    employmentType: [],
    drivingLicense: [],
    employer: [],
    positions: [],
    qfields: [],
  };
  const before = q.get('published-before');
  if (before !== null) {
    const ms = localDateTime(before);
    if (ms === null)
      throw new BadArgument(
        'published-before',
        `time data '${before}' does not match format '%Y-%m-%dT%H:%M:%S'`,
      );
    f.publishedBefore = ms;
  }
  const after = q.get('published-after');
  if (after !== null) {
    if (/^\d+$/.test(after)) f.publishedAfter = now - Number(after) * 60_000;
    else {
      const ms = localDateTime(after);
      if (ms === null)
        throw new BadArgument(
          'published-after',
          `Value does not match pattern: "${PUBLISHED_AFTER_PATTERN}"`,
        );
      f.publishedAfter = ms;
    }
  }
  f.occupations = [
    ...q.getAll('occupation-name'),
    ...q.getAll('occupation-group'),
    ...q.getAll('occupation-field'),
  ];
  f.skill = q.getAll('skill');
  f.language = q.getAll('language');
  f.worktimeExtent = q.getAll('worktime-extent');
  const min = float(q, 'parttime.min');
  const max = float(q, 'parttime.max');
  if (min || max) f.parttime = { min: min || 0, max: max || 100 };
  const required = boolean(q, 'driving-license-required');
  if (required !== undefined) f.drivingLicenseRequired = required;
  f.drivingLicense = q.getAll('driving-license');
  f.employmentType = q.getAll('employment-type');
  const experience = choices(q, 'experience', ['true', 'false'])[0];
  if (experience !== undefined) f.experience = experience === 'true';
  f.locations = {
    municipality: q.getAll('municipality'),
    region: q.getAll('region'),
    country: q.getAll('country'),
  };
  const unspecified = boolean(q, 'unspecified-sweden-workplace');
  if (unspecified !== undefined) f.unspecifiedSweden = unspecified;
  const abroad = boolean(q, 'abroad');
  if (abroad !== undefined) f.abroad = abroad;
  const positions = q.getAll('position');
  for (const p of positions) {
    if (!new RegExp(POSITION_PATTERN).test(p))
      throw new BadArgument('position', `Value does not match pattern: "${POSITION_PATTERN}"`);
  }
  const radii = q.getAll('position.radius').map((r) => {
    if (!/^\s*[-+]?\d+\s*$/.test(r))
      throw new BadArgument('position.radius', `invalid literal for int() with base 10: '${r}'`);
    return Number(r);
  });
  // As `_build_geo_dist_filter`: a position at 0 or a radius of 0 drops the whole geo filter.
  const circles = positions.map((p, i) => {
    const [lat, lon] = p.split(',').map(Number) as [number, number];
    return { lat, lon, radiusKm: radii[i] ?? 5 };
  });
  if (circles.every((c) => c.lat && c.lon && c.radiusKm > 0)) f.positions = circles;
  f.employer = q.getAll('employer');
  const text = q.get('q');
  if (text !== null) {
    if (text.length > 255) throw new BadArgument('q', 'parameter can not be longer than 255 characters');
    f.q = text.toLowerCase();
  }
  f.qfields = choices(q, 'qfields', QFIELDS);
  const remote = boolean(q, 'remote');
  if (remote !== undefined) f.remote = remote;
  return f;
}

/** Positive values OR'ed, `-value` excluded (JobSearch's taxonomy filters). */
function taxonomyFilter(
  values: readonly string[],
  keysOf: (ad: SimAd) => readonly string[],
): ((ad: SimAd) => boolean) | null {
  if (values.length === 0) return null;
  const include = values.filter((v) => v && !v.startsWith('-'));
  const exclude = values.filter((v) => v.startsWith('-')).map((v) => v.slice(1));
  return (ad) => {
    const keys = keysOf(ad);
    if (exclude.some((v) => keys.includes(v))) return false;
    return include.length === 0 || include.some((v) => keys.includes(v));
  };
}

/** Everything but the free text, as one predicate. */
function filterPredicate(f: Filters, clock: Clock): (ad: SimAd) => boolean {
  const checks: Array<(ad: SimAd) => boolean> = [(ad) => clock.isOpen(ad)];
  if (f.publishedAfter !== undefined) {
    const after = f.publishedAfter;
    checks.push((ad) => clock.published(ad) >= after);
  }
  if (f.publishedBefore !== undefined) {
    const before = f.publishedBefore;
    checks.push((ad) => clock.published(ad) <= before);
  }
  const occupation = taxonomyFilter(f.occupations, (ad) => [
    ...ad.occupation.slice(0, 2),
    ...ad.group.slice(0, 2),
    ...ad.field.slice(0, 2),
  ]);
  if (occupation) checks.push(occupation);
  // municipality=, region= and country= are OR'ed with each other (one `should` in `_build_plats_query`).
  const { municipality, region, country } = f.locations;
  const placeValues = [...municipality, ...region, ...country];
  if (placeValues.length > 0 || f.abroad || f.unspecifiedSweden) {
    const placeKeys = (ad: SimAd) => ({
      municipality: [ad.place.code, ad.place.conceptId],
      region: [ad.place.regionCode, ad.place.regionConcept],
      country: [SWEDEN.code, SWEDEN.conceptId] as string[],
    });
    checks.push((ad) => {
      const keys = placeKeys(ad);
      const neg = (list: string[], own: string[]) =>
        list.some((v) => v.startsWith('-') && own.includes(v.slice(1)));
      if (neg(municipality, keys.municipality) || neg(region, keys.region) || neg(country, keys.country))
        return false;
      const pos = (list: string[]) => list.filter((v) => v && !v.startsWith('-'));
      const positives = [...pos(municipality), ...pos(region), ...pos(country)];
      // Every ad here is in Sweden with a region: `abroad` and `unspecified-sweden-workplace` add nothing.
      if (positives.length === 0) return !(f.abroad || f.unspecifiedSweden);
      return (
        pos(municipality).some((v) => keys.municipality.includes(v)) ||
        pos(region).some((v) => keys.region.includes(v)) ||
        pos(country).some((v) => keys.country.includes(v))
      );
    });
  }
  const skill = taxonomyFilter(f.skill, (ad) =>
    [...ad.mustSkills, ...ad.niceSkills].flatMap((s) => [s[0], s[1]]),
  );
  if (skill) checks.push(skill);
  const language = taxonomyFilter(f.language, (ad) =>
    [...ad.mustLanguages, ...ad.niceLanguages].flatMap((s) => [s[0], s[1]]),
  );
  if (language) checks.push(language);
  const worktime = taxonomyFilter(f.worktimeExtent, (ad) => [ad.worktime[0], ad.worktime[1]]);
  if (worktime) checks.push(worktime);
  const license = taxonomyFilter(f.drivingLicense, (ad) => ad.drivingLicenses.flatMap((s) => [s[0], s[1]]));
  if (license) checks.push(license);
  const employment = taxonomyFilter(f.employmentType, (ad) => [ad.employmentType[0], ad.employmentType[1]]);
  if (employment) checks.push(employment);
  if (f.drivingLicenseRequired !== undefined) {
    const want = f.drivingLicenseRequired;
    checks.push((ad) => ad.drivingLicenseRequired === want);
  }
  if (f.experience !== undefined) {
    const want = f.experience;
    checks.push((ad) => ad.experience === want);
  }
  if (f.parttime) {
    const { min, max } = f.parttime;
    checks.push(
      (ad) => ad.scope.min >= min && ad.scope.min <= max && ad.scope.max >= min && ad.scope.max <= max,
    );
  }
  if (f.employer.length > 0) {
    // Organisation number (prefix) or name; `-` excludes.
    const matches = (ad: SimAd, v: string) =>
      /^\d+$/.test(v)
        ? ad.employer.organizationNumber.startsWith(v)
        : ad.employer.name.toLowerCase().includes(v.toLowerCase());
    const include = f.employer.filter((v) => !v.startsWith('-'));
    const exclude = f.employer.filter((v) => v.startsWith('-')).map((v) => v.slice(1));
    checks.push(
      (ad) =>
        !exclude.some((v) => matches(ad, v)) && (include.length === 0 || include.some((v) => matches(ad, v))),
    );
  }
  if (f.remote !== undefined) {
    const want = f.remote;
    checks.push((ad) => ad.remote === want);
  }
  if (f.positions.length > 0) {
    const circles = f.positions;
    checks.push((ad) => circles.some((c) => haversineKm(c.lat, c.lon, ad.lat, ad.lon) <= c.radiusKm));
  }
  return (ad) => {
    for (const check of checks) if (!check(ad)) return false;
    return true;
  };
}

/** The result of a search: matching ad indices in answer order, and free-text scores by ad index. */
interface Result {
  order: Int32Array;
  scores: Float64Array | null;
  maxScore: number;
}

function freetextFor(f: Filters, q: string | undefined, req: SimRequest, corpus: Corpus): Freetext | null {
  if (!q || q.trim() === '') return null;
  const method = req.headers['x-feature-freetext-bool-method'] === 'and' ? 'and' : 'or';
  const disableSmart = /^(true|1|on)$/i.test(req.headers['x-feature-disable-smart-freetext'] ?? '');
  return compileFreetext(q, corpus, { qfields: f.qfields, method, disableSmart });
}

/** Sort key of one ad for `sort`, bigger first: places the real ad among the presorted generated ones. */
function sortKey(sort: string, ad: SimAd, clock: Clock): number {
  switch (sort) {
    case 'pubdate-asc':
      return -clock.published(ad);
    case 'applydate-desc':
      return clock.deadlineOf(ad) ?? Number.NEGATIVE_INFINITY;
    case 'applydate-asc':
      return -(clock.deadlineOf(ad) ?? Number.POSITIVE_INFINITY);
    case 'updated':
      return clock.timestamp(ad);
    default:
      return clock.published(ad);
  }
}

function presorted(sort: string, corpus: Corpus): Int32Array {
  const o = corpus.orders;
  switch (sort) {
    case 'pubdate-asc':
      return o.publishedAsc;
    case 'applydate-desc':
      return o.deadlineDesc;
    case 'applydate-asc':
      return o.deadlineAsc;
    case 'updated':
      return o.updatedDesc;
    default:
      return o.publishedDesc;
  }
}

/**
 * Filters and free text over the corpus, in answer order. As JobSearch's sort options: `relevance`
 * is score, then newest first (without free text every score is equal); the date orders come from
 * the generated ads' presorted indices (ties by id), with the real ad placed by its own dates.
 */
function run(corpus: Corpus, f: Filters, clock: Clock, freetext: Freetext | null, sort: string): Result {
  const passes = filterPredicate(f, clock);
  const ads = corpus.ads;
  const ok = new Uint8Array(ads.length);
  const scores = freetext ? new Float64Array(ads.length) : null;
  let count = 0;
  let maxScore = freetext ? 0 : 1;
  const textOf = (ad: SimAd) => adText(ad, clock);
  for (let i = 0; i < ads.length; i++) {
    const ad = ads[i]!;
    if (!passes(ad)) continue;
    if (freetext && scores) {
      const score = freetext.score(ad, textOf);
      if (score === null) continue;
      scores[i] = score;
      if (score > maxScore) maxScore = score;
    }
    ok[i] = 1;
    count++;
  }
  const order = new Int32Array(count);
  let n = 0;
  if (scores && (sort === 'relevance' || sort === 'id')) {
    for (let i = 0; i < ads.length; i++) if (ok[i]) order[n++] = i;
    const published = new Float64Array(ads.length);
    for (const i of order) published[i] = clock.published(ads[i]!);
    order.sort(
      (a, b) =>
        scores[b]! - scores[a]! || published[b]! - published[a]! || Number(ads[a]!.id) - Number(ads[b]!.id),
    );
    return { order, scores, maxScore };
  }
  const real = corpus.realIndex;
  let realKey = ok[real] ? sortKey(sort, ads[real]!, clock) : null;
  for (const i of presorted(sort, corpus)) {
    if (!ok[i]) continue;
    if (realKey !== null && realKey > sortKey(sort, ads[i]!, clock)) {
      order[n++] = real;
      realKey = null;
    }
    order[n++] = i;
  }
  if (realKey !== null) order[n++] = real;
  return { order, scores, maxScore };
}

/** Deterministic "timings" (the real ones vary; the simulator's answers must not). */
function timings(key: string): { query: number; result: number } {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  const u = h >>> 0;
  const query = 2 + (u % 37);
  return { query, result: query + 8 + ((u >>> 8) % 90) };
}

/** One `stats` facet: a terms aggregation over the matches, count desc then code asc. */
function facet(type: string, order: Int32Array, size: number, corpus: Corpus) {
  const buckets = new Map<string, { term: string; conceptId: string; count: number }>();
  const fieldLabels = new Map(corpus.taxonomy.fields.map((c) => [c[1], c]));
  for (const i of order) {
    const ad = corpus.ads[i]!;
    let code: string;
    let term: string;
    let conceptId: string;
    switch (type) {
      case 'municipality':
        [code, term, conceptId] = [ad.place.code, ad.place.name, ad.place.conceptId];
        break;
      case 'region':
        [code, term, conceptId] = [ad.place.regionCode, ad.place.regionName, ad.place.regionConcept];
        break;
      case 'country':
        [code, term, conceptId] = [SWEDEN.code, SWEDEN.name, SWEDEN.conceptId];
        break;
      case 'occupation-group':
        [conceptId, code, term] = ad.group;
        break;
      case 'occupation-field':
        // The label of the taxonomy table, whatever an ad of another taxonomy version says.
        [conceptId, code, term] = fieldLabels.get(ad.field[1]) ?? ad.field;
        break;
      default:
        [conceptId, code, term] = ad.occupation;
    }
    const b = buckets.get(code);
    if (b) b.count++;
    else buckets.set(code, { term, conceptId, count: 1 });
  }
  return {
    type,
    values: [...buckets]
      .sort(([ca, a], [cb, b]) => b.count - a.count || (ca < cb ? -1 : ca > cb ? 1 : 0))
      .slice(0, size)
      .map(([code, b]) => ({ term: b.term, concept_id: b.conceptId, code, count: b.count })),
  };
}

/** `GET /search`. */
export function search(req: SimRequest, corpus: Corpus): SimResponse {
  const q = req.query;
  const clock = new Clock(req.now);
  let filters: Filters;
  let offset: number;
  let limit: number;
  let sort: string;
  let stats: string[];
  let statsLimit: number;
  try {
    filters = parseFilters(q, clock.anchor);
    float(q, 'relevance-threshold');
    choices(q, 'resdet', ['full', 'brief']);
    offset = intRange(q, 'offset', 0, MAX_OFFSET, 0);
    limit = intRange(q, 'limit', 0, MAX_LIMIT, 10);
    sort = choices(q, 'sort', SORTS)[0] ?? 'relevance';
    stats = choices(q, 'stats', STATS);
    // `size: args.get(STAT_LMT) or 5`: a stats.limit of 0 means the default, 5.
    statsLimit = intRange(q, 'stats.limit', 0, MAX_STATS_LIMIT, 0) || 5;
  } catch (err) {
    if (err instanceof BadArgument) return badArgumentResponse(err);
    throw err;
  }
  const freetext = freetextFor(filters, filters.q, req, corpus);
  const { order, scores, maxScore } = run(corpus, filters, clock, freetext, sort);
  let positions = 0;
  for (const i of order) positions += corpus.ads[i]!.vacancies;
  const time = timings(req.url.search);
  return json(200, {
    total: { value: order.length },
    positions,
    query_time_in_millis: time.query,
    result_time_in_millis: time.result,
    stats: [...new Set(stats)].map((type) => facet(type, order, statsLimit, corpus)),
    freetext_concepts: freetext?.concepts ?? noConcepts(),
    hits: [...order.subarray(offset, offset + limit)].map((i) => ({
      ...renderAd(corpus.ads[i]!, clock),
      // Score over the best score, as JobSearch's `relevance` (1 for every hit without free text).
      relevance: Math.round(((scores ? scores[i]! : 1) / maxScore) * 1e6) / 1e6,
    })),
  });
}

/** `GET /complete`: typeahead over the occupation, skill and location terms of the matching ads. */
export function complete(req: SimRequest, corpus: Corpus): SimResponse {
  const q = req.query;
  const clock = new Clock(req.now);
  let filters: Filters;
  let limit: number;
  let contextual: boolean;
  try {
    filters = parseFilters(q, clock.anchor);
    limit = intRange(q, 'limit', 0, MAX_COMPLETE_LIMIT, 10);
    contextual = boolean(q, 'contextual') ?? true;
  } catch (err) {
    if (err instanceof BadArgument) return badArgumentResponse(err);
    throw err;
  }
  corpus.text(); // the typeahead terms (`keys`) are part of the text index
  // The last word is completed; the words before it search (as `q`) when the typeahead is contextual.
  const typed = filters.q ?? '';
  const words = typed.split(' ');
  const last = words[words.length - 1] ?? '';
  const before = words.slice(0, -1).join(' ');
  const base: SimAd[] = contextual
    ? [...run(corpus, filters, clock, freetextFor(filters, before, req, corpus), 'relevance').order].map(
        (i) => corpus.ads[i]!,
      )
    : corpus.ads.filter((ad) => clock.isOpen(ad));
  const types = (filters.qfields.length > 0 ? filters.qfields : ['occupation', 'skill', 'location']).filter(
    (t) => QFIELDS.includes(t),
  );
  const counts: Array<{ type: string; key: string; count: number }> = [];
  for (const type of types) {
    const byKey = new Map<string, number>();
    for (const ad of base) {
      const keys = type === 'employer' ? [ad.employer.name.toLowerCase()] : ad.keys[type as 'occupation'];
      for (const key of keys) if (key.startsWith(last)) byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
    // Terms aggregation: count desc, then key; 60 terms shared by the types.
    const size = Math.floor(60 / types.length);
    for (const [key, count] of [...byKey]
      .sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0))
      .slice(0, size))
      counts.push({ type, key, count });
  }
  const fwords = before.split(' ').filter((w) => w !== '');
  const seen = new Set<string>();
  const typeahead: Array<{ value: string; found_phrase: string; type: string; occurrences: number }> = [];
  for (const c of counts.sort((a, b) => b.count - a.count)) {
    const value = c.key
      .split(' ')
      .filter((w) => !fwords.includes(w))
      .join(' ');
    if (fwords.includes(c.key) || seen.has(value)) continue;
    seen.add(value);
    const phrase = `${before} ${value}`.trim();
    typeahead.push({ value: phrase, found_phrase: phrase, type: c.type, occurrences: c.count });
  }
  // A typed word followed by a space: the word itself is not suggested again.
  const result =
    last === '' && fwords.length > 0 ? typeahead.filter((t) => t.value !== fwords[0]) : typeahead;
  const time = timings(req.url.search);
  return json(200, {
    result_time_in_millis: time.result,
    time_in_millis: time.query,
    typeahead: result.slice(0, limit),
  });
}
