import { inBBox, pointInPolygon } from '../../../kit/geo.ts';
import { seededRandom } from '../../../kit/simulator.ts';
import { geography, round6 } from '../../../kit/sweden.ts';
import { locationTable } from '../locations.ts';
import { swedishIso, swedishOffsetMs } from '../time.ts';
import { type Concept, postalData, recordedAd, SWEDEN, type TaxonomyData, taxonomyData } from './data.ts';
import {
  APPLICATION_INFOS,
  CLOSINGS,
  COMPANY_INFOS,
  capitalise,
  displayName,
  EMPLOYER_PREFIXES,
  EMPLOYER_SUFFIXES,
  EMPLOYER_TRADES,
  fill,
  HEADLINES,
  htmlEscape,
  INTROS,
  inSentence,
  isRemoteText,
  OFFERS,
  REMOTES,
  REQUIREMENTS,
  ROLES,
  SALARY_TEXTS,
  STREET_FIRST,
  STREET_LAST,
  slug,
  type Template,
  tokenize,
} from './text.ts';

/**
 * The simulator's ad corpus: 3 000 synthetic ads over all 290 municipalities plus the one real
 * recorded ad (28746073). Generated once per simulator from a seeded PRNG (same corpus on every
 * machine); ad times are stored relative to the request clock and rendered per request, so ads are
 * always "published in the last 30 days" whatever the clock says.
 */

/** Synthetic ads generated (besides the real one). Every municipality gets at least one. */
export const GENERATED_ADS = 3000;
const DAY_MS = 86_400_000;
/** Synthetic Platsbanken ids start here (8 digits, like today's ids) and grow with publication time. */
const FIRST_ID = 30_100_000;

/** Where an ad's workplace is. */
export interface Place {
  code: string;
  name: string;
  conceptId: string;
  regionCode: string;
  regionName: string;
  regionConcept: string;
}

export interface Employer {
  name: string;
  organizationNumber: string;
  slug: string;
  comp: number;
}

/** The free-text "components" of an ad, per field JobSearch searches (ids into `Corpus.words`). */
export interface AdComps {
  headline: number[];
  description: number[];
  employer: number[];
  location: number[];
  occupation: number[];
  skill: number[];
}

/** Times: relative to the request's minute ("anchor") for generated ads, absolute for the real one. */
export type AdTimes =
  | { kind: 'anchored'; publishedAgoMs: number; deadlineDays: number; updatedAgoMs: number }
  | {
      kind: 'absolute';
      published: number;
      deadline: number | null;
      lastPublished: number;
      timestamp: number;
    };

export interface SimAd {
  index: number;
  id: string;
  externalId: string | null;
  /** The recorded ad's JSON (contacts removed) when this is the real ad; null for synthetic ones. */
  real: Record<string, unknown> | null;
  place: Place;
  city: string | null;
  street: string | null;
  postcode: string | null;
  lon: number;
  lat: number;
  occupation: Concept;
  group: Concept;
  field: Concept;
  /** Index into `TaxonomyData.occupations`; -1 for the real ad. */
  occupationIndex: number;
  mustSkills: Concept[];
  niceSkills: Concept[];
  mustLanguages: Concept[];
  niceLanguages: Concept[];
  employmentType: Concept;
  wageType: Concept;
  worktime: Concept;
  duration: Concept;
  drivingLicenses: Concept[];
  drivingLicenseRequired: boolean;
  ownCar: boolean;
  experience: boolean;
  scope: { min: number; max: number };
  vacancies: number;
  employer: Employer;
  remote: boolean;
  times: AdTimes;
  /** Every optional field set (each municipality's newest ad is one; ~30 % of the others). */
  rich: boolean;
  variants: {
    headline: number;
    intro: number;
    role: number;
    offer: number;
    remote: number;
    closing: number;
    companyInfo: number;
    salary: number;
    applicationInfo: number;
  };
  viaAf: boolean;
  reference: string;
  sourceType: string;
  comps: AdComps;
  /** Typeahead terms by type (lower case), as JobSearch's `/complete` aggregates them. */
  keys: { occupation: string[]; skill: string[]; location: string[] };
}

/** Generated ads presorted by each sort key (their relative order never changes); ties by id. */
export interface SortOrders {
  publishedDesc: Int32Array;
  publishedAsc: Int32Array;
  deadlineAsc: Int32Array;
  deadlineDesc: Int32Array;
  updatedDesc: Int32Array;
}

export interface Corpus {
  ads: SimAd[];
  orders: SortOrders;
  /** Index of the real recorded ad (its times are absolute, so it is placed per request). */
  realIndex: number;
  byId: Map<string, SimAd>;
  byExternalId: Map<string, SimAd>;
  taxonomy: TaxonomyData;
  places: Map<string, Place>;
  /**
   * The free-text index (components, each ad's `comps` and typeahead `keys`, the vocabulary),
   * built on the first request that needs it so that creating the simulator stays fast.
   */
  text(): TextIndex;
}

export interface TextIndex {
  /** Words of each free-text component (an occupation, an employer, a place, a template, …). */
  words: string[][];
  /** Occupation / skill / location vocabularies of the smart free text (lower case). */
  vocab: { occupationWords: Set<string>; skillWords: Set<string>; locations: Map<string, string[]> };
}

/** Registry of free-text components: each is a list of words, shared by every ad that uses it. */
class Words {
  readonly list: string[][] = [];
  readonly #byObject = new Map<unknown, number[]>();

  /** The component of `text`, cached under (`key`, `slot`): `key` is a shared object or string. */
  of(key: unknown, slot: number, text: string): number {
    let slots = this.#byObject.get(key);
    if (!slots) {
      slots = [];
      this.#byObject.set(key, slots);
    }
    let id = slots[slot];
    if (id === undefined) {
      id = this.list.length;
      this.list.push([...new Set(tokenize(text))]);
      slots[slot] = id;
    }
    return id;
  }
}

const EMPTY_COMPS: AdComps = {
  headline: [],
  description: [],
  employer: [],
  location: [],
  occupation: [],
  skill: [],
};
const agoOf = (ad: SimAd) => (ad.times.kind === 'anchored' ? ad.times.publishedAgoMs : 0);

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

/** Cumulative weights for weighted sampling by binary search. */
function weighted(weights: readonly number[]): (rnd: () => number) => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum);
  }
  return (rnd) => {
    const target = rnd() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * A 10-digit organisation number shaped like a Swedish company's ("55…", third digit ≥ 2 so that
 * JobSearch would not hide it as a personal number) whose check digit is deliberately wrong: real
 * organisation numbers pass the Luhn check, so these can never be a real company's.
 */
function organizationNumber(rnd: () => number): string {
  let digits = `55${6 + Math.floor(rnd() * 4)}`;
  while (digits.length < 9) digits += String(Math.floor(rnd() * 10));
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  const luhn = (10 - (sum % 10)) % 10;
  // luhn + 1…9 (mod 10) is never the valid check digit.
  return digits + String((luhn + 1 + Math.floor(rnd() * 9)) % 10);
}

/** Occupation typeahead terms: the label, its "/" parts, their heads before ", ", and "x-utvecklare" → "utvecklare". */
function occupationKeys(label: string): string[] {
  const keys = new Set<string>([label.toLowerCase()]);
  for (const part of label.toLowerCase().split('/')) {
    keys.add(part.trim());
    const head = part.split(', ')[0]!.trim();
    keys.add(head);
    const dash = head.lastIndexOf('-');
    if (dash > 0 && head.length - dash > 4 && !head.includes(' ')) keys.add(head.slice(dash + 1));
  }
  return [...keys].filter((k) => k !== '');
}

/** Skill typeahead term: the skill's head ("Java, programmeringsspråk" → "java"). */
const skillKeyCache = new Map<string, string>();
function skillKey(label: string): string {
  let key = skillKeyCache.get(label);
  if (key === undefined) {
    key = label.toLowerCase().split(', ')[0]!.trim();
    skillKeyCache.set(label, key);
  }
  return key;
}

const literalCache = new Map<Template, string>();
/** A template without its slots: the words it always contributes. */
function literalText(t: Template): string {
  let text = literalCache.get(t);
  if (text === undefined) {
    text = t.replace(/\{\w+\}/g, ' ');
    literalCache.set(t, text);
  }
  return text;
}

const slotCache = new Map<Template, string[]>();
/** Slots a template uses, e.g. ["Occ", "employer"]. */
function slotsOf(t: Template): string[] {
  let slots = slotCache.get(t);
  if (!slots) {
    slots = [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    slotCache.set(t, slots);
  }
  return slots;
}

/** Picks a point inside the municipality: its representative point, or a nearby point inside the outline. */
function pointIn(code: string, rnd: () => number): { lon: number; lat: number } {
  const m = geography().municipalities.get(code)!;
  const centre = { lon: m.centroid.longitude, lat: m.centroid.latitude };
  // Ads often carry the municipality's centre (reference §1.4); the others scatter around it.
  if (rnd() < 0.35) return centre;
  const spanLon = Math.min(0.08, (m.bbox.maxLon - m.bbox.minLon) / 6);
  const spanLat = Math.min(0.04, (m.bbox.maxLat - m.bbox.minLat) / 6);
  for (let tries = 0; tries < 4; tries++) {
    const lon = centre.lon + (rnd() + rnd() - 1) * spanLon;
    const lat = centre.lat + (rnd() + rnd() - 1) * spanLat;
    if (inBBox(m.bbox, lon, lat) && pointInPolygon(m.geometry, lon, lat))
      return { lon: round6(lon), lat: round6(lat) };
  }
  return centre;
}

/** Builds the corpus (deterministic: the seed is fixed). */
export function buildCorpus(): Corpus {
  const taxonomy = taxonomyData();
  const postal = postalData();
  const concepts = locationTable();
  const { municipalities, counties } = geography();
  const rnd = seededRandom('jobtech-simulator:corpus:v1');
  // Identical lists (of concepts, of component ids) are shared: fewer live objects, faster start.
  const lists = new Map<string, unknown[]>();
  const sharedBy = <T>(key: string, list: T[]): T[] => {
    const known = lists.get(key) as T[] | undefined;
    if (known) return known;
    lists.set(key, list);
    return list;
  };
  const shared = (list: Concept[]): Concept[] => sharedBy(`c:${list.map((c) => c[0]).join(',')}`, list);

  const places = new Map<string, Place>();
  for (const [code, m] of municipalities) {
    const region = concepts.region[m.countyCode]!;
    places.set(code, {
      code,
      name: m.name,
      conceptId: concepts.municipality[code]!.conceptId,
      regionCode: m.countyCode,
      regionName: counties.get(m.countyCode)?.name ?? region.preferredTerm,
      regionConcept: region.conceptId,
    });
  }

  // Ads per municipality: one each, the rest in proportion to its number of postal codes (largest remainder).
  const codes = [...places.keys()];
  const weightsOf = codes.map((c) => postal[c]?.postcodes ?? 1);
  const totalWeight = weightsOf.reduce((a, b) => a + b, 0);
  const spare = GENERATED_ADS - codes.length;
  const exact = weightsOf.map((w) => (spare * w) / totalWeight);
  const counts = exact.map((x) => 1 + Math.floor(x));
  let left = GENERATED_ADS - counts.reduce((a, b) => a + b, 0);
  for (const i of exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map(([, i]) => i)) {
    if (left-- <= 0) break;
    counts[i]! += 1;
  }

  // Employers: 40 per occupation field, names from parts, unique.
  const employers = new Map<string, Employer[]>();
  const names = new Set<string>();
  for (const [, legacy] of taxonomy.fields) {
    const trades = EMPLOYER_TRADES[legacy] ?? ['service'];
    const list: Employer[] = [];
    while (list.length < 40) {
      const trade = pick(rnd, trades);
      const suffix = pick(rnd, EMPLOYER_SUFFIXES);
      const name = `${pick(rnd, EMPLOYER_PREFIXES)}${trade} ${suffix}`;
      if (names.has(name)) continue;
      names.add(name);
      list.push({
        name,
        organizationNumber: organizationNumber(rnd),
        slug: slug(name),
        comp: -1,
      });
    }
    employers.set(legacy, list);
  }

  const pickOccupation = weighted(taxonomy.occupations.map((o) => o[4]));
  const occupationKeyList = taxonomy.occupations.map((o) => occupationKeys(o[2]));
  const occupationConcepts: Concept[] = taxonomy.occupations.map((o) => [o[0], o[1], o[2]]);
  const groupConcepts: Concept[] = taxonomy.groups.map((g) => [g[0], g[1], g[2]]);

  /** Per draft: days from publication to deadline, and how long after publication it last changed. */
  interface Draft {
    ad: SimAd;
    deadlineSpanDays: number;
    updatedLagMs: number;
  }
  const drafts: Draft[] = [];
  codes.forEach((code, ci) => {
    const place = places.get(code)!;
    const postcodes = postal[code]?.places ?? [];
    for (let n = 0; n < counts[ci]!; n++) {
      const oi = pickOccupation(rnd);
      const gi = taxonomy.occupations[oi]![3];
      const g = taxonomy.groups[gi]!;
      const field = taxonomy.fields[g[3]]!;
      const fieldLegacy = field[1];
      const skills = taxonomy.skillsByField[fieldLegacy] ?? [];
      // Up to three distinct skills of the field: two required, one merited.
      const picked: Concept[] = [];
      if (skills.length > 0) {
        const start = Math.floor(rnd() * skills.length);
        const step = 1 + Math.floor(rnd() * Math.max(1, skills.length - 1));
        for (let k = 0; k < Math.min(3, skills.length); k++)
          picked.push(skills[(start + k * step) % skills.length]!);
      }
      const nMust = skills.length === 0 ? 0 : Math.floor(rnd() * 3);
      const mustSkills = shared([...new Set(picked.slice(0, nMust))]);
      const niceSkills = shared(
        rnd() < 0.4 ? picked.slice(nMust, nMust + 1).filter((s) => !mustSkills.includes(s)) : [],
      );
      const swedish = taxonomy.languages[0]!;
      const english = taxonomy.languages[1]!;
      const mustLanguages = shared(rnd() < 0.6 ? [swedish] : []);
      const extraLanguage =
        rnd() < 0.1 ? taxonomy.languages[2 + Math.floor(rnd() * (taxonomy.languages.length - 2))] : undefined;
      const niceLanguages = shared(
        rnd() < 0.35 ? (extraLanguage ? [english, extraLanguage] : [english]) : [],
      );
      const worktimeIndex = rnd() < 0.72 ? 0 : rnd() < 0.6 ? 1 : 2;
      const worktime = taxonomy.worktimeExtents[worktimeIndex]!;
      const scope =
        worktimeIndex === 0
          ? { min: 100, max: 100 }
          : worktimeIndex === 1
            ? (() => {
                const min = 25 + 5 * Math.floor(rnd() * 12);
                return { min, max: Math.min(95, min + 5 * Math.floor(rnd() * 4)) };
              })()
            : { min: 50 + 25 * Math.floor(rnd() * 2), max: 100 };
      const r = rnd();
      const employmentType =
        r < 0.85
          ? taxonomy.employmentTypes[0]!
          : r < 0.95
            ? taxonomy.employmentTypes[1]!
            : taxonomy.employmentTypes[2]!;
      const d = rnd();
      const duration =
        d < 0.7
          ? taxonomy.durations[0]!
          : d < 0.85
            ? taxonomy.durations[1]!
            : d < 0.95
              ? taxonomy.durations[2]!
              : taxonomy.durations[3]!;
      const w = rnd();
      const wageType =
        w < 0.88 ? taxonomy.wageTypes[0]! : w < 0.96 ? taxonomy.wageTypes[1]! : taxonomy.wageTypes[2]!;
      const drives = fieldLegacy === '19' || fieldLegacy === '10' || fieldLegacy === '2';
      const drivingLicenseRequired = drives ? rnd() < 0.7 : rnd() < 0.08;
      const drivingLicenses = shared(
        drivingLicenseRequired
          ? fieldLegacy === '19' && rnd() < 0.4
            ? [taxonomy.drivingLicenses[2]!, taxonomy.drivingLicenses[3]!]
            : [taxonomy.drivingLicenses[0]!]
          : [],
      );
      const employer = pick(rnd, employers.get(fieldLegacy)!);
      const [postcode, locality] = postcodes.length > 0 ? pick(rnd, postcodes) : [null, null];
      const officeLike = ['1', '3', '5', '11', '18', '20'].includes(fieldLegacy);
      const remote = officeLike ? rnd() < 0.25 : rnd() < 0.02;
      const point = pointIn(code, rnd);
      const publishedAgoMs = (60 + Math.floor(rnd() * (30 * 86_400 - 60))) * 1000;
      // Every property is set here, once: later passes only assign (one object shape for all ads).
      drafts.push({
        ad: {
          index: 0,
          id: '',
          externalId: null,
          rich: false,
          sourceType: '',
          times: { kind: 'anchored', publishedAgoMs, deadlineDays: 0, updatedAgoMs: 0 },
          comps: EMPTY_COMPS,
          real: null,
          place,
          city: locality,
          street: `${pick(rnd, STREET_FIRST)}${pick(rnd, STREET_LAST)} ${1 + Math.floor(rnd() * 60)}`,
          postcode,
          lon: point.lon,
          lat: point.lat,
          occupation: occupationConcepts[oi]!,
          group: groupConcepts[gi]!,
          field,
          occupationIndex: oi,
          mustSkills,
          niceSkills,
          mustLanguages,
          niceLanguages,
          employmentType,
          wageType,
          worktime,
          duration,
          drivingLicenses,
          drivingLicenseRequired,
          ownCar: drivingLicenseRequired && rnd() < 0.3,
          experience: rnd() < 0.75,
          scope: sharedBy(`s:${scope.min}-${scope.max}`, [scope])[0]!,
          vacancies: rnd() < 0.85 ? 1 : 2 + Math.floor(rnd() * 4),
          employer,
          remote,
          variants: {
            headline: Math.floor(rnd() * HEADLINES.length),
            intro: Math.floor(rnd() * INTROS.length),
            role: Math.floor(rnd() * ROLES.length),
            offer: Math.floor(rnd() * OFFERS.length),
            remote: Math.floor(rnd() * REMOTES.length),
            closing: Math.floor(rnd() * CLOSINGS.length),
            companyInfo: Math.floor(rnd() * COMPANY_INFOS.length),
            salary: Math.floor(rnd() * SALARY_TEXTS.length),
            applicationInfo: Math.floor(rnd() * APPLICATION_INFOS.length),
          },
          viaAf: rnd() < 0.4,
          reference: `${1000 + Math.floor(rnd() * 9000)}`,
          keys: { occupation: occupationKeyList[oi]!, skill: [], location: [] },
        },
        deadlineSpanDays: 14 + Math.floor(rnd() * 32),
        updatedLagMs: rnd() < 0.6 ? Math.floor(rnd() * 3_600_000) : Math.floor(rnd() * 3 * DAY_MS),
      });
    }
  });

  // Each municipality's newest ad is a "rich" one (every optional field set), and ~30 % of the rest.
  const newest = new Map<string, SimAd>();
  for (const { ad } of drafts) {
    const best = newest.get(ad.place.code);
    if (!best || agoOf(ad) < agoOf(best)) newest.set(ad.place.code, ad);
  }
  const richAds = new Set(newest.values());

  // Ids grow with publication time (oldest first), as Platsbanken's do.
  const order = drafts.map((d, i) => ({ d, i })).sort((x, y) => agoOf(y.d.ad) - agoOf(x.d.ad) || x.i - y.i);
  const ads: SimAd[] = [];
  let nextId = FIRST_ID;
  for (const { d } of order) {
    const ad = d.ad;
    nextId += 1 + Math.floor(rnd() * 5);
    ad.index = ads.length;
    ad.id = String(nextId);
    ad.rich = richAds.has(ad) || rnd() < 0.3;
    const org = ad.employer.organizationNumber;
    if (ad.rich || rnd() < 0.2)
      ad.externalId = `46-${org.slice(0, 6)}-${org.slice(6)}-${40_000_000 + Math.floor(rnd() * 9_999_999)}`;
    if (ad.rich) ad.viaAf = false;
    ad.sourceType = ad.externalId ? 'VIA_PLATSBANKEN_DXA' : rnd() < 0.5 ? 'VIA_AF_FORMULAR' : 'VIA_ANNONSERA';
    const ago = agoOf(ad);
    ad.times = {
      kind: 'anchored',
      publishedAgoMs: ago,
      deadlineDays: Math.max(1, d.deadlineSpanDays - Math.floor(ago / DAY_MS)),
      updatedAgoMs: Math.max(0, ago - d.updatedLagMs),
    };
    // About half the ads give no address (as the recorded one); rich ones always do.
    if (ad.rich || rnd() < 0.5) ad.city ??= ad.place.name;
    else {
      ad.city = null;
      ad.street = null;
      ad.postcode = null;
    }
    ads.push(ad);
  }

  const real = realAd(recordedAd(), ads.length, places);
  ads.push(real);

  let index: TextIndex | undefined;
  return {
    ads,
    orders: sortOrders(ads.slice(0, real.index)),
    realIndex: real.index,
    byId: new Map(ads.map((a) => [a.id, a])),
    byExternalId: new Map(ads.flatMap((a) => (a.externalId ? [[a.externalId, a] as const] : []))),
    taxonomy,
    places,
    text: () => (index ??= buildTextIndex(ads, real, taxonomy, places, sharedBy)),
  };
}

const STOP_WORDS = new Set([
  'och',
  'i',
  'på',
  'för',
  'med',
  'inom',
  'av',
  'till',
  'från',
  'm',
  'fl',
  'o',
  'samt',
  'eller',
  'en',
  'ett',
  'e',
  'the',
  'and',
  'of',
]);

/** Fills every ad's `comps` and typeahead `keys`, and builds the vocabulary (once per corpus). */
function buildTextIndex(
  ads: SimAd[],
  real: SimAd,
  taxonomy: TaxonomyData,
  places: Map<string, Place>,
  sharedBy: <T>(key: string, list: T[]) => T[],
): TextIndex {
  const words = new Words();
  const tables = prepareTables(words, taxonomy);
  for (const ad of ads) {
    if (ad.employer.comp < 0) ad.employer.comp = words.of(ad.employer.name, 3, ad.employer.name);
    if (ad === real) continue;
    const comps = compsOf(ad, tables);
    comps.employer = sharedBy(`n:${comps.employer.join(',')}`, comps.employer);
    comps.location = sharedBy(`n:${comps.location.join(',')}`, comps.location);
    comps.occupation = sharedBy(`n:${comps.occupation.join(',')}`, comps.occupation);
    comps.skill = sharedBy(`n:${comps.skill.join(',')}`, comps.skill);
    ad.comps = comps;
    const skillKeys = skillKeysOf(ad);
    ad.keys.skill = sharedBy(`k:${skillKeys.join('|')}`, skillKeys);
    const placeKeys = locationKeys(ad);
    ad.keys.location = sharedBy(`k:${placeKeys.join('|')}`, placeKeys);
  }
  indexRealAd(real, words);

  // Function words ("och", "i", "för") are in labels but are no concepts.
  const conceptWord = (w: string) => !STOP_WORDS.has(w) && !/^\d+$/.test(w);
  const vocab = {
    occupationWords: new Set(taxonomy.occupations.flatMap((o) => tokenize(o[2])).filter(conceptWord)),
    skillWords: new Set(
      Object.values(taxonomy.skillsByField)
        .flatMap((list) => list.flatMap((s) => tokenize(s[2])))
        .filter(conceptWord),
    ),
    locations: new Map<string, string[]>(),
  };
  for (const p of places.values()) {
    vocab.locations.set(p.name.toLowerCase(), tokenize(p.name));
    vocab.locations.set(p.regionName.toLowerCase(), tokenize(p.regionName));
  }
  vocab.locations.set(SWEDEN.name.toLowerCase(), [SWEDEN.name.toLowerCase()]);
  return { words: words.list, vocab };
}

const lowerCache = new Map<string, string>();
const lower = (s: string) => {
  let l = lowerCache.get(s);
  if (l === undefined) {
    l = s.toLowerCase();
    lowerCache.set(s, l);
  }
  return l;
};

function skillKeysOf(ad: SimAd): string[] {
  const keys: string[] = [];
  for (const s of ad.mustSkills) keys.push(skillKey(s[2]));
  for (const s of ad.niceSkills) if (!keys.includes(skillKey(s[2]))) keys.push(skillKey(s[2]));
  return keys;
}

function sortOrders(generated: SimAd[]): SortOrders {
  const times = generated.map((ad) => {
    if (ad.times.kind !== 'anchored') throw new Error('generated ads are anchored');
    return ad.times;
  });
  const ids = generated.map((ad) => Number(ad.id));
  const sorted = (compare: (a: number, b: number) => number) =>
    Int32Array.from(generated.map((_, i) => i).sort((a, b) => compare(a, b) || ids[a]! - ids[b]!));
  return {
    publishedDesc: sorted((a, b) => times[a]!.publishedAgoMs - times[b]!.publishedAgoMs),
    publishedAsc: sorted((a, b) => times[b]!.publishedAgoMs - times[a]!.publishedAgoMs),
    deadlineAsc: sorted((a, b) => times[a]!.deadlineDays - times[b]!.deadlineDays),
    deadlineDesc: sorted((a, b) => times[b]!.deadlineDays - times[a]!.deadlineDays),
    updatedDesc: sorted((a, b) => times[a]!.updatedAgoMs - times[b]!.updatedAgoMs),
  };
}

function locationKeys(ad: SimAd): string[] {
  const keys = [lower(ad.place.name)];
  if (ad.city && lower(ad.city) !== keys[0]) keys.push(lower(ad.city));
  keys.push(lower(ad.place.regionName), lower(SWEDEN.name));
  return keys;
}

/** The slot values of an ad's templates. */
function slotsFor(ad: SimAd, deadline = ''): Record<string, string> {
  const display = displayName(ad.occupation[2]);
  return {
    Occ: capitalise(display),
    occ: inSentence(display),
    employer: ad.employer.name,
    muni: ad.place.name,
    city: ad.city ?? ad.place.name,
    region: ad.place.regionName,
    field: ad.field[2].toLowerCase(),
    hours: ad.worktime[2].toLowerCase(),
    skills: [...ad.mustSkills.map((s) => s[2])].join(' och '),
    licenses: ad.drivingLicenses.map((l) => l[2]).join(', '),
    deadline,
  };
}

function requirementLines(ad: SimAd): string[] {
  const slots = slotsFor(ad);
  const lines = [fill(ad.experience ? REQUIREMENTS.experience : REQUIREMENTS.noExperience, slots)];
  if (ad.mustSkills.length > 0) lines.push(fill(REQUIREMENTS.skills, slots));
  if (ad.mustLanguages.length > 0)
    lines.push(ad.niceLanguages.length > 0 ? REQUIREMENTS.swedishEnglish : REQUIREMENTS.swedish);
  if (ad.drivingLicenseRequired) lines.push(fill(REQUIREMENTS.license, slots));
  if (ad.ownCar) lines.push(REQUIREMENTS.car);
  return lines;
}

/** Slots of the templates as small numbers (compared in the per-ad loop instead of strings). */
const SLOT_CODES: Record<string, number> = {
  Occ: 1,
  occ: 1,
  employer: 2,
  muni: 3,
  city: 4,
  region: 5,
  field: 6,
  hours: 7,
  skills: 8,
  licenses: 9,
};

/** A template prepared once: its literal words' component and its slots. */
interface PreparedTemplate {
  comp: number;
  slots: number[];
}

/** Component ids prepared once per corpus, so that `compsOf` only indexes arrays. */
interface CompTables {
  headlines: PreparedTemplate[];
  intros: PreparedTemplate[];
  roles: PreparedTemplate[];
  offers: PreparedTemplate[];
  remotes: PreparedTemplate[];
  closings: PreparedTemplate[];
  requirements: Record<keyof typeof REQUIREMENTS, PreparedTemplate>;
  frame: number;
  occupationDisplay: number[];
  occupationLabel: number[];
  words: Words;
}

function prepareTables(words: Words, taxonomy: TaxonomyData): CompTables {
  const prepare = (t: Template): PreparedTemplate => ({
    comp: words.of(t, 4, literalText(t)),
    slots: slotsOf(t).map((s) => SLOT_CODES[s] ?? 0),
  });
  const requirements = Object.fromEntries(
    Object.entries(REQUIREMENTS).map(([k, t]) => [k, prepare(t)]),
  ) as CompTables['requirements'];
  return {
    headlines: HEADLINES.map(prepare),
    intros: INTROS.map(prepare),
    roles: ROLES.map(prepare),
    offers: OFFERS.map(prepare),
    remotes: REMOTES.map(prepare),
    closings: CLOSINGS.map(prepare),
    requirements,
    frame: words.of('tpl:frame', 4, 'Om tjänsten Vem är du? Vi erbjuder'),
    occupationDisplay: taxonomy.occupations.map((o) => words.of(o, 1, displayName(o[2]))),
    occupationLabel: taxonomy.occupations.map((o) => words.of(o, 0, o[2])),
    words,
  };
}

/** Which components each searchable field of a synthetic ad is made of. */
function compsOf(ad: SimAd, t: CompTables): AdComps {
  const words = t.words;
  const occDisplay = t.occupationDisplay[ad.occupationIndex]!;
  const muni = words.of(ad.place, 0, ad.place.name);
  const region = words.of(ad.place, 1, ad.place.regionName);
  const city = ad.city ? words.of(ad.city, 2, ad.city) : muni;
  const add = (out: number[], p: PreparedTemplate): void => {
    out.push(p.comp);
    for (const slot of p.slots) {
      if (slot === 1) out.push(occDisplay);
      else if (slot === 2) out.push(ad.employer.comp);
      else if (slot === 3) out.push(muni);
      else if (slot === 4) out.push(city);
      else if (slot === 5) out.push(region);
      else if (slot === 6) out.push(words.of(ad.field, 0, ad.field[2]));
      else if (slot === 7) out.push(words.of(ad.worktime, 0, ad.worktime[2]));
      else if (slot === 8) for (const skill of ad.mustSkills) out.push(words.of(skill, 0, skill[2]));
      else if (slot === 9)
        for (const license of ad.drivingLicenses) out.push(words.of(license, 0, license[2]));
    }
  };
  const v = ad.variants;
  const headline: number[] = [];
  add(headline, t.headlines[v.headline]!);
  const description: number[] = [t.frame];
  add(description, t.intros[v.intro]!);
  add(description, t.roles[v.role]!);
  const r = t.requirements;
  add(description, ad.experience ? r.experience : r.noExperience);
  if (ad.mustSkills.length > 0) add(description, r.skills);
  if (ad.mustLanguages.length > 0)
    add(description, ad.niceLanguages.length > 0 ? r.swedishEnglish : r.swedish);
  if (ad.drivingLicenseRequired) add(description, r.license);
  if (ad.ownCar) add(description, r.car);
  add(description, t.offers[v.offer]!);
  if (ad.remote) add(description, t.remotes[v.remote]!);
  add(description, t.closings[v.closing]!);
  const skill: number[] = [];
  for (const s of ad.mustSkills) skill.push(words.of(s, 0, s[2]));
  for (const s of ad.niceSkills) skill.push(words.of(s, 0, s[2]));
  return {
    headline,
    description,
    employer: [ad.employer.comp],
    location: [muni, region, city],
    occupation: [t.occupationLabel[ad.occupationIndex]!],
    skill,
  };
}

const concept = (v: unknown): Concept | null => {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  return [String(o['concept_id'] ?? ''), String(o['legacy_ams_taxonomy_id'] ?? ''), String(o['label'] ?? '')];
};

/** The recorded ad as a corpus entry: its JSON is served as recorded; its fields feed the filters. */
function realAd(json: Record<string, unknown>, index: number, places: Map<string, Place>): SimAd {
  const w = json['workplace_address'] as Record<string, unknown>;
  const description = json['description'] as Record<string, unknown>;
  const employer = json['employer'] as Record<string, unknown>;
  const coordinates = w['coordinates'] as [number, number];
  const place = places.get(String(w['municipality_code']))!;
  const id = String(json['id']);
  const instant = (v: unknown) => (typeof v === 'string' ? Date.parse(swedishIso(v) ?? '') : Number.NaN);
  const occupation = concept(json['occupation'])!;
  const name = String(employer['name']);
  const ad: SimAd = {
    index,
    id,
    externalId: typeof json['external_id'] === 'string' ? json['external_id'] : null,
    real: json,
    place,
    city: null,
    street: null,
    postcode: null,
    lon: coordinates[0],
    lat: coordinates[1],
    occupation,
    group: concept(json['occupation_group'])!,
    field: concept(json['occupation_field'])!,
    occupationIndex: -1,
    mustSkills: [],
    niceSkills: [],
    mustLanguages: [],
    niceLanguages: [],
    employmentType: concept(json['employment_type'])!,
    wageType: concept(json['salary_type'])!,
    worktime: concept(json['working_hours_type'])!,
    duration: concept(json['duration'])!,
    drivingLicenses: [],
    drivingLicenseRequired: json['driving_license_required'] === true,
    ownCar: json['access_to_own_car'] === true,
    experience: json['experience_required'] === true,
    scope: json['scope_of_work'] as { min: number; max: number },
    vacancies: Number(json['number_of_vacancies'] ?? 0),
    employer: {
      name,
      organizationNumber: String(employer['organization_number']),
      slug: slug(name),
      comp: -1,
    },
    remote: isRemoteText(`${String(json['headline'])} ${String(description['text'])}`),
    times: {
      kind: 'absolute',
      published: instant(json['publication_date']),
      deadline: instant(json['application_deadline']),
      lastPublished: instant(json['last_publication_date']),
      timestamp: Number(json['timestamp']),
    },
    rich: false,
    variants: {
      headline: 0,
      intro: 0,
      role: 0,
      offer: 0,
      remote: 0,
      closing: 0,
      companyInfo: 0,
      salary: 0,
      applicationInfo: 0,
    },
    viaAf: false,
    reference: '',
    sourceType: String(json['source_type']),
    comps: EMPTY_COMPS,
    keys: { occupation: occupationKeys(occupation[2]), skill: [], location: [] },
  };
  ad.keys.location = locationKeys(ad);
  return ad;
}

/** The real ad's free-text components: its own headline, text, occupation and employer. */
function indexRealAd(ad: SimAd, words: Words): void {
  const json = ad.real!;
  const description = json['description'] as Record<string, unknown>;
  const employer = json['employer'] as Record<string, unknown>;
  ad.employer.comp = words.of(json, 3, `${ad.employer.name} ${String(employer['workplace'] ?? '')}`);
  ad.comps = {
    headline: [words.of(json, 0, String(json['headline']))],
    description: [words.of(json, 1, String(description['text'] ?? ''))],
    employer: [ad.employer.comp],
    location: [words.of(ad.place, 0, ad.place.name), words.of(ad.place, 1, ad.place.regionName)],
    occupation: [words.of(json, 2, ad.occupation[2])],
    skill: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Time: JobSearch's date-times are Swedish local time without a zone ("2024-04-24T14:27:02").

const offsets = new Map<number, number>();

/** Swedish local wall time of an instant, "YYYY-MM-DDTHH:MM:SS" (offsets cached per UTC hour). */
export function swedishLocal(ms: number): string {
  const hour = Math.floor(ms / 3_600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    if (offsets.size > 20_000) offsets.clear();
    offset = swedishOffsetMs(hour * 3_600_000);
    offsets.set(hour, offset);
  }
  return new Date(ms + offset).toISOString().slice(0, 19);
}

/** The instant of a Swedish local time string. */
export function instantOfLocal(local: string): number {
  return Date.parse(swedishIso(local) ?? '');
}

export class Clock {
  readonly anchor: number;
  readonly #today: string;
  readonly #deadlines = new Map<number, { local: string; ms: number }>();

  constructor(now: number) {
    // JobSearch compares with "now" rounded to the minute (`now/m` in its Elasticsearch queries).
    this.anchor = Math.floor(now / 60_000) * 60_000;
    this.#today = swedishLocal(this.anchor).slice(0, 10);
  }

  /** `days` after today (Swedish date) at 23:59:59 local time, as the ads' deadlines are. */
  deadline(days: number): { local: string; ms: number } {
    let d = this.#deadlines.get(days);
    if (!d) {
      const [y, m, day] = this.#today.split('-').map(Number) as [number, number, number];
      const date = new Date(Date.UTC(y, m - 1, day + days)).toISOString().slice(0, 10);
      const local = `${date}T23:59:59`;
      d = { local, ms: instantOfLocal(local) };
      this.#deadlines.set(days, d);
    }
    return d;
  }

  published(ad: SimAd): number {
    const t = ad.times;
    return t.kind === 'anchored' ? this.anchor - t.publishedAgoMs : t.published;
  }

  /** The application deadline (null when the ad has none). */
  deadlineOf(ad: SimAd): number | null {
    const t = ad.times;
    return t.kind === 'anchored' ? this.deadline(t.deadlineDays).ms : t.deadline;
  }

  lastPublished(ad: SimAd): number {
    const t = ad.times;
    return t.kind === 'anchored' ? this.deadline(t.deadlineDays).ms : t.lastPublished;
  }

  /** Last change (epoch ms): `sort=updated`. */
  timestamp(ad: SimAd): number {
    const t = ad.times;
    return t.kind === 'anchored' ? this.anchor - t.updatedAgoMs : t.timestamp;
  }

  /** Open now: published, not past its last publication date (JobSearch serves only those). */
  isOpen(ad: SimAd): boolean {
    // A generated ad is published at least a minute before the clock, with a deadline days ahead.
    if (ad.times.kind === 'anchored') return true;
    return ad.times.published <= this.anchor && ad.times.lastPublished >= this.anchor;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering: the ad object exactly in the recorded shape (`jobsearch_ad_28746073.json`).

const item = (c: Concept) => ({ concept_id: c[0], label: c[2], legacy_ams_taxonomy_id: c[1] });
const weightedItem = (c: Concept, weight: number) => ({
  weight,
  concept_id: c[0],
  label: c[2],
  legacy_ams_taxonomy_id: c[1],
});

/** An ad as JobSearch serves it (`/ad/{id}`, and each search hit before `relevance`). */
export function renderAd(ad: SimAd, clock: Clock): Record<string, unknown> {
  if (ad.real) return structuredClone(ad.real);
  const deadline = ad.times.kind === 'anchored' ? clock.deadline(ad.times.deadlineDays).local : null;
  const slots = slotsFor(ad, deadline ? deadline.slice(0, 10) : '');
  const v = ad.variants;
  const role = fill(ROLES[v.role]!, slots);
  const requirements = requirementLines(ad);
  const offer = fill(OFFERS[v.offer]!, slots) + (ad.remote ? ` ${fill(REMOTES[v.remote]!, slots)}` : '');
  const text = [
    fill(INTROS[v.intro]!, slots),
    `Om tjänsten\n${role}`,
    `Vem är du?\n${requirements.map((r) => `  *  ${r}`).join('\n')}`,
    `Vi erbjuder\n${offer}`,
  ].join('\n\n');
  const fullText = `${text}\r\n\r\n${fill(CLOSINGS[v.closing]!, slots)}`;
  const conditions = `${ad.worktime[2]}\r\n${ad.duration[2]}`;
  const web = `https://www.${ad.employer.slug}.example`;
  const rich = ad.rich;
  return {
    id: ad.id,
    external_id: ad.externalId,
    original_id: null,
    label: '[]',
    webpage_url: `https://arbetsformedlingen.se/platsbanken/annonser/${ad.id}`,
    logo_url: rich
      ? `https://www.arbetsformedlingen.se/rest/arbetsgivare/rest/af/v3/organisation/${ad.employer.organizationNumber}/logotyper/logo.png`
      : null,
    headline: fill(HEADLINES[v.headline]!, slots),
    application_deadline: deadline,
    number_of_vacancies: ad.vacancies,
    description: {
      text: fullText,
      text_formatted: htmlEscape(fullText),
      company_information: rich ? fill(COMPANY_INFOS[v.companyInfo]!, slots) : null,
      needs: rich ? role : null,
      requirements: rich ? requirements.join('\n') : null,
      conditions,
    },
    employment_type: item(ad.employmentType),
    salary_type: item(ad.wageType),
    salary_description: rich ? SALARY_TEXTS[v.salary]! : 'Undefined',
    duration: item(ad.duration),
    working_hours_type: item(ad.worktime),
    scope_of_work: { min: ad.scope.min, max: ad.scope.max },
    access: null,
    employer: {
      // Never a person's phone or e-mail: the employer's own contact fields stay empty.
      phone_number: null,
      email: null,
      url: rich || ad.index % 2 === 0 ? `${web}/` : null,
      organization_number: ad.employer.organizationNumber,
      name: ad.employer.name,
      workplace: ad.employer.name,
    },
    application_details: {
      information: rich ? APPLICATION_INFOS[v.applicationInfo]! : null,
      reference: rich || !ad.viaAf ? `${ad.reference}-${ad.id}` : null,
      email: rich ? `jobb@${ad.employer.slug}.example` : null,
      via_af: ad.viaAf,
      url: ad.viaAf ? null : `${web}/jobb/${ad.id}`,
      other: null,
    },
    experience_required: ad.experience,
    access_to_own_car: ad.ownCar,
    driving_license_required: ad.drivingLicenseRequired,
    driving_license: ad.drivingLicenses.length > 0 ? ad.drivingLicenses.map(item) : null,
    occupation: item(ad.occupation),
    occupation_group: item(ad.group),
    occupation_field: item(ad.field),
    workplace_address: {
      municipality: ad.place.name,
      municipality_code: ad.place.code,
      municipality_concept_id: ad.place.conceptId,
      region: ad.place.regionName,
      region_code: ad.place.regionCode,
      region_concept_id: ad.place.regionConcept,
      country: SWEDEN.name,
      country_code: SWEDEN.code,
      country_concept_id: SWEDEN.conceptId,
      street_address: ad.street,
      postcode: ad.postcode,
      city: ad.city,
      coordinates: [ad.lon, ad.lat],
    },
    must_have: {
      skills: ad.mustSkills.map((s) => weightedItem(s, 10)),
      languages: ad.mustLanguages.map((s) => weightedItem(s, 10)),
      work_experiences: ad.experience ? [weightedItem(ad.occupation, 10)] : [],
      education: [],
      education_level: [],
    },
    nice_to_have: {
      skills: ad.niceSkills.map((s) => weightedItem(s, 5)),
      languages: ad.niceLanguages.map((s) => weightedItem(s, 5)),
      work_experiences: [],
      education: [],
      education_level: [],
    },
    // Contact persons are personal data: the simulator never serves any.
    application_contacts: [],
    publication_date: swedishLocal(clock.published(ad)),
    last_publication_date: swedishLocal(clock.lastPublished(ad)),
    removed: false,
    removed_date: null,
    source_type: ad.sourceType,
    timestamp: clock.timestamp(ad),
  };
}

/** The full searchable text of an ad (headline + description), lower case: for phrase queries. */
export function adText(ad: SimAd, clock: Clock): string {
  const json = renderAd(ad, clock);
  const description = json['description'] as { text: string | null };
  return `${String(json['headline'])}\n${description.text ?? ''}`.toLowerCase();
}
