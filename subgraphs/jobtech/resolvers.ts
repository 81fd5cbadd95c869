import { upstreamDateTime } from '../../kit/datetime.ts';
import { badInput, UpstreamError } from '../../kit/errors.ts';
import { checkFirst, ranked } from '../../kit/ranking.ts';
import { geography, requireCounty, requireSwedishPoint } from '../../kit/sweden.ts';
import type { SearchParams } from './client.ts';
import type { JobTechContext, SearchPageModel } from './context.ts';
import type { JobAdSort, Resolvers } from './generated/resolvers-types.ts';
import { codeOfTerm, STATS_LIMIT } from './loaders.ts';
import { countyConcept, municipalityConcept } from './locations.ts';
import { toSwedishLocal } from './time.ts';

const AGENCY = 'jobtech';

const jobTechTime = (value: unknown, what: string) =>
  upstreamDateTime(value, { agency: AGENCY, name: 'JobTech', what, local: 'europe-stockholm' });

/** JobSearch's own bounds, enforced here before any call. */
export const MAX_LIMIT = 100;
export const MAX_OFFSET = 2000;
export const MAX_SUGGESTIONS = 50;
export const MAX_QUERY_LENGTH = 255;
export const MAX_RADIUS_KM = 500;

/** Our sort enum → JobSearch's `sort` values (relevance is the default and not sent). */
export const SORT_VALUES: Record<JobAdSort, string | undefined> = {
  RELEVANCE: undefined,
  PUBLISHED_NEWEST_FIRST: 'pubdate-desc',
  PUBLISHED_OLDEST_FIRST: 'pubdate-asc',
  DEADLINE_LATEST_FIRST: 'applydate-desc',
  DEADLINE_SOONEST_FIRST: 'applydate-asc',
  UPDATED: 'updated',
};

const NARROW =
  'Narrow the search instead (query, municipality, county, occupationField, occupationGroup, publishedAfter): JobSearch serves at most the first 2 100 hits of any search.';

/** The filters every search entry point shares. */
interface FilterArgs {
  query?: string | null | undefined;
  occupationField?: string | null | undefined;
  occupationGroup?: string | null | undefined;
  remote?: boolean | null | undefined;
  publishedAfter?: string | null | undefined;
  sort?: JobAdSort | null | undefined;
  limit?: number | null | undefined;
  offset?: number | null | undefined;
}

function checkPaging(limit: number | null | undefined, offset: number | null | undefined) {
  const l = limit ?? 10;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 0 || l > MAX_LIMIT) {
    throw badInput(
      `limit ${l} is out of range: limit must be an integer from 0 to ${MAX_LIMIT}. ${NARROW}`,
      AGENCY,
    );
  }
  if (!Number.isInteger(o) || o < 0 || o > MAX_OFFSET) {
    throw badInput(
      `offset ${o} is out of range: offset must be an integer from 0 to ${MAX_OFFSET}. ${NARROW}`,
      AGENCY,
    );
  }
  return { limit: l, offset: o };
}

/** A loaded value, or the error its loader gave (the whole ranking fails with it). */
function valueOrThrow<T>(value: T | Error | undefined): T {
  if (value instanceof Error) throw value;
  if (value === undefined) throw new Error('a count is missing');
  return value;
}

function checkQuery(query: string | null | undefined, name = 'query'): string | undefined {
  if (query === null || query === undefined || query.trim() === '') return undefined;
  if (query.length > MAX_QUERY_LENGTH) {
    throw badInput(
      `${name} is ${query.length} characters long: at most ${MAX_QUERY_LENGTH} are allowed.`,
      AGENCY,
    );
  }
  return query.trim();
}

/** Concept ids look like "6Hq3_tKo_V57"; anything else would silently match nothing upstream. */
const CONCEPT_ID = /^[A-Za-z0-9]{2,8}(?:_[A-Za-z0-9]{2,8}){1,3}$/;

function checkConcept(value: string | null | undefined, name: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!CONCEPT_ID.test(value)) {
    throw badInput(
      `${name} "${value}" is not a taxonomy concept id: use an id such as "6Hq3_tKo_V57" (see JobAd.${name}.conceptId).`,
      AGENCY,
    );
  }
  return value;
}

function checkPublishedAfter(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const local = toSwedishLocal(value);
  if (local === null) {
    throw badInput(
      `publishedAfter "${value}" is not an ISO-8601 date or date-time: use e.g. "2024-04-24", "2024-04-24T08:00:00" (Swedish local time) or "2024-04-24T06:00:00Z".`,
      AGENCY,
    );
  }
  return local;
}

function checkRadius(radiusKm: number | null | undefined): number {
  const r = radiusKm ?? 5;
  if (!Number.isInteger(r) || r < 1 || r > MAX_RADIUS_KM) {
    throw badInput(
      `radiusKm ${r} is out of range: use a whole number of km from 1 to ${MAX_RADIUS_KM}.`,
      AGENCY,
    );
  }
  return r;
}

/** Validates and translates the shared filters; throws BAD_USER_INPUT before any call. */
export function searchParams(args: FilterArgs, where: Partial<SearchParams> = {}): SearchParams {
  const { limit, offset } = checkPaging(args.limit, args.offset);
  return {
    q: checkQuery(args.query),
    ...where,
    occupationField: checkConcept(args.occupationField, 'occupationField'),
    occupationGroup: checkConcept(args.occupationGroup, 'occupationGroup'),
    remote: args.remote === true ? true : undefined,
    publishedAfter: checkPublishedAfter(args.publishedAfter),
    sort: SORT_VALUES[args.sort ?? 'RELEVANCE'],
    offset,
    limit,
  };
}

/** Drops undefined members so that identical searches have identical loader keys. */
function compact(p: SearchParams): SearchParams {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as SearchParams;
}

/** One page of a search: the loader's answer and the paging it was asked with. */
const search = async (p: SearchParams, ctx: JobTechContext): Promise<SearchPageModel> => ({
  ...(await ctx.loaders.search.load(compact(p))),
  limit: p.limit,
  offset: p.offset,
});

/** Ad ids are Platsbanken ids ("28746073") or external ids ("46-556074-3089-42438554"). */
const AD_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** JobSearch's typeahead (`/complete`): terms from open ads that start with `prefix`. */
async function completions(prefix: string, limit: number | null | undefined, ctx: JobTechContext) {
  const l = limit ?? 10;
  if (!Number.isInteger(l) || l < 0 || l > MAX_SUGGESTIONS) {
    throw badInput(
      `limit ${l} is out of range: limit must be an integer from 0 to ${MAX_SUGGESTIONS}.`,
      AGENCY,
    );
  }
  const q = checkQuery(prefix, 'prefix');
  if (q === undefined) throw badInput('prefix must not be empty: give the start of a word.', AGENCY);
  return ctx.loaders.suggest.load(`${l}\u0000${q}`);
}

export function createResolvers(): Resolvers {
  return {
    Query: {
      rankMunicipalitiesByJobAds: async (_, args, ctx) => {
        const first = checkFirst('rankMunicipalitiesByJobAds', args.first ?? 10, 290, AGENCY);
        const query = checkQuery(args.query) ?? null;
        const order = args.order ?? 'DESC';
        let rows: Array<{ code: string; value: number }>;
        if ((args.county === null || args.county === undefined) && order === 'DESC' && first <= STATS_LIMIT) {
          // Sweden's top municipalities are JobSearch's own statistics facet: one call.
          const result = await ctx.loaders.search.load({
            q: query ?? undefined,
            stats: 'municipality',
            statsLimit: STATS_LIMIT,
            offset: 0,
            limit: 0,
          });
          const facet = result.stats.find((f) => f.type === 'municipality');
          if (!facet)
            throw new UpstreamError('BAD_PAYLOAD', AGENCY, 'JobSearch sent no municipality statistics');
          rows = facet.values.flatMap((v) => {
            const code = codeOfTerm(v);
            return code ? [{ code, value: v.count }] : [];
          });
          // Fewer terms than asked for: every municipality with ads is listed; the rest have none.
          if (facet.values.length < STATS_LIMIT) {
            const listed = new Set(rows.map((r) => r.code));
            for (const code of geography().municipalities.keys())
              if (!listed.has(code)) rows.push({ code, value: 0 });
          }
        } else {
          const codes =
            args.county === null || args.county === undefined
              ? [...geography().municipalities.keys()]
              : requireCounty(args.county, AGENCY).municipalityCodes;
          const counts = await ctx.loaders.count.loadMany(codes.map((code) => ({ code, query })));
          rows = codes.map((code, i) => ({ code, value: valueOrThrow(counts[i]) }));
        }
        return ranked(rows, order, first).map((r) => ({
          rank: r.rank,
          municipality: { code: r.code },
          jobAdCount: r.value,
        }));
      },
      rankCountiesByJobAds: async (_, args, ctx) => {
        const first = checkFirst('rankCountiesByJobAds', args.first ?? 21, 21, AGENCY);
        const query = checkQuery(args.query) ?? null;
        const codes = [...geography().counties.keys()];
        // All 21 through the county loader: one `stats=region` search.
        const counts = await ctx.loaders.countyCount.loadMany(codes.map((code) => ({ code, query })));
        const rows = codes.map((code, i) => ({ code, value: valueOrThrow(counts[i]) }));
        return ranked(rows, args.order ?? 'DESC', first).map((r) => ({
          rank: r.rank,
          county: { code: r.code },
          jobAdCount: r.value,
        }));
      },
      jobAds: (_, args, ctx) => {
        const where: Partial<SearchParams> = {};
        const hasMunicipality = args.municipality !== null && args.municipality !== undefined;
        if (hasMunicipality) where.municipality = municipalityConcept(args.municipality!, AGENCY);
        if (args.county !== null && args.county !== undefined) {
          const region = countyConcept(args.county, AGENCY);
          // JobSearch ORs municipality= and region=; we promise AND, so a municipality narrows its county.
          if (hasMunicipality && args.municipality!.slice(0, 2) !== args.county) {
            throw badInput(
              `Municipality "${args.municipality}" is not in county "${args.county}": give a municipality of that county, or only one of the two.`,
              AGENCY,
            );
          }
          if (!hasMunicipality) where.region = region;
        }
        if (args.near) {
          const { latitude, longitude } = args.near;
          const radiusKm = checkRadius(args.near.radiusKm);
          requireSwedishPoint(latitude, longitude, AGENCY);
          where.position = { latitude, longitude, radiusKm };
        }
        return search(searchParams(args, where), ctx);
      },
      jobAd: (_, { id }, ctx) => {
        if (!AD_ID.test(id)) {
          throw badInput(
            `Ad id "${id}" is malformed: use a Platsbanken id such as "28746073" (letters, digits, ".", "_", ":", "-"; at most 100 characters).`,
            AGENCY,
          );
        }
        return ctx.loaders.ad.load(id);
      },
      jobAdCompletions: (_, { prefix, limit }, ctx) => completions(prefix, limit, ctx),
      jobAdSuggestions: (_, { prefix, limit }, ctx) => completions(prefix, limit, ctx),
    },
    JobAdSearch: {
      totalCount: (page) => page.total,
      nodes: (page) => page.ads,
    },
    JobAd: {
      __resolveReference: (ref, ctx) => ('headline' in ref ? ref : ctx.loaders.ad.load(ref.id)),
      // JobSearch's times have no zone: Swedish local time, given the offset valid then.
      publicationStartsAt: (ad) => jobTechTime(ad.sentTimes.publicationDate, "the ad's `publication_date`"),
      publicationEndsAt: (ad) =>
        jobTechTime(ad.sentTimes.lastPublicationDate, "the ad's `last_publication_date`"),
      applicationClosesAt: (ad) =>
        jobTechTime(ad.sentTimes.applicationDeadline, "the ad's `application_deadline`"),
    },
    JobAdWorkplace: {
      postalCode: (w) => w.postcode,
      postalTown: (w) => w.city,
      municipality: (w) => (w.municipalityCode ? { code: w.municipalityCode } : null),
      county: (w) => (w.countyCode ? { code: w.countyCode } : null),
      location: (w) => w.location,
    },
    Municipality: {
      __resolveReference: (ref) => (geography().municipalities.has(ref.code) ? { code: ref.code } : null),
      jobAds: (m, args, ctx) =>
        search(searchParams(args, { municipality: municipalityConcept(m.code, AGENCY) }), ctx),
      jobAdCount: (m, { query }, ctx) => {
        municipalityConcept(m.code, AGENCY);
        return ctx.loaders.count.load({ code: m.code, query: checkQuery(query) ?? null });
      },
    },
    County: {
      __resolveReference: (ref) => (geography().counties.has(ref.code) ? { code: ref.code } : null),
      jobAds: (c, args, ctx) => search(searchParams(args, { region: countyConcept(c.code, AGENCY) }), ctx),
      jobAdCount: (c, { query }, ctx) => {
        countyConcept(c.code, AGENCY);
        return ctx.loaders.countyCount.load({ code: c.code, query: checkQuery(query) ?? null });
      },
    },
    Place: {
      __resolveReference: (ref) => ({ latitude: ref.latitude, longitude: ref.longitude }),
      jobAdsNearby: (p, args, ctx) => {
        const radiusKm = checkRadius(args.radiusKm);
        requireSwedishPoint(p.latitude, p.longitude, AGENCY);
        return search(
          searchParams(args, { position: { latitude: p.latitude, longitude: p.longitude, radiusKm } }),
          ctx,
        );
      },
    },
  };
}
