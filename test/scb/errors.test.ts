import { afterEach, describe, expect, it } from 'vitest';
import { entitiesQuery, type ScbHarness, scbHarness } from './helpers.ts';

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

const stockholm = { r: [{ __typename: 'Municipality', code: '0180' }] };
const TAB638_QUERY = (selection: string) =>
  `{ statistics(table: "TAB638", selection: [${selection}]) { rowCount } }`;
const OK_SELECTION =
  '{ variable: "Region", values: ["0180"] }, { variable: "ContentsCode", values: ["BE0101N1"] }, { variable: "Tid", values: ["2024"] }';

describe('SCB 400 answers become BAD_USER_INPUT with SCB explanation', () => {
  it.each([
    ['Non-existent variable', undefined],
    ['Non-existent value', undefined],
    ['Missing selection for mandantory variable', undefined],
    ['Too many cells selected', 'The request would return 200000 cells, the limit is 150000'],
    ['Illegal selection expression', undefined],
  ])('%s', async (title, detail) => {
    h = scbHarness({
      dataReply: () => ({
        status: 400,
        body: {
          type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
          title,
          status: 400,
          ...(detail ? { detail } : {}),
        },
      }),
    });
    const result = await h.run(TAB638_QUERY(OK_SELECTION));
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', agency: 'scb', status: 400 });
    expect(result.errors![0]!.message).toContain(title);
    if (detail) expect(result.errors![0]!.message).toContain(detail);
    expect(result.data).toEqual({ statistics: null });
  });
});

describe('SCB upstream failures', () => {
  it('429 after the retry budget → UPSTREAM_RATE_LIMITED (each attempt passes the limiter)', async () => {
    h = scbHarness({ dataReply: () => ({ status: 429, headers: { 'retry-after': '0' } }) });
    const result = await h.run(TAB638_QUERY(OK_SELECTION));
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', agency: 'scb' });
    // First attempt plus 3 retries: a bounded budget.
    expect(h.scb.dataCalls()).toHaveLength(4);
  });

  it('429 then 200: the retry succeeds transparently', async () => {
    let n = 0;
    h = scbHarness({
      dataReply: () => (n++ === 0 ? { status: 429, headers: { 'retry-after': '0' } } : undefined),
    });
    const result = await h.run(entitiesQuery('population(year: 2024)'), stockholm);
    expect(result.errors).toBeUndefined();
    expect(h.scb.dataCalls()).toHaveLength(2);
  });

  it.each([500, 503])('%i → UPSTREAM_UNAVAILABLE, only that field is null', async (status) => {
    h = scbHarness({ dataReply: () => ({ status, headers: { 'retry-after': '0' } }) });
    const result = await h.run(entitiesQuery('population(year: 2024)'), stockholm);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', agency: 'scb' });
    expect(result.data).toEqual({ _entities: [{ code: '0180', population: null }] });
  });

  it('a failing /config falls back to 3 calls/1 s and 150 000 cells and still answers', async () => {
    h = scbHarness({ config: 503 });
    const result = await h.run(entitiesQuery('population(year: 2024)'), stockholm);
    expect(result.errors).toBeUndefined();
    expect(h.scb.dataCalls()).toHaveLength(1);
  });
});

describe('own validation before any data request (cached metadata)', () => {
  const noData = () => expect(h!.scb.dataCalls()).toHaveLength(0);

  it('unknown table id', async () => {
    h = scbHarness();
    const result = await h.run(
      '{ statistics(table: "TAB999999", selection: [{ variable: "Tid", values: ["2024"] }]) { rowCount } }',
    );
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'scb' });
    expect(result.errors![0]!.message).toMatch(/no table "TAB999999"/);
    noData();
  });

  it('malformed table id never reaches SCB', async () => {
    h = scbHarness();
    const result = await h.run('{ statistics(table: "../config", selection: []) { rowCount } }');
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(h.scb.calls).toHaveLength(0);
  });

  it('a variable the table lacks', async () => {
    h = scbHarness();
    const result = await h.run(TAB638_QUERY(`${OK_SELECTION}, { variable: "Fodelseland", values: ["x"] }`));
    expect(result.errors![0]!.message).toMatch(
      /has no variable "Fodelseland"; its variables are Region, Civilstand, Alder, Kon, ContentsCode, Tid/,
    );
    noData();
  });

  it('a value the variable lacks', async () => {
    h = scbHarness();
    const result = await h.run(TAB638_QUERY(OK_SELECTION.replace('"2024"', '"2099"')));
    expect(result.errors![0]!.message).toMatch(/no value "2099" for variable "Tid"/);
    noData();
  });

  it('a variable that cannot be eliminated is missing', async () => {
    h = scbHarness();
    const result = await h.run(TAB638_QUERY('{ variable: "ContentsCode", values: ["BE0101N1"] }'));
    expect(result.errors![0]!.message).toMatch(/needs a selection for Tid/);
    noData();
  });

  it('Region on Municipality.statistics is fixed', async () => {
    h = scbHarness();
    const result = await h.run(
      entitiesQuery(
        'statistics(table: "TAB638", selection: [{ variable: "Region", values: ["1480"] }]) { rowCount }',
      ),
      stockholm,
    );
    expect(result.errors![0]!.message).toMatch(/"Region" is fixed to "0180"/);
    noData();
  });

  it('a selection that cannot be split under the cell limit', async () => {
    h = scbHarness({ config: { maxDataCells: 1, maxCallsPerTimeWindow: 30, timeWindow: 10 } });
    const result = await h.run(
      TAB638_QUERY(OK_SELECTION.replace('["BE0101N1"]', '["*"]').replace('["0180"]', '["0180"]')),
    );
    // ContentsCode "*" expands to 2 codes and can be split: 2 requests of 1 cell.
    expect(result.errors).toBeUndefined();
    expect(h.scb.dataCalls()).toHaveLength(2);
  });

  it('unknown municipality code', async () => {
    h = scbHarness();
    const result = await h.run(entitiesQuery('population(year: 2024)'), {
      r: [{ __typename: 'Municipality', code: '0000' }],
    });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(h.scb.calls).toHaveLength(0);
  });
});
