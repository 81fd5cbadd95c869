import { badInput, UpstreamError } from '../../kit/errors.ts';
import type { RequestTrace } from '../../kit/upstream.ts';
import { AGENCY, type ScbClient, type SelectionItem, type TableMetadata, type Variable } from './client.ts';

/**
 * The ready-made series (population, income): which SCB table answers which year, decided from SCB's
 * own metadata (the time variable's values), never from a hard-coded year.
 */

/** Population 31 Dec by region, marital status, age and sex, 1968– (SCB stopped it at 2024). */
export const POPULATION_ANNUAL = { table: 'TAB638', contents: 'BE0101N1' } as const;
/** Population per month (last day of the month) by region, age and sex, 2025M01– (CKM noise). */
export const POPULATION_MONTHLY = { table: 'TAB6471', contents: '000007SF' } as const;
/** Sammanräknad förvärvsinkomst (total earned income) by region, sex, age and income class. */
export const INCOME = {
  table: 'TAB3554',
  mean: 'HE0110J7',
  median: 'HE0110J8',
  /** Both sexes, persons aged 20 and over, all income classes. */
  fixed: { Kon: '1+2', Alder: 'tot20+', Inkomstklass: 'TOT' } as Record<string, string>,
} as const;

/** One data request (minus the Region variable, which the loader adds) and what to read from it. */
export interface SeriesRequest {
  table: string;
  /** Selection without Region, in any order (the client orders it by metadata). */
  selection: SelectionItem[];
}

export interface PopulationPeriod extends SeriesRequest {
  year: number;
  /** SCB's time code: "2024" (TAB638, 31 December) or "2025M12" / the latest month (TAB6471). */
  period: string;
  contents: string;
}

const yearOf = (period: string) => Number(period.slice(0, 4));

function timeVariable(meta: TableMetadata): Variable {
  const time = meta.variables.find((v) => v.isTime) ?? meta.variables.find((v) => v.code === 'Tid');
  if (!time) throw new UpstreamError('BAD_PAYLOAD', AGENCY, `SCB table ${meta.id} has no time variable`);
  return time;
}

function requireValue(meta: TableMetadata, variable: string, code: string): void {
  const v = meta.variables.find((x) => x.code === variable);
  if (!v?.values.some((c) => c.code === code))
    throw new UpstreamError('BAD_PAYLOAD', AGENCY, `SCB table ${meta.id} no longer has ${variable}=${code}`);
}

/**
 * The "everyone" selection of every variable other than Region, contents and time: the table's total
 * code where it has one (`tot`, `TotSA`, `TotSa`, `1+2`, `TOT`) — never a sum of parts, which CKM noise
 * makes wrong — else the variable is eliminated (SCB sums it; only where metadata says it may).
 */
export function totalsSelection(meta: TableMetadata): SelectionItem[] {
  const out: SelectionItem[] = [];
  for (const v of meta.variables) {
    if (v.isTime || v.isMetric || v.code === 'Region' || v.code === 'ContentsCode') continue;
    const total = v.values.find((c) => /^(tot|totsa|1\+2)$/i.test(c.code));
    if (total) out.push({ variableCode: v.code, valueCodes: [total.code] });
    else if (!v.elimination)
      throw new UpstreamError(
        'BAD_PAYLOAD',
        AGENCY,
        `SCB table ${meta.id}: ${v.code} has no total and cannot be eliminated`,
      );
  }
  return out;
}

async function need(client: ScbClient, table: string, trace?: RequestTrace): Promise<TableMetadata> {
  const meta = await client.metadata(table, trace);
  if (!meta)
    throw new UpstreamError('HTTP_STATUS', AGENCY, `SCB no longer has table ${table}`, { status: 404 });
  return meta;
}

interface PopulationSources {
  annual: TableMetadata;
  annualYears: string[];
  monthly: TableMetadata | null;
  months: string[];
}

async function sources(
  client: ScbClient,
  needMonthly: boolean,
  trace?: RequestTrace,
): Promise<PopulationSources> {
  const annual = await need(client, POPULATION_ANNUAL.table, trace);
  const annualYears = timeVariable(annual).values.map((v) => v.code);
  const monthly = needMonthly ? await need(client, POPULATION_MONTHLY.table, trace) : null;
  const months = monthly ? timeVariable(monthly).values.map((v) => v.code) : [];
  return { annual, annualYears, monthly, months };
}

function range(src: PopulationSources): string {
  const first = src.annualYears[0] ?? '?';
  const last = src.months.at(-1) ? yearOf(src.months.at(-1)!) : (src.annualYears.at(-1) ?? '?');
  return `${first}–${last} (${POPULATION_ANNUAL.table} ${first}–${src.annualYears.at(-1) ?? '?'}${src.months.length ? `, ${POPULATION_MONTHLY.table} ${src.months[0]}–${src.months.at(-1)}` : ''})`;
}

/** The month that stands for year Y in the monthly table: December, or the latest month of Y published. */
function monthFor(months: string[], year: number): string | undefined {
  const ofYear = months.filter((m) => yearOf(m) === year).sort();
  return ofYear.find((m) => m.endsWith('M12')) ?? ofYear.at(-1);
}

function annualRequest(src: PopulationSources, periods: string[]): SeriesRequest {
  requireValue(src.annual, 'ContentsCode', POPULATION_ANNUAL.contents);
  return {
    table: POPULATION_ANNUAL.table,
    selection: [
      ...totalsSelection(src.annual),
      { variableCode: 'ContentsCode', valueCodes: [POPULATION_ANNUAL.contents] },
      { variableCode: timeVariable(src.annual).code, valueCodes: periods },
    ],
  };
}

function monthlyRequest(src: PopulationSources, periods: string[]): SeriesRequest {
  const meta = src.monthly!;
  requireValue(meta, 'ContentsCode', POPULATION_MONTHLY.contents);
  return {
    table: POPULATION_MONTHLY.table,
    selection: [
      ...totalsSelection(meta),
      { variableCode: 'ContentsCode', valueCodes: [POPULATION_MONTHLY.contents] },
      { variableCode: timeVariable(meta).code, valueCodes: periods },
    ],
  };
}

/** Which table and period answer "population in `year`" (latest published when omitted). */
export async function populationPeriod(
  client: ScbClient,
  year: number | null | undefined,
  trace?: RequestTrace,
): Promise<PopulationPeriod> {
  if (year !== null && year !== undefined && (!Number.isInteger(year) || year < 1000 || year > 9999))
    throw badInput(`population(year: ${year}): year must be a 4-digit year, e.g. 2024.`, AGENCY);
  const annualOnly = year !== null && year !== undefined;
  let src = await sources(client, false, trace);
  if (annualOnly && src.annualYears.includes(String(year))) {
    return {
      ...annualRequest(src, [String(year)]),
      year: year!,
      period: String(year),
      contents: POPULATION_ANNUAL.contents,
    };
  }
  src = await sources(client, true, trace);
  const target =
    year ?? (src.months.length ? yearOf(src.months.at(-1)!) : yearOf(src.annualYears.at(-1) ?? '0'));
  if (src.annualYears.includes(String(target)) && !src.months.some((m) => yearOf(m) === target)) {
    return {
      ...annualRequest(src, [String(target)]),
      year: target,
      period: String(target),
      contents: POPULATION_ANNUAL.contents,
    };
  }
  const month = monthFor(src.months, target);
  if (!month)
    throw badInput(
      `population(year: ${year}): SCB publishes population by region for ${range(src)}.`,
      AGENCY,
    );
  return {
    ...monthlyRequest(src, [month]),
    year: target,
    period: month,
    contents: POPULATION_MONTHLY.contents,
  };
}

/** The requests that answer a population history from `from` to `to` (inclusive), and each year's period. */
export async function populationHistoryPlan(
  client: ScbClient,
  from: number | null | undefined,
  to: number | null | undefined,
  trace?: RequestTrace,
): Promise<Array<SeriesRequest & { periods: Array<{ year: number; period: string; contents: string }> }>> {
  const src = await sources(client, true, trace);
  const firstYear = yearOf(src.annualYears[0] ?? '0');
  const lastYear = src.months.length ? yearOf(src.months.at(-1)!) : yearOf(src.annualYears.at(-1) ?? '0');
  const a = from ?? firstYear;
  const b = to ?? lastYear;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a > b)
    throw badInput(`populationHistory(from: ${a}, to: ${b}): from must be a year not after to.`, AGENCY);
  if (b < firstYear || a > lastYear)
    throw badInput(
      `populationHistory(from: ${a}, to: ${b}): SCB publishes population by region for ${range(src)}.`,
      AGENCY,
    );
  const annual: string[] = [];
  const monthly: Array<{ year: number; period: string }> = [];
  for (let y = Math.max(a, firstYear); y <= Math.min(b, lastYear); y++) {
    if (src.annualYears.includes(String(y))) annual.push(String(y));
    else {
      const m = monthFor(src.months, y);
      if (m) monthly.push({ year: y, period: m });
    }
  }
  const plan: Array<SeriesRequest & { periods: Array<{ year: number; period: string; contents: string }> }> =
    [];
  if (annual.length)
    plan.push({
      ...annualRequest(src, annual),
      periods: annual.map((p) => ({ year: Number(p), period: p, contents: POPULATION_ANNUAL.contents })),
    });
  if (monthly.length)
    plan.push({
      ...monthlyRequest(
        src,
        monthly.map((m) => m.period),
      ),
      periods: monthly.map((m) => ({ ...m, contents: POPULATION_MONTHLY.contents })),
    });
  return plan;
}

export interface IncomePlan extends SeriesRequest {
  year: number;
  period: string;
}

/** The request for mean and median income in `year` (latest published when omitted). */
export async function incomePlan(
  client: ScbClient,
  year: number | null | undefined,
  trace?: RequestTrace,
): Promise<IncomePlan> {
  const meta = await need(client, INCOME.table, trace);
  const years = timeVariable(meta).values.map((v) => v.code);
  const period = year === null || year === undefined ? years.at(-1) : years.find((y) => y === String(year));
  if (!period)
    throw badInput(
      `income(year: ${year}): SCB publishes income by region (${INCOME.table}) for ${years[0] ?? '?'}–${years.at(-1) ?? '?'}.`,
      AGENCY,
    );
  for (const [variable, code] of Object.entries(INCOME.fixed)) requireValue(meta, variable, code);
  requireValue(meta, 'ContentsCode', INCOME.mean);
  requireValue(meta, 'ContentsCode', INCOME.median);
  return {
    table: INCOME.table,
    year: Number(period),
    period,
    selection: [
      ...Object.entries(INCOME.fixed).map(([variableCode, code]) => ({ variableCode, valueCodes: [code] })),
      { variableCode: 'ContentsCode', valueCodes: [INCOME.mean, INCOME.median] },
      { variableCode: timeVariable(meta).code, valueCodes: [period] },
    ],
  };
}
