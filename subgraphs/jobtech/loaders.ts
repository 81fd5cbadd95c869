import DataLoader from 'dataloader';
import { perKey } from '../../kit/loaders.ts';
import { stableJson } from '../../kit/snapshot.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import type { JobTechClient, SearchParams, StatsFacet } from './client.ts';
import type { CountKey, JobTechContext } from './context.ts';
import {
  countyCodeOfConcept,
  countyConcept,
  municipalityCodeOfConcept,
  municipalityCodeOfName,
  municipalityConcept,
} from './locations.ts';

const AGENCY = 'jobtech';

/** JobSearch returns at most this many terms per stats facet (`stats.limit` 0–30). */
export const STATS_LIMIT = 30;

const countKey = (k: CountKey) => `${k.query ?? ''}\u0000${k.code}`;

/** Municipality code of a `stats=municipality` term: by concept id, else 4-digit code, else name. */
/** The municipality code of a `stats=municipality` term (by concept id, then code, then name). */
export function codeOfTerm(value: StatsFacet['values'][number]): string | undefined {
  if (value.conceptId) {
    const code = municipalityCodeOfConcept(value.conceptId);
    if (code) return code;
  }
  if (value.code && /^\d{4}$/.test(value.code)) return value.code;
  return value.term ? municipalityCodeOfName(value.term) : undefined;
}

/**
 * Counts ads for many municipalities with as few searches as JobSearch allows. For each query:
 * 1. keys in more than one county: one `stats=municipality` search over Sweden (top 30 terms);
 * 2. what is left, per county with two or more keys: one such search restricted to the county
 *    (`region=`), which covers every municipality of a county with at most 30 of them;
 * 3. what is still left: one `limit=0` search per municipality.
 * A facet with fewer than 30 terms lists every municipality that has a hit: the others count 0.
 */
export async function countMunicipalities(
  client: JobTechClient,
  keys: readonly CountKey[],
  trace?: RequestTrace,
): Promise<Array<number | Error>> {
  const results = new Map<string, number | Error>();
  const byQuery = new Map<string | null, Set<string>>();
  for (const k of keys) {
    const set = byQuery.get(k.query) ?? new Set<string>();
    set.add(k.code);
    byQuery.set(k.query, set);
  }

  async function viaStats(query: string | null, codes: Set<string>, county?: string): Promise<void> {
    let facet: StatsFacet | undefined;
    try {
      const result = await client.search(
        {
          q: query ?? undefined,
          region: county === undefined ? undefined : countyConcept(county, AGENCY),
          stats: 'municipality',
          statsLimit: STATS_LIMIT,
          offset: 0,
          limit: 0,
        },
        trace,
      );
      facet = result.stats.find((s) => s.type === 'municipality');
    } catch (err) {
      for (const code of codes) results.set(countKey({ query, code }), err as Error);
      codes.clear();
      return;
    }
    if (!facet) return; // no facet came back: fall through to single searches
    for (const value of facet.values) {
      const code = codeOfTerm(value);
      if (code && codes.has(code)) {
        results.set(countKey({ query, code }), value.count);
        codes.delete(code);
      }
    }
    if (facet.values.length < STATS_LIMIT) {
      for (const code of codes) results.set(countKey({ query, code }), 0);
      codes.clear();
    }
  }

  async function single(query: string | null, code: string): Promise<void> {
    try {
      const result = await client.search(
        { q: query ?? undefined, municipality: municipalityConcept(code, AGENCY), offset: 0, limit: 0 },
        trace,
      );
      results.set(countKey({ query, code }), result.total);
    } catch (err) {
      results.set(countKey({ query, code }), err as Error);
    }
  }

  await Promise.all(
    [...byQuery].map(async ([query, codes]) => {
      const pending = new Set(codes);
      if (pending.size === 1) {
        await single(query, [...pending][0]!);
        return;
      }
      const counties = new Set([...pending].map((c) => c.slice(0, 2)));
      if (counties.size > 1) await viaStats(query, pending);
      const perCounty = new Map<string, Set<string>>();
      for (const code of pending) {
        const county = code.slice(0, 2);
        const set = perCounty.get(county) ?? new Set<string>();
        set.add(code);
        perCounty.set(county, set);
      }
      await Promise.all(
        [...perCounty].map(async ([county, set]) => {
          if (set.size > 1) await viaStats(query, set, county);
          await Promise.all([...set].map((code) => single(query, code)));
        }),
      );
    }),
  );
  return keys.map((k) => results.get(countKey(k)) ?? new Error(`no count for municipality ${k.code}`));
}

/**
 * Counts ads for many counties in one search per query: `stats=region` lists every county with a
 * hit (21 counties, under JobSearch's 30 terms), so the ones missing count 0. A single county is one
 * `limit=0` search of its own (no statistics needed).
 */
export async function countCounties(
  client: JobTechClient,
  keys: readonly CountKey[],
  trace?: RequestTrace,
): Promise<Array<number | Error>> {
  const results = new Map<string, number | Error>();
  const byQuery = new Map<string | null, Set<string>>();
  for (const k of keys) {
    const set = byQuery.get(k.query) ?? new Set<string>();
    set.add(k.code);
    byQuery.set(k.query, set);
  }
  await Promise.all(
    [...byQuery].map(async ([query, codes]) => {
      try {
        if (codes.size === 1) {
          const code = [...codes][0]!;
          const result = await client.search(
            { q: query ?? undefined, region: countyConcept(code, AGENCY), offset: 0, limit: 0 },
            trace,
          );
          results.set(countKey({ query, code }), result.total);
          return;
        }
        const result = await client.search(
          { q: query ?? undefined, stats: 'region', statsLimit: STATS_LIMIT, offset: 0, limit: 0 },
          trace,
        );
        const facet = result.stats.find((f) => f.type === 'region');
        if (!facet) throw new Error('JobSearch sent no region statistics');
        for (const value of facet.values) {
          const code =
            value.code && /^\d{2}$/.test(value.code)
              ? value.code
              : value.conceptId
                ? countyCodeOfConcept(value.conceptId)
                : undefined;
          if (code && codes.has(code)) results.set(countKey({ query, code }), value.count);
        }
        // Fewer terms than the limit: every county with a hit is listed, the others have none.
        if (facet.values.length < STATS_LIMIT) {
          for (const code of codes)
            if (!results.has(countKey({ query, code }))) results.set(countKey({ query, code }), 0);
        }
      } catch (err) {
        for (const code of codes) results.set(countKey({ query, code }), err as Error);
      }
    }),
  );
  return keys.map((k) => results.get(countKey(k)) ?? new Error(`no count for county ${k.code}`));
}

/** Per-request loaders. */
export function createLoaders(client: JobTechClient, trace: RequestTrace): JobTechContext['loaders'] {
  return {
    ad: perKey((id: string) => client.ad(id, trace)),
    search: new DataLoader<SearchParams, Awaited<ReturnType<JobTechClient['search']>>, string>(
      async (params) =>
        Promise.all(
          params.map(async (p) => {
            try {
              return await client.search(p, trace);
            } catch (err) {
              return err as Error;
            }
          }),
        ),
      { cacheKeyFn: (p) => stableJson(p) },
    ),
    countyCount: new DataLoader<CountKey, number, string>((keys) => countCounties(client, keys, trace), {
      cacheKeyFn: countKey,
    }),
    count: new DataLoader<CountKey, number, string>((keys) => countMunicipalities(client, keys, trace), {
      cacheKeyFn: countKey,
    }),
    suggest: perKey((key: string) => {
      const split = key.indexOf('\u0000');
      return client.complete(key.slice(split + 1), Number(key.slice(0, split)), trace);
    }),
  };
}
