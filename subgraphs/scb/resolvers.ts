import { upstreamDateTime } from '../../kit/datetime.ts';
import { badInput, UpstreamError } from '../../kit/errors.ts';
import { checkFirst, ranked } from '../../kit/ranking.ts';
import { geography, requireCounty, requireMunicipality } from '../../kit/sweden.ts';
import { AGENCY, type DataResult, type SelectionItem } from './client.ts';
import type { IncomeModel, PopulationFigureModel, RegionRef, ScbContext, TablePageModel } from './context.ts';
import type { Resolvers, StatisticsSelection } from './generated/resolvers-types.ts';
import type { Cell } from './jsonstat.ts';
import { REGION_VARIABLE } from './loaders.ts';
import { INCOME, incomePlan, POPULATION_MONTHLY, populationHistoryPlan, populationPeriod } from './series.ts';

export const ATTRIBUTION = 'Källa: SCB';
export const SWEDEN_CODE = '00';
export const MAX_ROWS = 10_000;

/** Same arguments in one GraphQL request → one promise, so that all regions reach the loader in one batch. */
function memo<T>(ctx: ScbContext, key: string, make: () => Promise<T>): Promise<T> {
  let cache = memos.get(ctx);
  if (!cache) {
    cache = new Map<string, Promise<unknown>>();
    memos.set(ctx, cache);
  }
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}
const memos = new WeakMap<ScbContext, Map<string, Promise<unknown>>>();

const coordinate = (cell: Cell, test: (id: string, role: string | null) => boolean) =>
  cell.coordinates.find((c) => test(c.dimension.id, c.dimension.role));

/** The cell's time code ("2024", "2025M12"): the dimension with role `time`, or SCB's `Tid`. */
const periodOf = (cell: Cell) =>
  coordinate(cell, (id, role) => role === 'time' || id === 'Tid')?.category.code ?? null;

/**
 * SCB's `updated` for a `DateTime` field. SCB's tables API sends it with `Z`; its older API lists it
 * without a zone in Swedish local time (the same publication: 07:00Z there, 08:00 here; UNCONFIRMED
 * by SCB's docs), so a zone-less value gets the Swedish offset. Anything else is UPSTREAM_BAD_RESPONSE.
 */
const scbTime = (value: string | null, what: string) =>
  upstreamDateTime(value, { agency: AGENCY, what, local: 'europe-stockholm' });

/**
 * The value of the cell with this contents code and period (other dimensions are fixed to one value).
 * Null only where SCB's cell says the figure is missing; an answer without that cell at all does not
 * match what was asked, and is an error rather than a null that reads as "no figure".
 */
function valueAt(result: DataResult, contents: string, period: string, region: string): number | null {
  const cell = result.cells.find(
    (c) =>
      (coordinate(c, (_, role) => role === 'metric')?.category.code ?? contents) === contents &&
      coordinate(c, (id, role) => role === 'time' || id === 'Tid')?.category.code === period,
  );
  if (!cell)
    throw new UpstreamError(
      'BAD_PAYLOAD',
      AGENCY,
      `SCB's answer for table ${result.table} does not match the request: no cell for Region ${region}, ContentsCode ${contents}, Tid ${period}`,
    );
  return cell.value;
}

async function populationFigure(region: string, year: number | null | undefined, ctx: ScbContext) {
  const plan = await memo(ctx, `population:${year ?? 'latest'}`, () =>
    populationPeriod(ctx.client, year, ctx.trace),
  );
  const result = await ctx.loaders.region.load({ table: plan.table, selection: plan.selection, region });
  return {
    year: plan.year,
    population: valueAt(result, plan.contents, plan.period, region),
    period: plan.period,
    table: plan.table,
  } satisfies PopulationFigureModel;
}

async function populationHistory(
  region: string,
  from: number | null | undefined,
  to: number | null | undefined,
  ctx: ScbContext,
): Promise<PopulationFigureModel[]> {
  const plan = await memo(ctx, `history:${from ?? ''}:${to ?? ''}`, () =>
    populationHistoryPlan(ctx.client, from, to, ctx.trace),
  );
  const parts = await Promise.all(
    plan.map(async (part) => {
      const result = await ctx.loaders.region.load({ table: part.table, selection: part.selection, region });
      return part.periods.map((p) => ({
        year: p.year,
        population: valueAt(result, p.contents, p.period, region),
        period: p.period,
        table: part.table,
      }));
    }),
  );
  return parts.flat().sort((a, b) => a.year - b.year);
}

async function income(
  region: string,
  year: number | null | undefined,
  ctx: ScbContext,
): Promise<IncomeModel> {
  const plan = await memo(ctx, `income:${year ?? 'latest'}`, () => incomePlan(ctx.client, year, ctx.trace));
  const result = await ctx.loaders.region.load({ table: plan.table, selection: plan.selection, region });
  return {
    year: plan.year,
    mean: valueAt(result, INCOME.mean, plan.period, region),
    median: valueAt(result, INCOME.median, plan.period, region),
    unit: 'tkr',
    table: plan.table,
  };
}

export function toSelection(input: readonly StatisticsSelection[]): SelectionItem[] {
  return input.map((s) => ({
    variableCode: s.variable.trim(),
    valueCodes: [...s.values],
    ...(s.codelist ? { codelist: s.codelist } : {}),
  }));
}

async function regionStatistics(
  region: string,
  table: string,
  input: readonly StatisticsSelection[],
  ctx: ScbContext,
): Promise<DataResult> {
  if (input.some((s) => s.variable.trim().toLowerCase() === REGION_VARIABLE.toLowerCase()))
    throw badInput(
      `statistics(selection): "Region" is fixed to "${region}" here; leave it out (use Query.statistics to choose regions).`,
      AGENCY,
    );
  const meta = await ctx.client.metadata(table, ctx.trace);
  if (!meta)
    throw badInput(`SCB has no table "${table}"; find table ids with statisticsTables(search: …).`, AGENCY);
  const regionVar = meta.variables.find((v) => v.code === REGION_VARIABLE);
  if (!regionVar)
    throw badInput(`Table ${meta.id} has no Region variable; use Query.statistics for it.`, AGENCY);
  if (!regionVar.values.some((v) => v.code === region))
    throw badInput(`Table ${meta.id} has no figures for region "${region}".`, AGENCY);
  return ctx.loaders.region.load({ table: meta.id, selection: toSelection(input), region });
}

type Measure = 'POPULATION' | 'MEDIAN_INCOME' | 'MEAN_INCOME';

/**
 * Every region's value of `measure`, through the same per-request loader as `population` and
 * `income`: one SCB data request for all of them. Regions without a value are left out.
 */
async function ranking(
  codes: readonly string[],
  measure: Measure,
  year: number | null | undefined,
  ctx: ScbContext,
): Promise<Array<{ code: string; value: number; year: number }>> {
  const rows = await Promise.all(
    codes.map(async (code) => {
      if (measure === 'POPULATION') {
        const f = await populationFigure(code, year, ctx);
        return { code, value: f.population, year: f.year };
      }
      const i = await income(code, year, ctx);
      return { code, value: measure === 'MEDIAN_INCOME' ? i.median : i.mean, year: i.year };
    }),
  );
  return rows.filter((r): r is { code: string; value: number; year: number } => r.value !== null);
}

/** The fields Municipality, County and SwedenStatistics share. */
const regionFields = {
  population: async (r: RegionRef, { year }: { year?: number | null }, ctx: ScbContext) =>
    (await populationFigure(r.code, year, ctx)).population,
  populationFigure: (r: RegionRef, { year }: { year?: number | null }, ctx: ScbContext) =>
    populationFigure(r.code, year, ctx),
  populationHistory: (r: RegionRef, args: { from?: number | null; to?: number | null }, ctx: ScbContext) =>
    populationHistory(r.code, args.from, args.to, ctx),
  income: (r: RegionRef, { year }: { year?: number | null }, ctx: ScbContext) => income(r.code, year, ctx),
  statistics: (
    r: RegionRef,
    args: { table: string; selection: readonly StatisticsSelection[] },
    ctx: ScbContext,
  ) => regionStatistics(r.code, args.table, args.selection, ctx),
};

function checkPaging(
  page: number | null | undefined,
  pageSize: number | null | undefined,
  pastDays: number | null | undefined,
) {
  if (page !== null && page !== undefined && (!Number.isInteger(page) || page < 1))
    throw badInput(`statisticsTables(page: ${page}): page must be an integer from 1.`, AGENCY);
  if (
    pageSize !== null &&
    pageSize !== undefined &&
    (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
  )
    throw badInput(
      `statisticsTables(pageSize: ${pageSize}): pageSize must be an integer from 1 to 100.`,
      AGENCY,
    );
  if (
    pastDays !== null &&
    pastDays !== undefined &&
    (!Number.isInteger(pastDays) || pastDays < 1 || pastDays > 3650)
  )
    throw badInput(
      `statisticsTables(pastDays: ${pastDays}): pastDays must be an integer from 1 to 3650.`,
      AGENCY,
    );
}

interface TableSearchArgs {
  search?: string | null;
  pastDays?: number | null;
  page?: number | null;
  pageSize?: number | null;
}

/** One search for `statisticsTables` (the list) and `statisticsTableSearch` (the list with paging totals). */
function searchTables({ search, pastDays, page, pageSize }: TableSearchArgs, ctx: ScbContext) {
  checkPaging(page, pageSize, pastDays);
  const text = search?.trim();
  if (text !== undefined && text.length > 200)
    throw badInput('statisticsTables(search): at most 200 characters.', AGENCY);
  return ctx.client.tables(
    {
      ...(text ? { search: text } : {}),
      ...(pastDays ? { pastDays } : {}),
      ...(page ? { pageNumber: page } : {}),
      ...(pageSize ? { pageSize } : {}),
    },
    ctx.trace,
  );
}

/** A statistics answer's rows window (`offset`, then `limit` from `minLimit` to MAX_ROWS), or BAD_USER_INPUT. */
function rowWindow(
  field: string,
  offset: number | null | undefined,
  limit: number | null | undefined,
  minLimit: number,
): { from: number; count: number } {
  const from = offset ?? 0;
  const count = limit ?? 1000;
  if (!Number.isInteger(from) || from < 0)
    throw badInput(`${field}(offset: ${from}): offset must be 0 or more.`, AGENCY);
  if (!Number.isInteger(count) || count < minLimit || count > MAX_ROWS)
    throw badInput(
      `${field}(limit: ${count}): limit must be an integer from ${minLimit} to ${MAX_ROWS}.`,
      AGENCY,
    );
  return { from, count };
}

/** SCB's page size when none is given. */
const SCB_PAGE_SIZE = 20;

/** Most tables a `limit`/`offset` window may skip: SCB has about 4 000. */
const MAX_TABLE_OFFSET = 10_000;

/**
 * `statisticsTablesPage`: the tables [offset, offset + limit) of a search. SCB pages by number, so
 * the window is read as pages of `limit` tables: one page when `offset` is a multiple of `limit`,
 * else the two pages it straddles.
 */
async function tableWindow(
  args: { search?: string | null; pastDays?: number | null; limit?: number | null; offset?: number | null },
  ctx: ScbContext,
): Promise<TablePageModel> {
  const limit = args.limit ?? 20;
  const offset = args.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > 100)
    throw badInput(`statisticsTablesPage(limit: ${limit}): limit must be an integer from 0 to 100.`, AGENCY);
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_TABLE_OFFSET)
    throw badInput(
      `statisticsTablesPage(offset: ${offset}): offset must be an integer from 0 to ${MAX_TABLE_OFFSET}.`,
      AGENCY,
    );
  const common = { search: args.search ?? null, pastDays: args.pastDays ?? null };
  if (limit === 0) {
    const first = await searchTables({ ...common, page: 1, pageSize: 1 }, ctx);
    return { ...first, window: { limit, offset, nodes: [] } };
  }
  const page = Math.floor(offset / limit) + 1;
  const skip = offset - (page - 1) * limit;
  // SCB's defaults (page 1, 20 per page) are left out, so the first page is the very request of a
  // plain listing and shares its cache entry (and its recording).
  const pageOf = (n: number) => ({
    ...common,
    page: n === 1 ? null : n,
    pageSize: limit === SCB_PAGE_SIZE ? null : limit,
  });
  const first = await searchTables(pageOf(page), ctx);
  // The rest of the window is on the next page, if SCB has one (never ask past its last page).
  const next = skip > 0 && page < first.totalPages ? await searchTables(pageOf(page + 1), ctx) : undefined;
  const nodes = [...first.tables, ...(next?.tables ?? [])].slice(skip, skip + limit);
  return { ...first, window: { limit, offset, nodes } };
}

/**
 * The metadata of a table SCB has just listed or described. SCB answering 404 for it is not "no such
 * table" (SCB named it): its API is inconsistent or has moved, an error rather than null variables.
 */
async function metadataOf(table: string, ctx: ScbContext) {
  const meta = await ctx.client.metadata(table, ctx.trace);
  if (!meta)
    throw new UpstreamError(
      'HTTP_STATUS',
      AGENCY,
      `SCB answered 404 for /tables/${table}/metadata, a table it lists: its API is inconsistent or has changed`,
      { status: 404 },
    );
  return meta;
}

export function createResolvers(): Resolvers {
  return {
    Municipality: {
      __resolveReference: (ref) => ({ code: requireMunicipality(ref.code, AGENCY).code }),
      ...regionFields,
    },
    County: {
      __resolveReference: (ref) => ({ code: requireCounty(ref.code, AGENCY).code }),
      ...regionFields,
      largestMunicipalities: async (c, { limit, year }, ctx) => {
        const n = limit ?? 5;
        if (!Number.isInteger(n) || n < 1 || n > 290) {
          throw badInput(
            `largestMunicipalities(limit: ${n}): limit must be an integer from 1 to 290.`,
            AGENCY,
          );
        }
        const codes = requireCounty(c.code, AGENCY).municipalityCodes;
        // Every figure goes through the same per-request loader: one SCB request for the whole county.
        const figures = await Promise.all(codes.map((code) => populationFigure(code, year, ctx)));
        return codes
          .map((code, i) => ({ code, population: figures[i]?.population ?? null }))
          .filter((r): r is { code: string; population: number } => r.population !== null)
          .sort((a, b) => b.population - a.population || a.code.localeCompare(b.code))
          .slice(0, n)
          .map((r, i) => ({ rank: i + 1, municipality: { code: r.code }, population: r.population }));
      },
    },
    SwedenStatistics: regionFields,
    PopulationFigure: {
      noisy: (f) => f.table === POPULATION_MONTHLY.table || f.year >= 2025,
    },
    Query: {
      sweden: () => ({ code: SWEDEN_CODE }),
      rankMunicipalities: async (_, args, ctx) => {
        const first = checkFirst('rankMunicipalities', args.first ?? 10, 290, AGENCY);
        const codes =
          args.county === null || args.county === undefined
            ? [...geography().municipalities.keys()]
            : requireCounty(args.county, AGENCY).municipalityCodes;
        const rows = await ranking(codes, args.by ?? 'POPULATION', args.year, ctx);
        return ranked(rows, args.order ?? 'DESC', first).map((r) => ({
          rank: r.rank,
          municipality: { code: r.code },
          value: r.value,
          year: r.year,
        }));
      },
      rankCounties: async (_, args, ctx) => {
        const first = checkFirst('rankCounties', args.first ?? 21, 21, AGENCY);
        const rows = await ranking([...geography().counties.keys()], args.by ?? 'POPULATION', args.year, ctx);
        return ranked(rows, args.order ?? 'DESC', first).map((r) => ({
          rank: r.rank,
          county: { code: r.code },
          value: r.value,
          year: r.year,
        }));
      },
      statisticsTablesPage: (_, args, ctx) => tableWindow(args, ctx),
      statisticsTables: async (_, args, ctx) => (await searchTables(args, ctx)).tables,
      statisticsTableSearch: (_, args, ctx) => searchTables(args, ctx),
      statisticsTable: (_, { id }, ctx) => ctx.client.table(id, ctx.trace),
      statistics: (_, { table, selection }, ctx) => ctx.client.data(table, toSelection(selection), ctx.trace),
    },
    StatisticsTablePage: {
      totalCount: (p) => p.totalElements,
      nodes: (p) => p.window?.nodes ?? p.tables,
      limit: (p) => p.window?.limit ?? p.pageSize,
      offset: (p) => p.window?.offset ?? (p.pageNumber - 1) * p.pageSize,
    },
    StatisticsRowPage: {
      totalCount: (p) => p.cells.length,
      nodes: (p) => p.cells.slice(p.offset, p.offset + p.limit),
    },
    StatisticsTable: {
      updatedAt: (t) => scbTime(t.updated, "the table's `updated`"),
      variables: async (t, _, ctx) => (await metadataOf(t.id, ctx)).variables,
      notes: async (t, _, ctx) => (await metadataOf(t.id, ctx)).notes,
    },
    StatisticsVariable: {
      time: (v) => v.isTime,
      measure: (v) => v.isMetric,
    },
    StatisticsResult: {
      updatedAt: (r) => scbTime(r.updated, "the data's `updated`"),
      mandatoryNotes: (r) => r.mandatoryNotes.flatMap((i) => (r.notes[i] === undefined ? [] : [r.notes[i]])),
      attribution: () => ATTRIBUTION,
      rowCount: (r) => r.cells.length,
      rows: (r, { offset, limit }) => {
        const { from, count } = rowWindow('rows', offset, limit, 1);
        return r.cells.slice(from, from + count);
      },
      rowsPage: (r, { offset, limit }) => {
        const { from, count } = rowWindow('rowsPage', offset, limit, 0);
        return { cells: r.cells, limit: count, offset: from };
      },
    },
    StatisticsRow: {
      dimensions: (cell) =>
        cell.coordinates.map((c) => ({
          variable: c.dimension.id,
          variableLabel: c.dimension.label,
          code: c.category.code,
          label: c.category.label,
        })),
      region: (cell) => coordinate(cell, (id) => id === REGION_VARIABLE)?.category ?? null,
      time: (cell) => periodOf(cell),
      period: (cell) => periodOf(cell),
      measure: (cell) => {
        const m = coordinate(cell, (_, role) => role === 'metric');
        if (!m) return null;
        const unit = m.dimension.units[m.category.code];
        return {
          code: m.category.code,
          label: m.category.label,
          unit: unit?.base ?? null,
          decimals: unit?.decimals ?? null,
        };
      },
      value: (cell) => cell.value,
      status: (cell) => cell.status,
    },
  };
}
