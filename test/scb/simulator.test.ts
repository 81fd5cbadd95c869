import { describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import { cells, parseDataset } from '../../subgraphs/scb/jsonstat.ts';
import { shapeDifferences } from '../helpers/shape.ts';
import { recorded, SCB_REAL_BASE, simHarness } from './simulator-helpers.ts';

/**
 * The SCB simulator on its own (through the OfflineDispatcher, as the client reaches it): conformance
 * with every recorded PxWebApi 2.0 answer, selections and their errors, values and determinism.
 */

const JUNE_2026 = Date.parse('2026-06-15T12:00:00Z');
const MAY_2026 = Date.parse('2026-05-15T12:00:00Z');
const NOV_2026 = Date.parse('2026-11-20T12:00:00Z');
const MUNICIPALITIES = [...geography().municipalities.keys()].sort();

type Json = Record<string, unknown>;
type Dataset = {
  id: string[];
  size: number[];
  value: Array<number | null>;
  label: string;
  updated: string;
  dimension: Record<string, { category: { index: Record<string, number>; label: Record<string, string> } }>;
};

const post = (...selection: Array<[string, string[], string?]>) => ({
  selection: selection.map(([variableCode, valueCodes, codelist]) => ({
    variableCode,
    valueCodes,
    ...(codelist ? { codelist } : {}),
  })),
});

/** The value of one cell of a json-stat2 answer, by code per dimension. */
function cell(doc: Dataset, codes: Record<string, string>): number | null {
  let flat = 0;
  let stride = 1;
  for (let i = doc.id.length - 1; i >= 0; i--) {
    const dim = doc.id[i]!;
    flat += doc.dimension[dim]!.category.index[codes[dim]!]! * stride;
    stride *= doc.size[i]!;
  }
  return doc.value[flat]!;
}

describe('conformance with the recorded SCB answers', () => {
  it('GET /config matches both recorded configs in shape, and serves the current one (30 calls / 10 s, 150 000 cells)', async () => {
    const h = simHarness(() => JUNE_2026);
    const res = await h.call('GET', '/config');
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, recorded('v2_config__pxweb.json'))).toEqual([]);
    expect(shapeDifferences(res.body, recorded('v2_config__pxwebpy.json'))).toEqual([]);
    expect(res.body).toEqual(recorded('v2_config__pxweb.json'));
  });

  it('GET /tables?lang=sv (the listing) has the recorded shape; page 1 is the recorded page 1', async () => {
    const h = simHarness(() => JUNE_2026);
    const res = await h.call('GET', '/tables?lang=sv');
    const rec = recorded('v2_tables_page1.json') as { tables: Json[]; page: Json; links: Json[] };
    expect(shapeDifferences(res.body, rec)).toEqual([]);
    const body = res.body as { tables: Json[]; page: Json; links: Json[] };
    // The same tables with the same fields and links (the catalogue starts with SCB's recorded listing).
    expect(body.tables).toEqual(rec.tables);
    expect(body.links).toEqual(rec.links);
    expect(body.page).toMatchObject({ pageNumber: 1, pageSize: 20, totalPages: 2, totalElements: 33 });
  });

  it('GET /tables?lang=sv&query=befolkning&pastDays=30 answers exactly the recorded search', async () => {
    const h = simHarness(() => JUNE_2026);
    const res = await h.call('GET', '/tables?lang=sv&query=befolkning&pastDays=30');
    const rec = recorded('v2_tables_search_befolkning.json');
    expect(shapeDifferences(res.body, rec)).toEqual([]);
    expect(res.body).toEqual(rec);
  });

  it('GET /tables/TAB6471/metadata is the recorded metadata (at the recording month) but for `updated`', async () => {
    const h = simHarness(() => MAY_2026);
    const res = await h.call('GET', '/tables/TAB6471/metadata?lang=sv');
    const rec = recorded('v2_TAB6471_metadata.json');
    expect(shapeDifferences(res.body, rec)).toEqual([]);
    // Same label, notes, 312 regions, 134 ages, codelists and links, months 2025M01–2026M04.
    expect({ ...(res.body as Json), updated: rec['updated'] }).toEqual(rec);
  });

  it('POST /tables/TAB638/data with the recorded selection answers the recorded dataset (synthetic value)', async () => {
    const h = simHarness(() => JUNE_2026);
    const res = await h.call(
      'POST',
      '/tables/TAB638/data?lang=sv&outputFormat=json-stat2',
      post(
        ['Region', ['00']],
        ['Civilstand', ['OG']],
        ['Alder', ['0']],
        ['Kon', ['1']],
        ['ContentsCode', ['BE0101N1']],
        ['Tid', ['2024']],
      ),
    );
    const rec = recorded('v2_TAB638_data_riket_POST.jsonstat2.json');
    expect(shapeDifferences(res.body, rec)).toEqual([]);
    const body = res.body as Json & { value: number[] };
    expect({ ...body, value: rec['value'] }).toEqual(rec);
    // Unmarried boys aged 0 in Sweden: SCB says 50 937; ours is modelled, of the same order.
    expect(body.value[0]).toBeGreaterThan(40_000);
    expect(body.value[0]).toBeLessThan(65_000);
  });

  it('GET /tables/{id} has the shape of the list items plus `discontinued` (no recording exists: compared with the marked-synthetic fixture)', async () => {
    const h = simHarness(() => JUNE_2026);
    const res = await h.call('GET', '/tables/TAB638?lang=sv');
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.body, recorded('v2_TAB638_table_synthetic.json'))).toEqual([]);
    // …and the same keys as an item of the real listing, plus `discontinued`.
    const item = (recorded('v2_tables_page1.json') as { tables: Json[] }).tables[0]!;
    expect(shapeDifferences(res.body, item, { optional: ['discontinued'] })).toEqual([]);
  });
});

describe('table search', () => {
  it('filters on the words of the titles, with paging totals', async () => {
    const h = simHarness(() => JUNE_2026);
    const all = (await h.call('GET', '/tables?lang=sv&pageSize=100')).body as { tables: Json[] };
    const expected = all.tables.filter((t) => /(^|[^\p{L}])anställningar/iu.test(String(t['label'])));
    expect(expected.length).toBeGreaterThan(5);
    const page2 = (await h.call('GET', '/tables?lang=sv&query=anst%C3%A4llningar&pageSize=5&pageNumber=2'))
      .body as { tables: Json[]; page: Json };
    expect(page2.page).toMatchObject({
      pageNumber: 2,
      pageSize: 5,
      totalElements: expected.length,
      totalPages: Math.ceil(expected.length / 5),
    });
    expect(page2.tables.map((t) => t['id'])).toEqual(expected.slice(5, 10).map((t) => t['id']));
    // A search that matches nothing, and one by table id.
    expect(((await h.call('GET', '/tables?query=zzzz')).body as { page: Json }).page['totalElements']).toBe(
      0,
    );
    const byId = (await h.call('GET', '/tables?query=TAB3554')).body as { tables: Json[] };
    expect(byId.tables.map((t) => t['id'])).toEqual(['TAB3554']);
  });

  it('pastDays filters on `updated` relative to the clock', async () => {
    const h = simHarness(() => NOV_2026);
    const res = (await h.call('GET', '/tables?pastDays=30')).body as { tables: Json[] };
    // In November 2026 only TAB6471 (a new month each month) was updated within 30 days.
    expect(res.tables.map((t) => t['id'])).toEqual(['TAB6471']);
  });
});

describe('data selections', () => {
  it('every table of the catalogue has metadata and answers its default (empty) selection', async () => {
    let now = NOV_2026;
    const h = simHarness(() => (now += 500)); // 20 calls per 10 s: under SCB's limit
    const list = (await h.call('GET', '/tables?pageSize=100')).body as { tables: Json[] };
    expect(list.tables).toHaveLength(33);
    for (const t of list.tables) {
      const meta = await h.call('GET', `/tables/${t['id']}/metadata?lang=sv`);
      expect(meta.status).toBe(200);
      const data = await h.call('POST', `/tables/${t['id']}/data?lang=sv&outputFormat=json-stat2`, {
        selection: [],
      });
      expect(data.status, String(t['id'])).toBe(200);
      const doc = data.body as Dataset;
      expect(doc.value.every((v) => typeof v === 'number')).toBe(true);
      expect(doc.value.length).toBe(doc.size.reduce((a, b) => a * b, 1));
    }
  });

  it('an empty selection is the default selection, not the table: TAB6471 drops Region (the reference trap)', async () => {
    const h = simHarness(() => NOV_2026);
    const doc = (await h.call('POST', '/tables/TAB6471/data', { selection: [] })).body as Dataset;
    expect(doc.id).toEqual(['Alder', 'ContentsCode', 'Tid']);
    expect(doc.dimension['Tid']!.category.index).toEqual({ '2026M10': 0 });
    expect(doc.value).toHaveLength(1);
  });

  it('GET with valueCodes[VAR]=… answers what POST answers; expressions need brackets when they hold a comma', async () => {
    const h = simHarness(() => NOV_2026);
    const viaPost = await h.call(
      'POST',
      '/tables/TAB638/data?lang=sv',
      post(
        ['Region', ['0180', '2584']],
        ['Alder', ['tot']],
        ['ContentsCode', ['BE0101N1']],
        ['Tid', ['range(2018,2020)']],
      ),
    );
    const viaGet = await h.call(
      'GET',
      '/tables/TAB638/data?lang=sv&valueCodes[Region]=0180,2584&valueCodes[Alder]=tot&valueCodes[ContentsCode]=BE0101N1&valueCodes[Tid]=[range(2018,2020)]&outputFormat=json-stat2',
    );
    expect(viaGet.status).toBe(200);
    expect(viaGet.body).toEqual(viaPost.body);
    expect((viaGet.body as Dataset).size).toEqual([2, 1, 1, 3]);
  });

  it('expressions: *, ? wildcards, top, bottom, from, to, range, offsets; case-insensitive codes', async () => {
    const h = simHarness(() => NOV_2026);
    const tid = async (...codes: string[]) => {
      const res = await h.call(
        'POST',
        '/tables/tab638/data',
        post(['region', ['0180']], ['alder', ['TOT']], ['contentscode', ['be0101n1']], ['tid', codes]),
      );
      expect(res.status).toBe(200);
      return Object.keys((res.body as Dataset).dimension['Tid']!.category.index);
    };
    expect(await tid('202?')).toEqual(['2020', '2021', '2022', '2023', '2024']);
    expect(await tid('top(3)')).toEqual(['2022', '2023', '2024']);
    expect(await tid('top(2,1)')).toEqual(['2022', '2023']);
    expect(await tid('bottom(2)')).toEqual(['1968', '1969']);
    expect(await tid('from(2023)')).toEqual(['2023', '2024']);
    expect(await tid('to(1969)')).toEqual(['1968', '1969']);
    expect(await tid('range(2001,1999)')).toEqual(['1999', '2000', '2001']);
    expect(await tid('2024', '197*')).toHaveLength(11);
    expect(await tid('*')).toHaveLength(57);
    // Codes come back in the table's order, whatever the order asked.
    expect(await tid('2024', '1990')).toEqual(['1990', '2024']);
  });

  it('codelists restrict a variable to their values', async () => {
    const h = simHarness(() => NOV_2026);
    const res = await h.call(
      'POST',
      '/tables/TAB6471/data',
      post(
        ['Region', ['*'], 'vs_CKM02Län'],
        ['Alder', ['*'], 'vs_CKM0410årN'],
        ['ContentsCode', ['*']],
        ['Tid', ['top(1)']],
      ),
    );
    const doc = res.body as Dataset;
    expect(doc.size).toEqual([21, 11, 1, 1]);
    expect(Object.keys(doc.dimension['Alder']!.category.index).sort()).toContain('100+10');
  });

  it('values are row-major over id/size: each cell of a 4-dimensional answer equals its one-cell answer', async () => {
    const h = simHarness(() => NOV_2026);
    const sel: Array<[string, string[]]> = [
      ['Region', ['01', '0180', '2584']],
      ['Civilstand', ['OG', 'G', 'ÄNKL']],
      ['Alder', ['tot', '35', '100+']],
      ['Kon', ['1', '2']],
      ['ContentsCode', ['BE0101N1']],
      ['Tid', ['1990', '2024']],
    ];
    const whole = (await h.call('POST', '/tables/TAB638/data', post(...sel))).body as Dataset;
    expect(whole.size).toEqual([3, 3, 3, 2, 1, 2]);
    // Decoded with the subgraph's own decoder…
    const decoded = cells(parseDataset(whole));
    expect(decoded).toHaveLength(108);
    for (const c of decoded.filter((_, i) => i % 7 === 0)) {
      const one = (
        await h.call(
          'POST',
          '/tables/TAB638/data',
          post(...c.coordinates.map((x): [string, string[]] => [x.dimension.id, [x.category.code]])),
        )
      ).body as Dataset;
      expect(c.value).toBe(one.value[0]);
    }
  });

  it('elimination sums the variable away (TAB638: exactly the sum of its values up to 2024)', async () => {
    const h = simHarness(() => NOV_2026);
    const base: Array<[string, string[]]> = [
      ['Region', ['0380']],
      ['Alder', ['30']],
      ['ContentsCode', ['BE0101N1']],
      ['Tid', ['2024']],
    ];
    const eliminated = (await h.call('POST', '/tables/TAB638/data', post(...base))).body as Dataset;
    expect(eliminated.id).toEqual(['Region', 'Alder', 'ContentsCode', 'Tid']);
    const parts = (
      await h.call('POST', '/tables/TAB638/data', post(...base, ['Kon', ['*']], ['Civilstand', ['*']]))
    ).body as Dataset;
    expect(parts.value).toHaveLength(8);
    expect(eliminated.value[0]).toBe(parts.value.reduce((a, b) => a! + b!, 0));
  });

  it('TAB638 (≤ 2024): every county is the sum of its municipalities and Sweden the sum of its counties', async () => {
    const h = simHarness(() => NOV_2026);
    const counties = [...geography().counties.values()];
    const doc = (
      await h.call(
        'POST',
        '/tables/TAB638/data',
        post(
          ['Region', ['*']],
          ['Alder', ['tot']],
          ['ContentsCode', ['BE0101N1']],
          ['Tid', ['1968', '2000', '2024']],
        ),
      )
    ).body as Dataset;
    for (const year of ['1968', '2000', '2024']) {
      const at = (region: string) =>
        cell(doc, { Region: region, Alder: 'tot', ContentsCode: 'BE0101N1', Tid: year })!;
      for (const county of counties)
        expect(at(county.code)).toBe(county.municipalityCodes.reduce((s, m) => s + at(m), 0));
      expect(at('00')).toBe(counties.reduce((s, c) => s + at(c.code), 0));
    }
  });

  it('TAB6471 (from 2025): CKM noise, so some totals differ from the sum of their parts', async () => {
    const h = simHarness(() => NOV_2026);
    const doc = (
      await h.call(
        'POST',
        '/tables/TAB6471/data',
        post(
          ['Region', ['*']],
          ['Alder', ['TotSA']],
          ['Kon', ['*']],
          ['ContentsCode', ['000007SF']],
          ['Tid', ['2025M12']],
        ),
      )
    ).body as Dataset;
    const at = (region: string, kon: string) =>
      cell(doc, { Region: region, Alder: 'TotSA', Kon: kon, ContentsCode: '000007SF', Tid: '2025M12' })!;
    const counties = [...geography().counties.values()];
    const differs = counties.filter(
      (c) => at(c.code, 'TotSa') !== c.municipalityCodes.reduce((s, m) => s + at(m, 'TotSa'), 0),
    );
    expect(differs.length).toBeGreaterThan(0);
    const sexesDiffer = MUNICIPALITIES.filter((m) => at(m, 'TotSa') !== at(m, '1') + at(m, '2'));
    expect(sexesDiffer.length).toBeGreaterThan(0);
    // …but the noise is small.
    for (const m of MUNICIPALITIES)
      expect(Math.abs(at(m, 'TotSa') - at(m, '1') - at(m, '2'))).toBeLessThanOrEqual(6);
  });

  it('plausible figures: Stockholm ~1 M, Sweden ~10.6 M, small municipalities a few thousand, sexes about half', async () => {
    const h = simHarness(() => NOV_2026);
    const doc = (
      await h.call(
        'POST',
        '/tables/TAB638/data',
        post(
          ['Region', ['00', '0180', '1480', '1280', '0380', '2584', '2403']],
          ['Kon', ['*']],
          ['Alder', ['tot']],
          ['ContentsCode', ['BE0101N1']],
          ['Tid', ['2024']],
        ),
      )
    ).body as Dataset;
    const pop = (r: string) =>
      cell(doc, { Region: r, Kon: '1', Alder: 'tot', ContentsCode: 'BE0101N1', Tid: '2024' })! +
      cell(doc, { Region: r, Kon: '2', Alder: 'tot', ContentsCode: 'BE0101N1', Tid: '2024' })!;
    expect(pop('00')).toBeGreaterThan(10_300_000);
    expect(pop('00')).toBeLessThan(10_900_000);
    expect(pop('0180')).toBeGreaterThan(950_000);
    expect(pop('0180')).toBeLessThan(1_050_000);
    expect(pop('1480')).toBeGreaterThan(550_000);
    expect(pop('2584')).toBeGreaterThan(18_000);
    expect(pop('2584')).toBeLessThan(28_000);
    expect(pop('2403')).toBeLessThan(3_500);
    const men = cell(doc, { Region: '00', Kon: '1', Alder: 'tot', ContentsCode: 'BE0101N1', Tid: '2024' })!;
    expect(men / pop('00')).toBeGreaterThan(0.48);
    expect(men / pop('00')).toBeLessThan(0.52);
  });

  it('income (TAB3554): mean above median, in tkr, higher for 20–64 than for 65+', async () => {
    const h = simHarness(() => NOV_2026);
    const doc = (
      await h.call(
        'POST',
        '/tables/TAB3554/data',
        post(
          ['Region', ['00', '0180', '2584', '2403']],
          ['Kon', ['1+2']],
          ['Alder', ['20-64', '65+', 'tot20+']],
          ['Inkomstklass', ['TOT']],
          ['ContentsCode', ['HE0110J7', 'HE0110J8']],
          ['Tid', ['2022']],
        ),
      )
    ).body as Dataset;
    const v = (r: string, a: string, c: string) =>
      cell(doc, { Region: r, Kon: '1+2', Alder: a, Inkomstklass: 'TOT', ContentsCode: c, Tid: '2022' })!;
    for (const r of ['00', '0180', '2584', '2403']) {
      expect(v(r, 'tot20+', 'HE0110J7')).toBeGreaterThan(v(r, 'tot20+', 'HE0110J8'));
      expect(v(r, '20-64', 'HE0110J8')).toBeGreaterThan(v(r, '65+', 'HE0110J8'));
      expect(v(r, 'tot20+', 'HE0110J8')).toBeGreaterThan(200);
      expect(v(r, 'tot20+', 'HE0110J8')).toBeLessThan(450);
    }
  });
});

describe('SCB errors, in SCB shape', () => {
  const problemShape = { type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1', status: 400 };

  it.each([
    [
      'Non-existent variable',
      post(['Region', ['0180']], ['Fodelseland', ['x']], ['ContentsCode', ['*']], ['Tid', ['2024']]),
    ],
    ['Non-existent value', post(['Region', ['0000']], ['ContentsCode', ['*']], ['Tid', ['2024']])],
    [
      'Non-existent value',
      post(['Region', ['0180'], 'vs_RegionLän07'], ['ContentsCode', ['*']], ['Tid', ['2024']]),
    ],
    ['Missing selection for mandantory variable', post(['Region', ['0180']], ['ContentsCode', ['*']])],
    [
      'Illegal selection expression',
      post(['Region', ['0180']], ['ContentsCode', ['*']], ['Tid', ['top(x)']]),
    ],
  ])('400 %s', async (title, body) => {
    const h = simHarness(() => NOV_2026);
    const res = await h.call('POST', '/tables/TAB638/data?lang=sv&outputFormat=json-stat2', body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({ ...problemShape, title });
  });

  it('400 Too many cells selected above 150 000 cells; exactly 150 000 is answered', async () => {
    const h = simHarness(() => NOV_2026);
    const regions = [...MUNICIPALITIES, ...[...geography().counties.keys()].slice(0, 10)];
    expect(regions).toHaveLength(300);
    const ages = Array.from({ length: 100 }, (_, i) => String(i));
    const ok = await h.call(
      'POST',
      '/tables/TAB638/data',
      post(['Region', regions], ['Alder', ages], ['ContentsCode', ['BE0101N1']], ['Tid', ['top(5)']]),
    );
    expect(ok.status).toBe(200);
    expect((ok.body as Dataset).value).toHaveLength(150_000);
    // 150 001 = 3²·7·2381 cannot be built from TAB638's variables (2381 is prime and larger than any of
    // them): 150 015 = 137 regions × 73 ages × 15 years is the smallest selection above the limit.
    const tooMany = await h.call(
      'POST',
      '/tables/TAB638/data',
      post(
        ['Region', MUNICIPALITIES.slice(0, 137)],
        ['Alder', ages.slice(0, 73)],
        ['ContentsCode', ['BE0101N1']],
        ['Tid', ['top(15)']],
      ),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({
      ...problemShape,
      title: 'Too many cells selected',
      detail: 'The request would return 150015 cells, the limit is 150000',
    });
  });

  it('500 without a body when a value code is repeated', async () => {
    const h = simHarness(() => NOV_2026);
    const res = await h.call(
      'POST',
      '/tables/TAB638/data',
      post(['Region', ['0180', '0180']], ['ContentsCode', ['*']], ['Tid', ['2024']]),
    );
    expect(res.status).toBe(500);
    expect(res.text).toBe('');
  });

  it('404 for an unknown table (info, metadata, data) and an unknown path', async () => {
    const h = simHarness(() => NOV_2026);
    for (const path of [
      '/tables/TAB999999',
      '/tables/TAB999999/metadata',
      '/tables/TAB999999/data',
      '/nothing',
    ])
      expect((await h.call('GET', path)).status).toBe(404);
    expect((await h.call('POST', '/tables/TAB999999/data', post(['Tid', ['2024']]))).status).toBe(404);
  });

  it('404 for a GET URL longer than about 2 100 characters (use POST)', async () => {
    const h = simHarness(() => NOV_2026);
    const years = Array.from({ length: 57 }, (_, i) => 1968 + i).join(',');
    const ages = Array.from({ length: 100 }, (_, i) => i).join(',');
    const path = `/tables/TAB638/data?lang=sv&valueCodes[Region]=${MUNICIPALITIES.join(',')}&valueCodes[Alder]=${ages}&valueCodes[ContentsCode]=BE0101N1&valueCodes[Tid]=${years}`;
    expect(`${SCB_REAL_BASE}${path}`.length).toBeGreaterThan(2100);
    expect((await h.call('GET', path)).status).toBe(404);
    const short = `/tables/TAB638/data?lang=sv&valueCodes[Region]=${MUNICIPALITIES.slice(0, 100).join(',')}&valueCodes[Alder]=tot&valueCodes[ContentsCode]=BE0101N1&valueCodes[Tid]=2024`;
    expect((await h.call('GET', short)).status).toBe(200);
  });

  it('429 on the 31st call within 10 s, per simulator instance; answers again once the window has passed', async () => {
    let now = NOV_2026;
    const h = simHarness(() => now);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await h.call('GET', '/config')).status);
      now += 100; // 31 calls in 3.1 s
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    // Another instance (another "IP") is not affected.
    expect((await simHarness(() => now).call('GET', '/config')).status).toBe(200);
    now = NOV_2026 + 10_000; // the first call left the window
    expect((await h.call('GET', '/config')).status).toBe(200);
    expect((await h.call('GET', '/config')).status).toBe(429);
  });

  it('an injected fault (OFFLINE_FAULTS) answers in SCB shape', () => {
    const h = simHarness(() => NOV_2026);
    expect(h.sim.faultResponse?.(400, undefined as never)).toMatchObject({
      status: 400,
      body: { ...problemShape, title: 'Illegal selection expression' },
    });
    expect(h.sim.faultResponse?.(503, undefined as never)).toEqual({
      status: 503,
      headers: { 'retry-after': '1' },
    });
  });
});

describe('determinism and the version stamp', () => {
  const requests: Array<[method: 'GET' | 'POST', path: string, body?: unknown]> = [
    ['GET', '/tables?lang=sv&query=befolkning'],
    ['GET', '/tables/TAB6471/metadata?lang=sv'],
    [
      'POST',
      '/tables/TAB638/data',
      post(['Region', ['*']], ['Alder', ['tot']], ['ContentsCode', ['*']], ['Tid', ['top(2)']]),
    ],
    [
      'POST',
      '/tables/TAB6471/data',
      post(
        ['Region', ['00', '0180']],
        ['Alder', ['*']],
        ['Kon', ['*']],
        ['ContentsCode', ['*']],
        ['Tid', ['*']],
      ),
    ],
    [
      'POST',
      '/tables/TAB3554/data',
      post(
        ['Region', ['0180', '2584']],
        ['Alder', ['*']],
        ['Inkomstklass', ['*']],
        ['ContentsCode', ['*']],
        ['Tid', ['2022']],
      ),
    ],
    [
      'POST',
      '/tables/TAB4718/data',
      post(['Region', ['00', '0180']], ['ContentsCode', ['*']], ['Tid', ['top(3)']]),
    ],
  ];

  it('two simulator instances on the same clock give identical bodies', async () => {
    const a = simHarness(() => NOV_2026);
    const b = simHarness(() => NOV_2026);
    for (const [method, path, body] of requests) {
      const x = await a.call(method, path, body);
      const y = await b.call(method, path, body);
      expect(x.status).toBe(200);
      expect(y.text).toBe(x.text);
    }
  });

  it('TAB6471 grows by a month when the clock passes a month; its `updated` is stable within the month', async () => {
    let now = Date.parse('2026-11-02T00:00:00Z');
    const h = simHarness(() => now);
    const info = async () => (await h.call('GET', '/tables/TAB6471')).body as Json;
    const first = await info();
    now = Date.parse('2026-11-29T23:00:00Z');
    expect(await info()).toEqual(first);
    expect(first['lastPeriod']).toBe('2026M10');
    now = Date.parse('2026-12-01T08:00:00Z');
    const next = await info();
    expect(next['lastPeriod']).toBe('2026M11');
    expect(next['updated']).not.toBe(first['updated']);
    expect(Date.parse(String(next['updated']))).toBeLessThanOrEqual(now);
    // TAB638 never changes.
    expect(((await h.call('GET', '/tables/TAB638')).body as Json)['updated']).toBe('2025-02-21T07:00:00Z');
  });
});
