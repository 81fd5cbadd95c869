import { execute, parse } from 'graphql';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { geography } from '../../kit/sweden.ts';
import { createTrace } from '../../kit/upstream.ts';
import { createScbModule } from '../../subgraphs/scb/index.ts';
import { fakeClock } from '../kit/helpers.ts';
import {
  entities,
  recorded,
  reps,
  SCB_REAL_BASE,
  type SimSubgraph,
  simHarness,
  simSubgraph,
} from './simulator-helpers.ts';

/**
 * The real SCB subgraph (client, rate limiter, versioned cache, loaders, resolvers) against the
 * simulator through the OfflineDispatcher, on a fake clock (2026-04-02: TAB6471 ends at 2026M03).
 */

const MUNICIPALITIES = [...geography().municipalities.keys()];
const COUNTIES = [...geography().counties.values()];

let s: SimSubgraph | undefined;
afterEach(async () => {
  await s?.runtime.close();
  s = undefined;
});

type Row = { code: string; population: number | null };

/** The largest number of timestamps inside any window [t, t + windowMs). */
function busiestWindow(stamps: number[], windowMs: number): number {
  const sorted = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! - sorted[i]! < windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

describe('population through the client', () => {
  it('all 290 municipalities × population(year: 2024): non-null for every one, ONE data request', async () => {
    s = simSubgraph();
    const result = await s.run(entities('population(year: 2024)'), reps(MUNICIPALITIES));
    expect(result.errors).toBeUndefined();
    const rows = (result.data as { _entities: Row[] })._entities;
    expect(rows).toHaveLength(290);
    expect(rows.every((r) => typeof r.population === 'number' && r.population > 1000)).toBe(true);
    expect(s.dataCalls()).toHaveLength(1);
    expect(s.sim.calls.map((c) => `${c.method} ${c.path} ${c.status}`).sort()).toEqual([
      'GET /config 200',
      'GET /tables/TAB638 200',
      'GET /tables/TAB638/metadata 200',
      'POST /tables/TAB638/data 200',
    ]);
  });

  it.each([2024, 1990])(
    '%i: every county is the sum of its municipalities, Sweden the sum of the counties',
    async (year) => {
      s = simSubgraph();
      const munis = (await s.run(entities(`population(year: ${year})`), reps(MUNICIPALITIES))).data as {
        _entities: Row[];
      };
      const byCode = new Map(munis._entities.map((r) => [r.code, r.population!]));
      const counties = (
        await s.run(
          entities(`population(year: ${year})`),
          reps(
            COUNTIES.map((c) => c.code),
            'County',
          ),
        )
      ).data as { _entities: Row[] };
      for (const county of counties._entities) {
        const record = COUNTIES.find((c) => c.code === county.code)!;
        expect(county.population).toBe(record.municipalityCodes.reduce((sum, m) => sum + byCode.get(m)!, 0));
      }
      const sweden = (await s.run(`{ sweden { population(year: ${year}) } }`)).data as {
        sweden: { population: number };
      };
      expect(sweden.sweden.population).toBe(counties._entities.reduce((sum, c) => sum + c.population!, 0));
    },
  );

  it('from 2025 the monthly CKM table answers: December for a finished year, the latest month for this year', async () => {
    s = simSubgraph();
    const result = await s.run(
      `{ sweden {
          y2025: populationFigure(year: 2025) { year population period table noisy }
          latest: populationFigure { year population period table noisy }
          populationHistory(from: 2022, to: 2026) { year period table noisy population }
      } }`,
    );
    expect(result.errors).toBeUndefined();
    const sweden = (result.data as { sweden: Record<string, unknown> }).sweden;
    expect(sweden['y2025']).toMatchObject({ year: 2025, period: '2025M12', table: 'TAB6471', noisy: true });
    expect(sweden['latest']).toMatchObject({ year: 2026, period: '2026M03', table: 'TAB6471', noisy: true });
    const history = sweden['populationHistory'] as Array<{
      year: number;
      period: string;
      table: string;
      population: number;
    }>;
    expect(history.map((h) => [h.year, h.period, h.table])).toEqual([
      [2022, '2022', 'TAB638'],
      [2023, '2023', 'TAB638'],
      [2024, '2024', 'TAB638'],
      [2025, '2025M12', 'TAB6471'],
      [2026, '2026M03', 'TAB6471'],
    ]);
    // A smooth series across the table boundary (CKM noise is a few persons).
    for (let i = 1; i < history.length; i++)
      expect(Math.abs(history[i]!.population / history[i - 1]!.population - 1)).toBeLessThan(0.02);
    // A year neither table has: the client's own message, from SCB's metadata.
    const bad = await s.run('{ sweden { population(year: 1900) } }');
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'scb' });
    expect(bad.errors![0]!.message).toMatch(/1968–2026 \(TAB638 1968–2024, TAB6471 2025M01–2026M03\)/);
  });

  it('income: latest is 2022 (TAB3554), mean above median, in tkr', async () => {
    s = simSubgraph();
    const result = await s.run(
      entities(
        'latest: income { year mean median unit table } y2010: income(year: 2010) { year mean median }',
      ),
      reps(['0180', '2584', '1480', '1280', '0380', '2403']),
    );
    expect(result.errors).toBeUndefined();
    for (const row of (
      result.data as { _entities: Array<Record<string, { year: number; mean: number; median: number }>> }
    )._entities) {
      expect(row['latest']).toMatchObject({ year: 2022, unit: 'tkr', table: 'TAB3554' });
      expect(row['latest']!.mean).toBeGreaterThan(row['latest']!.median);
      expect(row['y2010']!.median).toBeLessThan(row['latest']!.median);
    }
    // Both years in one data request each (all six municipalities batched).
    expect(s.dataCalls().filter((c) => c.path.includes('TAB3554'))).toHaveLength(2);
  });

  it('largestMunicipalities ranks a county from one data request', async () => {
    s = simSubgraph();
    const result = await s.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on County { largestMunicipalities(limit: 3, year: 2024) { rank population municipality { code } } } } }`,
      reps(['01', '14'], 'County'),
    );
    expect(result.errors).toBeUndefined();
    const [stockholm, vg] = (
      result.data as {
        _entities: Array<{
          largestMunicipalities: Array<{ rank: number; population: number; municipality: { code: string } }>;
        }>;
      }
    )._entities;
    expect(stockholm!.largestMunicipalities[0]!.municipality.code).toBe('0180');
    expect(vg!.largestMunicipalities[0]!.municipality.code).toBe('1480');
    expect(stockholm!.largestMunicipalities.map((r) => r.rank)).toEqual([1, 2, 3]);
  });
});

describe('tables through the client', () => {
  it('statisticsTables(search) filters the catalogue; statisticsTableSearch pages it', async () => {
    s = simSubgraph();
    const result = await s.run(`{
      befolkning: statisticsTables(search: "befolkning") { id label }
      paged: statisticsTableSearch(search: "anställningar", page: 2, pageSize: 5) { pageNumber pageSize totalElements totalPages tables { id label } }
      all: statisticsTableSearch(pageSize: 100) { totalElements }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data as {
      befolkning: Array<{ id: string; label: string }>;
      paged: { totalElements: number; totalPages: number; tables: Array<{ label: string }> };
      all: { totalElements: number };
    };
    const search = recorded('v2_tables_search_befolkning.json') as { tables: Array<{ id: string }> };
    expect(data.befolkning.map((t) => t.id)).toEqual(search.tables.map((t) => t.id));
    expect(data.all.totalElements).toBe(33);
    expect(data.paged.totalElements).toBeGreaterThan(5);
    expect(data.paged.totalElements).toBeLessThan(33);
    expect(data.paged.totalPages).toBe(Math.ceil(data.paged.totalElements / 5));
    for (const t of data.paged.tables) expect(t.label.toLowerCase()).toContain('anställningar');
  });

  it('statisticsTable(id) and statistics(table, selection) work for a table of the recorded listing', async () => {
    s = simSubgraph();
    const result = await s.run(`{
      statisticsTable(id: "TAB4718") { id label timeUnit updated variables { code elimination time measure values { code } } }
      statistics(table: "TAB4718", selection: [
        { variable: "Region", values: ["0180", "2584"] }, { variable: "Kon", values: ["1", "2"] },
        { variable: "ContentsCode", values: ["*"] }, { variable: "Tid", values: ["top(2)"] }]) {
        table label rowCount attribution rows { region { code label } time value measure { unit } dimensions { variable code } }
      }
      missing: statisticsTable(id: "TAB999999") { id }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data as {
      statisticsTable: { variables: Array<{ code: string; values: unknown[]; time: boolean }> };
      statistics: {
        rowCount: number;
        rows: Array<{ value: number; region: { code: string }; time: string }>;
      };
      missing: null;
    };
    expect(data.statisticsTable.variables.map((v) => v.code)).toEqual([
      'Region',
      'Kon',
      'Sektor',
      'ContentsCode',
      'Tid',
    ]);
    expect(data.statistics.rowCount).toBe(8);
    expect(data.statistics.rows.every((r) => typeof r.value === 'number')).toBe(true);
    expect(new Set(data.statistics.rows.map((r) => r.time))).toEqual(new Set(['2026M02', '2026M03']));
    expect(data.missing).toBeNull();
  });

  it('Municipality.statistics (Region fixed) gives the same figure as population', async () => {
    s = simSubgraph();
    const result = await s.run(
      entities(
        'population(year: 2024) statistics(table: "TAB638", selection: [{ variable: "Alder", values: ["tot"] }, { variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2024"] }]) { rows { value } }',
      ),
      reps(['0180', '2584', '1480', '1280', '0380', '2403']),
    );
    expect(result.errors).toBeUndefined();
    for (const row of (
      result.data as {
        _entities: Array<{ population: number; statistics: { rows: Array<{ value: number }> } }>;
      }
    )._entities)
      expect(row.statistics.rows).toEqual([{ value: row.population }]);
  });

  it('a selection above 150 000 cells is split by the client; the simulator never answers 400', async () => {
    s = simSubgraph();
    const result = await s.run(`{
      statistics(table: "TAB638", selection: [
        { variable: "Region", values: ["*"] }, { variable: "Civilstand", values: ["*"] }, { variable: "Alder", values: ["*"] },
        { variable: "Kon", values: ["*"] }, { variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2024"] }]) { rowCount }
    }`);
    expect(result.errors).toBeUndefined();
    expect((result.data as { statistics: { rowCount: number } }).statistics.rowCount).toBe(312 * 4 * 102 * 2);
    expect(s.dataCalls().length).toBeGreaterThanOrEqual(2);
    expect(s.dataCalls().every((c) => c.status === 200)).toBe(true);
  }, 30_000);
});

describe("the simulator's errors through the client", () => {
  it('400 "Non-existent value" (a code outside the named codelist) → BAD_USER_INPUT with SCB\'s title', async () => {
    s = simSubgraph();
    const result = await s.run(`{
      statistics(table: "TAB638", selection: [
        { variable: "Region", values: ["0180"], codelist: "vs_RegionLän07" },
        { variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2024"] }]) { rowCount }
    }`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', agency: 'scb', status: 400 });
    expect(result.errors![0]!.message).toContain('Non-existent value');
    // The client only learnt it from SCB's answer.
    expect(s.dataCalls().map((c) => c.status)).toEqual([400]);
  });

  it('404 for an unknown table → statisticsTable null, statistics BAD_USER_INPUT', async () => {
    s = simSubgraph();
    const result = await s.run(
      '{ statisticsTable(id: "TAB12345") { id } statistics(table: "TAB12345", selection: [{ variable: "Tid", values: ["2024"] }]) { rowCount } }',
    );
    expect((result.data as { statisticsTable: null }).statisticsTable).toBeNull();
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'scb' });
    expect(s.sim.calls.some((c) => c.path === '/tables/TAB12345/metadata' && c.status === 404)).toBe(true);
  });

  it('429 from an exhausted simulator → UPSTREAM_RATE_LIMITED after the retry budget', async () => {
    // The simulator's clock stands still (its window never passes) while the client's moves on.
    const frozen = Date.parse('2026-04-02T12:00:00Z');
    const sim = simHarness(() => frozen);
    for (let i = 0; i < 30; i++) await sim.call('GET', '/config');
    const clock = fakeClock(frozen);
    const runtime = createScbModule({ sleep: clock.sleep }).create({
      config: { SCB_API_URL: SCB_REAL_BASE },
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'offline',
      now: clock.now,
      dispatcher: sim.dispatcher,
    });
    const result = await execute({
      schema: runtime.schema,
      document: parse('{ statisticsTable(id: "TAB638") { id } }'),
      contextValue: runtime.contextFor({ trace: createTrace() }),
    });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', agency: 'scb' });
    expect(sim.calls.filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(4);
    await runtime.close();
  });
});

describe("the client's limiter keeps under the simulator's limit", () => {
  it('100 concurrent different GraphQL requests: no 429, never more than 30 calls in 10 s, all answered', async () => {
    s = simSubgraph();
    const queries = MUNICIPALITIES.slice(0, 100).map((code, i) =>
      s!.run(entities(`population(year: ${1968 + (i % 57)})`), reps([code])),
    );
    const results = await Promise.all(queries);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(
      results.every((r) => typeof (r.data as { _entities: Row[] })._entities[0]!.population === 'number'),
    ).toBe(true);
    expect(s.dataCalls()).toHaveLength(100);
    expect(s.sim.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(
      busiestWindow(
        s.sim.calls.map((c) => c.at),
        10_000,
      ),
    ).toBeLessThanOrEqual(30);
  }, 30_000);
});
