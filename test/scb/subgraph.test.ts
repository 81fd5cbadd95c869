import { afterEach, describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import {
  entitiesQuery,
  fixture,
  mockScb,
  SCB_BASE,
  type ScbHarness,
  scbHarness,
  syntheticValue,
} from './helpers.ts';

const ALL_MUNICIPALITIES = [...geography().municipalities.keys()];

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

const reps = (codes: string[], typename = 'Municipality') => ({
  r: codes.map((code) => ({ __typename: typename, code })),
});

describe('SCB population batching', () => {
  it('290 municipalities × population(year: 2024) cost ONE data request (plus config and metadata)', async () => {
    h = scbHarness();
    expect(ALL_MUNICIPALITIES).toHaveLength(290);
    const result = await h.run(entitiesQuery('population(year: 2024)'), reps(ALL_MUNICIPALITIES));
    expect(result.errors).toBeUndefined();
    const rows = (result.data as { _entities: Array<{ code: string; population: number }> })._entities;
    expect(rows).toHaveLength(290);
    const data = h.scb.dataCalls();
    expect(data).toHaveLength(1);
    expect(data[0]!.path).toBe('/api/v2/tables/TAB638/data?lang=sv&outputFormat=json-stat2');
    // Full selection in metadata order: Region (all 290, sorted), Alder total, contents, year.
    expect(data[0]!.body.selection).toEqual([
      { variableCode: 'Region', valueCodes: [...ALL_MUNICIPALITIES].sort() },
      { variableCode: 'Alder', valueCodes: ['tot'] },
      { variableCode: 'ContentsCode', valueCodes: ['BE0101N1'] },
      { variableCode: 'Tid', valueCodes: ['2024'] },
    ]);
    // Each municipality got its own cell back (synthetic values are a function of the cell's codes).
    for (const row of rows)
      expect(row.population).toBe(syntheticValue([row.code, 'tot', 'BE0101N1', '2024']));
    expect(h.scb.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`).sort()).toEqual([
      'GET /api/v2/config',
      'GET /api/v2/tables/TAB638',
      'GET /api/v2/tables/TAB638/metadata',
      'POST /api/v2/tables/TAB638/data',
    ]);
  });

  it('a second request is served from cache: no new SCB call', async () => {
    h = scbHarness();
    await h.run(entitiesQuery('population(year: 2024)'), reps(['0180', '1480']));
    const before = h.scb.calls.length;
    const again = await h.run(entitiesQuery('population(year: 2024)'), reps(['0180', '1480']));
    expect(again.errors).toBeUndefined();
    expect(h.scb.calls.length).toBe(before);
  });

  it('splits a selection above maxDataCells and reassembles it transparently', async () => {
    const config = { ...fixture('v2_config__pxweb.json'), maxDataCells: 100 };
    h = scbHarness({ config });
    const result = await h.run(entitiesQuery('population(year: 2024)'), reps(ALL_MUNICIPALITIES));
    expect(result.errors).toBeUndefined();
    const data = h.scb.dataCalls();
    expect(data).toHaveLength(3); // 290 cells at most 100 per request
    for (const call of data) expect(call.body.selection[0]!.valueCodes.length).toBeLessThanOrEqual(100);
    const rows = (result.data as { _entities: Array<{ code: string; population: number }> })._entities;
    for (const row of rows)
      expect(row.population).toBe(syntheticValue([row.code, 'tot', 'BE0101N1', '2024']));
  });

  it('counties and the whole country use the same table; Sweden through Query.sweden', async () => {
    h = scbHarness();
    const county = await h.run(entitiesQuery('population(year: 2024)'), reps(['01', '12'], 'County'));
    expect(county.errors).toBeUndefined();
    expect((county.data as { _entities: Array<{ population: number }> })._entities[0]!.population).toBe(
      syntheticValue(['01', 'tot', 'BE0101N1', '2024']),
    );
    const sweden = await h.run('{ sweden { code population(year: 2024) } }');
    expect(sweden.data).toEqual({
      sweden: { code: '00', population: syntheticValue(['00', 'tot', 'BE0101N1', '2024']) },
    });
  });
});

describe('SCB population across the table boundary (TAB638 ≤ 2024, TAB6471 from 2025)', () => {
  it('2025 is the December value of the monthly CKM table', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('populationFigure(year: 2025) { year population period table noisy }'),
      reps(['0180']),
    );
    expect(result.errors).toBeUndefined();
    expect((result.data as { _entities: unknown[] })._entities[0]).toEqual({
      code: '0180',
      populationFigure: {
        year: 2025,
        population: syntheticValue(['0180', 'TotSA', 'TotSa', '000007SF', '2025M12']),
        period: '2025M12',
        table: 'TAB6471',
        noisy: true,
      },
    });
    const [call] = h.scb.dataCalls();
    expect(call!.path).toMatch(/^\/api\/v2\/tables\/TAB6471\/data/);
    expect(call!.body.selection).toEqual([
      { variableCode: 'Region', valueCodes: ['0180'] },
      { variableCode: 'Alder', valueCodes: ['TotSA'] },
      { variableCode: 'Kon', valueCodes: ['TotSa'] },
      { variableCode: 'ContentsCode', valueCodes: ['000007SF'] },
      { variableCode: 'Tid', valueCodes: ['2025M12'] },
    ]);
  });

  it('the current year (and year omitted) is the latest month published, read from metadata', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('a: populationFigure(year: 2026) { period table } b: populationFigure { year period }'),
      reps(['0180']),
    );
    expect(result.errors).toBeUndefined();
    expect((result.data as { _entities: unknown[] })._entities[0]).toEqual({
      code: '0180',
      a: { period: '2026M04', table: 'TAB6471' },
      b: { year: 2026, period: '2026M04' },
    });
  });

  it('populationHistory spans both tables with one request per table', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('populationHistory(from: 2023, to: 2026) { year period table population }'),
      reps(['0180', '1480']),
    );
    expect(result.errors).toBeUndefined();
    const first = (
      result.data as {
        _entities: Array<{ populationHistory: Array<{ year: number; period: string; table: string }> }>;
      }
    )._entities[0]!;
    expect(first.populationHistory.map((p) => [p.year, p.period, p.table])).toEqual([
      [2023, '2023', 'TAB638'],
      [2024, '2024', 'TAB638'],
      [2025, '2025M12', 'TAB6471'],
      [2026, '2026M04', 'TAB6471'],
    ]);
    expect(h.scb.dataCalls()).toHaveLength(2);
  });

  it('a year SCB does not publish is BAD_USER_INPUT naming the range, with no data request', async () => {
    h = scbHarness();
    const result = await h.run(entitiesQuery('population(year: 1900)'), reps(['0180']));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'scb' });
    expect(result.errors?.[0]?.message).toMatch(/1968–2026/);
    expect(h.scb.dataCalls()).toHaveLength(0);
  });
});

describe('SCB income', () => {
  it('mean and median (tkr) in one request for all regions asked', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('income(year: 2022) { year mean median unit table }'),
      reps(['0180', '1480']),
    );
    expect(result.errors).toBeUndefined();
    expect((result.data as { _entities: unknown[] })._entities[0]).toEqual({
      code: '0180',
      income: {
        year: 2022,
        mean: syntheticValue(['0180', '1+2', 'tot20+', 'TOT', 'HE0110J7', '2022']),
        median: syntheticValue(['0180', '1+2', 'tot20+', 'TOT', 'HE0110J8', '2022']),
        unit: 'tkr',
        table: 'TAB3554',
      },
    });
    expect(h.scb.dataCalls()).toHaveLength(1);
  });
});

describe('SCB generic tables', () => {
  it('statisticsTables searches and reads variables lazily from metadata', async () => {
    h = scbHarness();
    const result = await h.run(
      '{ statisticsTableSearch(search: "befolkning") { totalElements tables { id label timeUnit lastPeriod } } }',
    );
    expect(result.errors).toBeUndefined();
    const page = (
      result.data as { statisticsTableSearch: { totalElements: number; tables: Array<{ id: string }> } }
    ).statisticsTableSearch;
    expect(page.totalElements).toBe(10);
    expect(page.tables[0]).toEqual({
      id: 'TAB4552',
      label: 'Befolkningens anslutning till kommunalt vatten och avlopp. År 1960-2024',
      timeUnit: 'Annual',
      lastPeriod: '2024',
    });
    // No metadata requests unless variables are asked for.
    expect(h.scb.calls.some((c) => c.path.includes('/metadata'))).toBe(false);
    expect(h.scb.calls.find((c) => c.path.startsWith('/api/v2/tables?'))?.path).toBe(
      '/api/v2/tables?lang=sv&query=befolkning',
    );
  });

  it('StatisticsTable.variables comes from /tables/{id}/metadata', async () => {
    h = scbHarness();
    const result = await h.run('{ statisticsTables(search: "befolkning") { id } }');
    expect(result.errors).toBeUndefined();
    const t = await h.run(
      `{ statistics(table: "TAB6471", selection: [{ variable: "region", values: ["0180", "1480"] }, { variable: "Alder", values: ["TotSA"] }, { variable: "ContentsCode", values: ["000007SF"] }, { variable: "Tid", values: ["2026M03", "2026m04"] }]) {
          table label source updated mandatoryNotes attribution rowCount
          rows { dimensions { variable code label } region { code label } time measure { code unit decimals } value status } } }`,
    );
    expect(t.errors).toBeUndefined();
    const s = (t.data as { statistics: Record<string, unknown> & { rows: Array<Record<string, unknown>> } })
      .statistics;
    expect(s['table']).toBe('TAB638'); // the mock answers with the recorded TAB638 extension (px.tableid)
    expect(s['rowCount']).toBe(4);
    expect(s['attribution']).toBe('Källa: SCB');
    expect((s['mandatoryNotes'] as string[]).length).toBeGreaterThan(0);
    expect(s.rows[0]).toMatchObject({
      region: { code: '0180', label: 'Stockholm' },
      measure: { code: '000007SF', unit: 'antal', decimals: 0 },
      status: null,
    });
    // Variable and value codes are sent in SCB's spelling; Kon (eliminable) was left out.
    const sent = h.scb.dataCalls()[0]!.body.selection;
    expect(sent.map((s) => s.variableCode)).toEqual(['Region', 'Alder', 'ContentsCode', 'Tid']);
    expect(sent[3]!.valueCodes).toEqual(['2026M03', '2026M04']);
  });

  it('Municipality.statistics fixes Region and batches municipalities', async () => {
    h = scbHarness();
    const q = entitiesQuery(
      'statistics(table: "TAB638", selection: [{ variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2020", "2021"] }]) { rowCount rows { region { code } time value } }',
    );
    const result = await h.run(q, reps(['0180', '1480', '1280']));
    expect(result.errors).toBeUndefined();
    const rows = (
      result.data as {
        _entities: Array<{ statistics: { rowCount: number; rows: Array<{ region: { code: string } }> } }>;
      }
    )._entities;
    expect(rows.map((r) => r.statistics.rowCount)).toEqual([2, 2, 2]);
    expect(rows[2]!.statistics.rows[0]!.region.code).toBe('1280');
    expect(h.scb.dataCalls()).toHaveLength(1);
  });
});

describe('through the real gateway (live mode, mock SCB)', () => {
  it('municipalities { population(year: 2024) } for all 290: exactly one SCB data call', async () => {
    const scb = mockScb();
    const gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'live', SCB_API_URL: SCB_BASE },
      dispatcher: scb.agent,
    });
    try {
      const body = await gw.query<{ municipalities: Array<{ code: string; population: number }> }>(
        '{ municipalities { code name population(year: 2024) } }',
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.municipalities).toHaveLength(290);
      for (const m of body.data!.municipalities)
        expect(m.population).toBe(syntheticValue([m.code, 'tot', 'BE0101N1', '2024']));
      expect(scb.dataCalls()).toHaveLength(1);
      expect(scb.calls).toHaveLength(4); // + /config + /tables/TAB638 (version check) + TAB638 metadata
    } finally {
      await gw.stop();
      await scb.agent.close();
    }
  });
});

describe('County.largestMunicipalities', () => {
  it('ranks the county by SCB population with one data request, largest first', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('largestMunicipalities(limit: 3, year: 2024) { rank population municipality { code } }'),
      reps(['03'], 'County'),
    );
    expect(result.errors).toBeUndefined();
    const ranked = (
      result.data as {
        _entities: Array<{
          largestMunicipalities: Array<{ rank: number; population: number; municipality: { code: string } }>;
        }>;
      }
    )._entities[0]!.largestMunicipalities;
    // The mock's values are synthetic (derived from the selection); the ranking must follow them.
    const uppsala = geography().counties.get('03')!.municipalityCodes;
    const expected = uppsala
      .map((code) => ({ code, population: syntheticValue([code, 'tot', 'BE0101N1', '2024']) }))
      .sort((a, b) => b.population - a.population)
      .slice(0, 3);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(ranked.map((r) => r.municipality.code)).toEqual(expected.map((e) => e.code));
    expect(h.scb.dataCalls()).toHaveLength(1);
  });

  it('rejects a limit outside 1–290 before any request', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery('largestMunicipalities(limit: 0) { rank }'),
      reps(['03'], 'County'),
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'scb' });
    expect(result.errors?.[0]?.message).toMatch(/1 to 290/);
    expect(h.scb.dataCalls()).toHaveLength(0);
  });
});
