import { describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import {
  type JobTechClient,
  parseSearch,
  type SearchParams,
  type SearchResult,
} from '../../subgraphs/jobtech/client.ts';
import { countMunicipalities, STATS_LIMIT } from '../../subgraphs/jobtech/loaders.ts';
import { locationTable } from '../../subgraphs/jobtech/locations.ts';
import { fixture } from './helpers.ts';

const region01Stats = parseSearch(fixture('jobsearch_search_stats_municipality_region01_synthetic.json'));

/** A fake JobSearch: records every search and answers from `answer`. */
function fakeClient(answer: (p: SearchParams) => SearchResult | Error) {
  const calls: SearchParams[] = [];
  const client: JobTechClient = {
    async search(p) {
      calls.push(p);
      const result = answer(p);
      if (result instanceof Error) throw result;
      return result;
    },
    ad: async () => null,
    complete: async () => [],
  };
  return { client, calls };
}

const codesOf = (county: string) => geography().counties.get(county)!.municipalityCodes;
const concept = (code: string) => locationTable().municipality[code]!.conceptId;

/** A stats answer listing the given municipalities with count = 1000 - index. */
function statsFor(codes: string[], total = 0): SearchResult {
  return {
    total,
    positions: null,
    ads: [],
    stats: [
      {
        type: 'municipality',
        values: codes.map((code, i) => ({
          term: locationTable().municipality[code]!.preferredTerm,
          conceptId: concept(code),
          code,
          count: 1000 - i,
        })),
      },
    ],
  };
}

const single = (total: number): SearchResult => ({ total, positions: null, ads: [], stats: [] });

describe('jobAdCount batching through stats=municipality', () => {
  it('counts all 26 municipalities of Stockholms län with ONE search (absent from the facet = 0)', async () => {
    const { client, calls } = fakeClient(() => region01Stats);
    const keys = codesOf('01').map((code) => ({ code, query: null }));
    expect(keys).toHaveLength(26);
    const counts = await countMunicipalities(client, keys);
    expect(calls).toEqual([
      { q: undefined, region: 'CifL_Rzy_Mku', stats: 'municipality', statsLimit: 30, offset: 0, limit: 0 },
    ]);
    const byCode = Object.fromEntries(keys.map((k, i) => [k.code, counts[i]]));
    expect(byCode['0180']).toBe(9731);
    expect(byCode['0115']).toBe(35);
    expect(byCode['0140']).toBe(0); // Nykvarn is not in the facet: fewer than 30 terms means no hits
  });

  it('falls back to one search per municipality only for what a full (30-term) facet leaves out', async () => {
    const vg = codesOf('14');
    expect(vg.length).toBeGreaterThan(STATS_LIMIT);
    const top = vg.slice(0, STATS_LIMIT);
    const { client, calls } = fakeClient((p) => (p.stats ? statsFor(top) : single(7)));
    const counts = await countMunicipalities(
      client,
      vg.map((code) => ({ code, query: 'lärare' })),
    );
    const stats = calls.filter((c) => c.stats);
    const singles = calls.filter((c) => !c.stats);
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ q: 'lärare', region: locationTable().region['14']!.conceptId });
    expect(singles).toHaveLength(vg.length - STATS_LIMIT);
    expect(singles.map((c) => c.municipality).sort()).toEqual(vg.slice(STATS_LIMIT).map(concept).sort());
    expect(singles.every((c) => c.limit === 0 && c.q === 'lärare')).toBe(true);
    expect(counts.slice(0, STATS_LIMIT)).toEqual(top.map((_, i) => 1000 - i));
    expect(counts.slice(STATS_LIMIT).every((c) => c === 7)).toBe(true);
  });

  it('uses one nationwide facet for keys in several counties, then a county facet for what is left', async () => {
    // Nationwide top 30: not Upplands Väsby (0114) nor Vallentuna (0115).
    const others = [...geography().municipalities.keys()].filter(
      (c) => !['0114', '0115', '0180', '1280', '1480'].includes(c),
    );
    const nationwide = ['1480', '1280', '0180', ...others.slice(0, 27)];
    const { client, calls } = fakeClient((p) =>
      p.region
        ? statsFor(['0114', '0115'])
        : p.stats
          ? statsFor([...new Set(nationwide)].slice(0, 30))
          : single(1),
    );
    const counts = await countMunicipalities(client, [
      { code: '0180', query: null },
      { code: '1480', query: null },
      { code: '1280', query: null },
      { code: '0114', query: null },
      { code: '0115', query: null },
    ]);
    expect(calls.map((c) => [c.stats ?? 'none', c.region ?? 'sweden'])).toEqual([
      ['municipality', 'sweden'],
      ['municipality', 'CifL_Rzy_Mku'],
    ]);
    expect(counts).toEqual([998, 1000, 999, 1000, 999]);
  });

  it('asks for a single municipality directly, and batches per query', async () => {
    const { client, calls } = fakeClient(() => single(42));
    const counts = await countMunicipalities(client, [
      { code: '2480', query: 'sjuksköterska' },
      { code: '2480', query: null },
    ]);
    expect(counts).toEqual([42, 42]);
    expect(calls).toEqual([
      { q: 'sjuksköterska', municipality: concept('2480'), offset: 0, limit: 0 },
      { q: undefined, municipality: concept('2480'), offset: 0, limit: 0 },
    ]);
  });

  it('gives every key of a failed facet search the error', async () => {
    const boom = new Error('upstream down');
    const { client } = fakeClient(() => boom);
    const counts = await countMunicipalities(client, [
      { code: '0180', query: null },
      { code: '0182', query: null },
    ]);
    expect(counts).toEqual([boom, boom]);
  });
});
