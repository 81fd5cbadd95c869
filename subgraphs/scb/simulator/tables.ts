import { readFileSync } from 'node:fs';
import {
  AGES,
  ckmNoise,
  incomeLevel,
  municipalitiesOf,
  populationModel,
  regions,
  type Sex,
  timeOf,
  unit,
} from './model.ts';

/**
 * The simulator's table catalogue: TAB638 (population 31 Dec, 1968–2024), TAB6471 (population per
 * month with CKM noise, 2025M01 up to the month before the clock), TAB3554 (income, 1999–2022), and
 * every table of SCB's recorded `/tables` answers with generated variables and synthetic values.
 */

export interface SimValue {
  code: string;
  label: string;
}

export interface SimCodelist {
  id: string;
  label: string;
  /** The value codes the codelist selects, in the variable's order. */
  codes: string[];
}

/** One variable as metadata and data answers describe it. */
export interface SimVariable {
  code: string;
  label: string;
  values: SimValue[];
  /** `extension.elimination` of the metadata: may be left out of a selection. */
  elimination: boolean;
  show: 'code_value' | 'value' | 'code';
  role?: 'time' | 'metric';
  note?: string[];
  noteMandatory?: Record<string, boolean>;
  codelists: SimCodelist[];
  unit?: Record<string, { base: string; decimals: number }>;
  /** ContentsCode only: refperiod, measuringType, priceType, adjustment, alternativeText by content code. */
  contents?: {
    refperiod: Record<string, string>;
    measuringType: Record<string, string>;
    priceType: Record<string, string>;
    adjustment: Record<string, string>;
    alternativeText: Record<string, string>;
  };
  /** `link.describedby[0].extension` as SCB sends it for some variables (TAB638's Alder, Kon). */
  describedBy?: Record<string, string>;
  /** What SCB's *data* answers say about elimination (they disagree with metadata; see the reference §1.5). */
  dataElimination: { elimination: boolean; eliminationValueCode?: string };
  /** The value that stands for "everyone" (used when a default selection needs one). */
  totalCode?: string;
}

/** A `/tables` list item (without links: the simulator adds them for its base URL). */
export interface TableInfo {
  id: string;
  label: string;
  description: string;
  sortCode: string;
  updated: string;
  firstPeriod: string;
  lastPeriod: string;
  category: string;
  variableNames: string[];
  source: string;
  subjectCode: string;
  timeUnit: string;
  paths: Array<Array<{ id: string; label: string; sortCode: string }>>;
}

export interface SimTable {
  info: TableInfo;
  /** The dataset label of metadata and data answers. */
  label: string;
  updated: string;
  notes: string[];
  noteMandatory: Record<string, boolean>;
  px: Record<string, unknown>;
  variables: SimVariable[];
  /**
   * One cell: a code per variable in `variables` order, `undefined` where the variable is eliminated
   * (summed away or answered by its total). `null` = no figure.
   */
  value(coords: ReadonlyArray<string | undefined>): number | null;
  /** Synthetic tables say so in their description; the series tables are documented in the README. */
  synthetic: 'model' | 'generic';
}

interface Recorded {
  config: Record<string, unknown>;
  tables: TableInfo[];
  /** Tables whose recorded links have no English alternate (SCB publishes them in Swedish only). */
  swedishOnly: string[];
  TAB638: {
    label: string;
    updated: string;
    notes: string[];
    regionNote: string[];
    px: Record<string, unknown>;
  };
  TAB6471: {
    label: string;
    updated: string;
    notes: string[];
    alderNote: string[];
    px: Record<string, unknown>;
    alder: Array<[string, string]>;
    codelists: Record<string, Array<{ id: string; label: string }>>;
  };
  contact: unknown[];
}

export const RECORDED: Recorded = JSON.parse(
  readFileSync(new URL('./data/recorded.json', import.meta.url), 'utf8'),
) as Recorded;

// ---------------------------------------------------------------- shared variables

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let regionValues: SimValue[] | undefined;
function regionVariable(
  codelists: Array<{ id: string; label: string; level: 'riket' | 'län' | 'kommun' }>,
  data: SimVariable['dataElimination'],
  note?: string[],
): SimVariable {
  const idx = regions();
  regionValues ??= idx.codes.map((code) => ({ code, label: idx.labels.get(code)! }));
  return {
    code: 'Region',
    label: 'region',
    values: regionValues,
    elimination: true,
    show: 'code_value',
    ...(note ? { note } : {}),
    codelists: codelists.map((c) => ({
      id: c.id,
      label: c.label,
      codes: c.level === 'riket' ? ['00'] : c.level === 'län' ? idx.counties : idx.municipalities,
    })),
    dataElimination: data,
    totalCode: '00',
  };
}

function timeVariable(label: string, periods: string[]): SimVariable {
  return {
    code: 'Tid',
    label,
    values: periods.map((p) => ({ code: p, label: p })),
    elimination: false,
    show: 'code',
    role: 'time',
    codelists: [],
    dataElimination: { elimination: false },
  };
}

function contentsVariable(
  items: Array<{
    code: string;
    label: string;
    unit: string;
    decimals: number;
    refperiod: string;
    measuringType: string;
    priceType: string;
  }>,
): SimVariable {
  const by = <T>(f: (i: (typeof items)[number]) => T) => Object.fromEntries(items.map((i) => [i.code, f(i)]));
  return {
    code: 'ContentsCode',
    label: 'tabellinnehåll',
    values: items.map((i) => ({ code: i.code, label: i.label })),
    elimination: false,
    show: 'value',
    role: 'metric',
    codelists: [],
    unit: by((i) => ({ base: i.unit, decimals: i.decimals })),
    contents: {
      refperiod: by((i) => i.refperiod),
      measuringType: by((i) => i.measuringType),
      priceType: by((i) => i.priceType),
      adjustment: by(() => 'None'),
      alternativeText: by((i) => i.label),
    },
    dataElimination: { elimination: false },
  };
}

function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5));
  const ly = Number(last.slice(0, 4));
  const lm = Number(last.slice(5));
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}M${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

function quartersBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let q = Number(first.slice(5));
  const ly = Number(last.slice(0, 4));
  const lq = Number(last.slice(5));
  while (y < ly || (y === ly && q <= lq)) {
    out.push(`${y}K${q}`);
    q += 1;
    if (q > 4) {
      q = 1;
      y += 1;
    }
  }
  return out;
}

function periodsBetween(first: string, last: string): string[] {
  if (/^\d{4}M\d{2}$/.test(first)) return monthsBetween(first, last);
  if (/^\d{4}K\d$/.test(first)) return quartersBetween(first, last);
  return range(Number(first.slice(0, 4)), Number(last.slice(0, 4))).map(String);
}

const BE_PATH = (leaf: { id: string; label: string; sortCode: string }) => [
  [
    { id: 'BE', label: 'Befolkning', sortCode: 'Befolkning' },
    { id: 'BE0101', label: 'Befolkningsstatistik', sortCode: 'Befolkningsstatistik' },
    leaf,
  ],
];

const pxFor = (
  id: string,
  infofile: string,
  contents: string,
  decimals: number,
  stub: string[],
  extra = {},
) => ({
  infofile,
  tableid: id,
  decimals,
  'official-statistics': true,
  aggregallowed: true,
  copyright: false,
  language: 'sv',
  contents,
  descriptiondefault: false,
  heading: ['ContentsCode', 'Tid'],
  stub,
  matrix: id,
  ...extra,
});

// ---------------------------------------------------------------- TAB638: population 31 Dec 1968–2024

const TAB638_FIRST = 1968;
const TAB638_LAST = 2024;
const STATUS_CODES = ['OG', 'G', 'SK', 'ÄNKL'];

function tab638(): SimTable {
  const rec = RECORDED.TAB638;
  const ages: SimValue[] = [
    ...range(0, 99).map((a) => ({ code: String(a), label: `${a} år` })),
    { code: '100+', label: '100+ år' },
    { code: 'tot', label: 'totalt ålder' },
  ];
  const variables: SimVariable[] = [
    regionVariable(
      [
        { id: 'vs_RegionKommun07', label: 'kommuner', level: 'kommun' },
        { id: 'vs_RegionLän07', label: 'län', level: 'län' },
        { id: 'vs_RegionRiket99', label: 'riket', level: 'riket' },
      ],
      { elimination: true, eliminationValueCode: '00' },
      rec.regionNote,
    ),
    {
      code: 'Civilstand',
      label: 'civilstånd',
      values: [
        { code: 'OG', label: 'ogifta' },
        { code: 'G', label: 'gifta' },
        { code: 'SK', label: 'skilda' },
        { code: 'ÄNKL', label: 'änkor/änklingar' },
      ],
      elimination: true,
      show: 'value',
      codelists: [],
      dataElimination: { elimination: false },
    },
    {
      code: 'Alder',
      label: 'ålder',
      values: ages,
      elimination: true,
      show: 'value',
      codelists: [],
      describedBy: { Alder: 'Ålder' },
      dataElimination: { elimination: false },
      totalCode: 'tot',
    },
    {
      code: 'Kon',
      label: 'kön',
      values: [
        { code: '1', label: 'män' },
        { code: '2', label: 'kvinnor' },
      ],
      elimination: true,
      show: 'value',
      codelists: [],
      describedBy: { Kon: 'Kön' },
      dataElimination: { elimination: false },
    },
    contentsVariable([
      {
        code: 'BE0101N1',
        label: 'Folkmängd',
        unit: 'antal personer',
        decimals: 0,
        refperiod: '31 december respektive år',
        measuringType: 'Stock',
        priceType: 'NotApplicable',
      },
      {
        code: 'BE0101N2',
        label: 'Folkökning',
        unit: 'antal personer',
        decimals: 0,
        refperiod: 'Respektive år',
        measuringType: 'Flow',
        priceType: 'NotApplicable',
      },
    ]),
    timeVariable('år', range(TAB638_FIRST, TAB638_LAST).map(String)),
  ];
  const pop = populationModel();
  const stock = (
    region: string,
    civ: string | undefined,
    age: string | undefined,
    sex: string | undefined,
    year: number,
  ) => {
    const sexes: Sex[] = sex === undefined ? [1, 2] : [Number(sex) as Sex];
    if (civ === undefined && (age === undefined || age === 'tot')) {
      return sex === undefined ? pop.total(region, year) : pop.bySex(region, year, sexes[0]!);
    }
    const a = age === undefined || age === 'tot' ? -1 : age === '100+' ? 100 : Number(age);
    const s = civ === undefined ? -1 : STATUS_CODES.indexOf(civ);
    let total = 0;
    for (const sx of sexes) {
      if (s < 0) {
        const byAge = pop.byAge(region, year, sx);
        total += byAge[a]!;
        continue;
      }
      const m = pop.byAgeAndStatus(region, year, sx);
      if (a >= 0) total += m[a * 4 + s]!;
      else for (let i = 0; i < AGES; i++) total += m[i * 4 + s]!;
    }
    return total;
  };
  return {
    info: {
      id: 'TAB638',
      label: `Folkmängden efter region, civilstånd, ålder och kön. År ${TAB638_FIRST}-${TAB638_LAST}`,
      description: '',
      sortCode: '01',
      updated: rec.updated,
      firstPeriod: String(TAB638_FIRST),
      lastPeriod: String(TAB638_LAST),
      category: 'public',
      variableNames: ['region', 'civilstånd', 'ålder', 'kön', 'tabellinnehåll', 'år'],
      source: 'SCB',
      subjectCode: 'BE',
      timeUnit: 'Annual',
      paths: BE_PATH({ id: 'BE0101A', label: 'Folkmängd', sortCode: '001' }),
    },
    label: rec.label,
    updated: rec.updated,
    notes: rec.notes,
    noteMandatory: Object.fromEntries(rec.notes.map((_, i) => [String(i), true])),
    px: rec.px,
    variables,
    synthetic: 'model',
    value([region, civ, age, sex, contents, tid]) {
      const year = Number(tid);
      const r = region ?? '00';
      const now = stock(r, civ, age, sex, year);
      return contents === 'BE0101N2' ? now - stock(r, civ, age, sex, year - 1) : now;
    },
  };
}

// ---------------------------------------------------------------- TAB6471: population per month (CKM)

/** Which single ages (index 100 = 100+) an Alder code of TAB6471 covers. */
function ageSpan(code: string): [number, number] | 'total' {
  if (code === 'TotSA') return 'total';
  if (code.startsWith('100+')) return [100, 100];
  if (code === '-4') return [0, 4];
  const group = /^(\d+)-(\d+)$/.exec(code);
  if (group) return [Number(group[1]), Number(group[2])];
  return [Number(code), Number(code)];
}

/** The latest month TAB6471 has at `now`: the month before the clock's month (at least 2025M01). */
export function lastMonth(now: number): string {
  const d = new Date(now);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth(); // 0-based: the previous month, 1-based
  if (m === 0) {
    y -= 1;
    m = 12;
  }
  if (y < 2025) return '2025M01';
  return `${y}M${String(m).padStart(2, '0')}`;
}

function tab6471(now: number): SimTable {
  const rec = RECORDED.TAB6471;
  const last = lastMonth(now);
  // Stable for the whole month: the client's version check sees a new `updated` only with a new month.
  const [ly, lm] = [Number(last.slice(0, 4)), Number(last.slice(5))];
  const published = new Date(Date.UTC(lm === 12 ? ly + 1 : ly, lm === 12 ? 0 : lm, 1)).toISOString();
  const updated = published.replace('.000Z', 'Z');
  const label = rec.label.replace(/\d{4}M\d{2}-\d{4}M\d{2}$/, `2025M01-${last}`);
  const ageCodes = rec.alder.map(([code]) => code);
  const cl = rec.codelists;
  const codelist = (variable: string, id: string, codes: string[]) => ({
    id,
    label: cl[variable]!.find((c) => c.id === id)!.label,
    codes,
  });
  const singles = ageCodes.filter((c) => /^\d+$/.test(c) || c === '100+');
  const width = (c: string) => (/^\d+-\d+$/.test(c) ? Number(c.split('-')[1]) - Number(c.split('-')[0]) : -1);
  const fives = ageCodes.filter((c) => c === '-4' || c === '100+5' || width(c) === 4);
  const tens = ageCodes.filter((c) => c === '100+10' || width(c) === 9);
  const variables: SimVariable[] = [
    regionVariable(
      [
        { id: 'vs_CKM01Riket', label: 'riket', level: 'riket' },
        { id: 'vs_CKM02Län', label: 'län', level: 'län' },
        { id: 'vs_CKM03Kommun', label: 'kommuner', level: 'kommun' },
      ],
      { elimination: false },
    ),
    {
      code: 'Alder',
      label: 'ålder',
      values: rec.alder.map(([code, l]) => ({ code, label: l })),
      elimination: false,
      show: 'value',
      note: rec.alderNote,
      noteMandatory: { '0': true },
      codelists: [
        codelist('Alder', 'vs_CKM01AlderTot', ['TotSA']),
        codelist('Alder', 'vs_CKM021år', singles),
        codelist('Alder', 'vs_CKM035årN', fives),
        codelist('Alder', 'vs_CKM0410årN', tens),
      ],
      dataElimination: { elimination: false },
      totalCode: 'TotSA',
    },
    {
      code: 'Kon',
      label: 'kön',
      values: [
        { code: 'TotSa', label: 'totalt, samtliga män och kvinnor' },
        { code: '1', label: 'män' },
        { code: '2', label: 'kvinnor' },
      ],
      elimination: true,
      show: 'value',
      codelists: [],
      dataElimination: { elimination: true, eliminationValueCode: 'TotSa' },
      totalCode: 'TotSa',
    },
    contentsVariable([
      {
        code: '000007SF',
        label: 'Folkmängden per månad',
        unit: 'antal',
        decimals: 0,
        refperiod: 'Respektive månad',
        measuringType: 'Stock',
        priceType: 'NotApplicable',
      },
    ]),
    timeVariable('månad', monthsBetween('2025M01', last)),
  ];
  const pop = populationModel();
  const truth = (region: string, age: string, sex: string | undefined, t: number) => {
    const span = ageSpan(age);
    const sexes: Sex[] = sex === undefined || sex === 'TotSa' ? [1, 2] : [Number(sex) as Sex];
    if (span === 'total') return sexes.length === 2 ? pop.total(region, t) : pop.bySex(region, t, sexes[0]!);
    let n = 0;
    for (const sx of sexes) {
      const byAge = pop.byAge(region, t, sx);
      for (let a = span[0]; a <= span[1]; a++) n += byAge[a]!;
    }
    return n;
  };
  return {
    info: {
      id: 'TAB6471',
      label,
      description: '',
      sortCode: '01',
      updated,
      firstPeriod: '2025M01',
      lastPeriod: last,
      category: 'public',
      variableNames: ['region', 'ålder', 'kön', 'tabellinnehåll', 'månad'],
      source: 'SCB',
      subjectCode: 'BE',
      timeUnit: 'Monthly',
      paths: BE_PATH({ id: 'BE0101A', label: 'Folkmängd', sortCode: '001' }),
    },
    label,
    updated,
    notes: rec.notes,
    noteMandatory: Object.fromEntries(rec.notes.map((_, i) => [String(i), true])),
    px: rec.px,
    variables,
    synthetic: 'model',
    value([region, age, sex, , tid]) {
      // Region may be eliminated (the default selection drops it): then it is Sweden.
      const r = region ?? '00';
      const t = timeOf(tid!);
      return ckmNoise(truth(r, age!, sex, t), `TAB6471|${r}|${age}|${sex ?? 'TotSa'}|${tid}`);
    },
  };
}

// ---------------------------------------------------------------- TAB3554: income 1999–2022

const INCOME_AGES: Array<[code: string, label: string, from: number, to: number, level: number]> = [
  ['tot16+', 'totalt 16+ år', 16, 100, 0.93],
  ['16-19', '16-19 år', 16, 19, 0.12],
  ['tot20+', 'totalt 20+ år', 20, 100, 1],
  ['20-64', '20-64 år', 20, 64, 1.12],
  ['65+', '65+ år', 65, 100, 0.75],
  ['20-24', '20-24 år', 20, 24, 0.55],
  ['25-29', '25-29 år', 25, 29, 0.85],
  ['30-34', '30-34 år', 30, 34, 1.02],
  ['35-39', '35-39 år', 35, 39, 1.12],
  ['40-44', '40-44 år', 40, 44, 1.18],
  ['45-49', '45-49 år', 45, 49, 1.2],
  ['50-54', '50-54 år', 50, 54, 1.2],
  ['55-59', '55-59 år', 55, 59, 1.18],
  ['60-64', '60-64 år', 60, 64, 1.08],
  ['65-69', '65-69 år', 65, 69, 0.9],
  ['70-74', '70-74 år', 70, 74, 0.78],
  ['75-79', '75-79 år', 75, 79, 0.72],
  ['80-84', '80-84 år', 80, 84, 0.68],
  ['85+', '85+ år', 85, 100, 0.66],
];

const INCOME_CLASSES: Array<[code: string, from: number, to: number]> = [
  ['TOT', 0, Number.POSITIVE_INFINITY],
  ['0', 0, 0],
  ...range(0, 19).map((i): [string, number, number] => [
    `${i === 0 ? 1 : i * 20}-${i * 20 + 19}`,
    i === 0 ? 1 : i * 20,
    i * 20 + 19,
  ]),
  ['400-499', 400, 499],
  ['500-599', 500, 599],
  ['600-799', 600, 799],
  ['800-999', 800, 999],
  ['1000+', 1000, Number.POSITIVE_INFINITY],
];

/** Median of total earned income, residents 20+, both sexes, in the whole country (tkr): a model curve. */
const nationalMedian = (year: number) => 310 * 1.03 ** (year - 2022);

/** Standard normal CDF (Abramowitz–Stegun 7.1.26), for the lognormal income distribution. */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-((x / Math.SQRT2) ** 2));
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

const ZERO_SHARE = 0.04;
const SIGMA = 0.72;

interface IncomeCell {
  persons: number;
  mean: number;
  median: number;
}

const incomeCells = new Map<string, IncomeCell>();

/** One municipality's income cell (memoised: a request asks for mean and median of the same persons). */
function incomeOf(muni: string, year: number, sex: Sex, age: string, klass: string): IncomeCell {
  const key = `${muni}|${year}|${sex}|${age}|${klass}`;
  let cell = incomeCells.get(key);
  if (!cell) {
    if (incomeCells.size > 50_000) incomeCells.clear();
    cell = computeIncome(muni, year, sex, age, klass);
    incomeCells.set(key, cell);
  }
  return cell;
}

function computeIncome(muni: string, year: number, sex: Sex, age: string, klass: string): IncomeCell {
  const group = INCOME_AGES.find((g) => g[0] === age)!;
  const pop = populationModel();
  const shares = pop.ageShares(muni, year, sex);
  let share = 0;
  for (let a = group[2]; a <= group[3]; a++) share += shares[a]!;
  const all = pop.bySex(muni, year, sex) * share * 0.985;
  const gap = sex === 1 ? 1.12 - 0.002 * (year - 1999) : 0.88 + 0.002 * (year - 1999);
  const median = nationalMedian(year) * incomeLevel(muni) * gap * group[4];
  const meanFactor = (age === '16-19' ? 1.5 : 1.12) + 0.25 * (incomeLevel(muni) - 0.9);
  const cls = INCOME_CLASSES.find((c) => c[0] === klass)!;
  if (klass === 'TOT') return { persons: all, mean: median * meanFactor, median };
  if (klass === '0') return { persons: all * ZERO_SHARE, mean: 0, median: 0 };
  const cdf = (x: number) => (x <= 0 ? 0 : normalCdf(Math.log(x / median) / SIGMA));
  const share2 = (1 - ZERO_SHARE) * (cdf(cls[2] + 1) - cdf(cls[1]));
  const mid = Number.isFinite(cls[2]) ? (cls[1] + cls[2] + 1) / 2 : cls[1] * 1.35;
  return { persons: all * share2, mean: mid, median: mid - (Number.isFinite(cls[2]) ? 0.5 : cls[1] * 0.1) };
}

function tab3554(): SimTable {
  const variables: SimVariable[] = [
    regionVariable([], { elimination: true, eliminationValueCode: '00' }),
    {
      code: 'Kon',
      label: 'kön',
      values: [
        { code: '1', label: 'män' },
        { code: '2', label: 'kvinnor' },
        { code: '1+2', label: 'totalt' },
      ],
      elimination: true,
      show: 'value',
      codelists: [],
      dataElimination: { elimination: true, eliminationValueCode: '1+2' },
      totalCode: '1+2',
    },
    {
      code: 'Alder',
      label: 'ålder',
      values: INCOME_AGES.map(([code, label]) => ({ code, label })),
      elimination: false,
      show: 'value',
      codelists: [],
      dataElimination: { elimination: false },
      totalCode: 'tot16+',
    },
    {
      code: 'Inkomstklass',
      label: 'inkomstklass',
      values: INCOME_CLASSES.map(([code]) => ({
        code,
        label: code === 'TOT' ? 'totalt' : code === '0' ? '0' : `${code} tkr`,
      })),
      elimination: true,
      show: 'value',
      codelists: [],
      dataElimination: { elimination: false },
      totalCode: 'TOT',
    },
    contentsVariable([
      {
        code: 'HE0110J7',
        label: 'Medelinkomst, tkr',
        unit: 'tkr',
        decimals: 1,
        refperiod: 'Respektive år',
        measuringType: 'Flow',
        priceType: 'Current',
      },
      {
        code: 'HE0110J8',
        label: 'Medianinkomst, tkr',
        unit: 'tkr',
        decimals: 1,
        refperiod: 'Respektive år',
        measuringType: 'Flow',
        priceType: 'Current',
      },
      {
        code: 'HE0110J0',
        label: 'Totalsumma, mnkr',
        unit: 'mnkr',
        decimals: 0,
        refperiod: 'Respektive år',
        measuringType: 'Flow',
        priceType: 'Current',
      },
      {
        code: 'HE0110J9',
        label: 'Antal personer',
        unit: 'antal',
        decimals: 0,
        refperiod: 'Respektive år',
        measuringType: 'Stock',
        priceType: 'NotApplicable',
      },
    ]),
    timeVariable('år', range(1999, 2022).map(String)),
  ];
  const label =
    'Sammanräknad förvärvsinkomst för boende i Sverige hela året efter region, kön, ålder, inkomstklass, tabellinnehåll och år';
  const updated = '2024-02-28T07:00:00Z';
  return {
    info: {
      id: 'TAB3554',
      label:
        'Sammanräknad förvärvsinkomst för boende i Sverige hela året efter region, kön, ålder och inkomstklass. År 1999-2022',
      description: '',
      sortCode: '01',
      updated,
      firstPeriod: '1999',
      lastPeriod: '2022',
      category: 'public',
      variableNames: ['region', 'kön', 'ålder', 'inkomstklass', 'tabellinnehåll', 'år'],
      source: 'SCB',
      subjectCode: 'HE',
      timeUnit: 'Annual',
      paths: [
        [
          { id: 'HE', label: 'Hushållens ekonomi', sortCode: 'HE' },
          { id: 'HE0110', label: 'Inkomster och skatter', sortCode: '001' },
          { id: 'HE0110A', label: 'Sammanräknad förvärvsinkomst för individer', sortCode: '001' },
        ],
      ],
    },
    label,
    updated,
    notes: [],
    noteMandatory: {},
    px: pxFor(
      'TAB3554',
      'HE0110',
      'Sammanräknad förvärvsinkomst',
      1,
      ['Region', 'Kon', 'Alder', 'Inkomstklass'],
      {
        'subject-code': 'HE',
        'subject-area': 'Hushållens ekonomi',
      },
    ),
    variables,
    synthetic: 'model',
    value([region, kon, age, klass, contents, tid]) {
      const year = Number(tid);
      const sexes: Sex[] = kon === undefined || kon === '1+2' ? [1, 2] : [Number(kon) as Sex];
      let persons = 0;
      let meanSum = 0;
      let medianSum = 0;
      for (const m of municipalitiesOf(region ?? '00'))
        for (const sx of sexes) {
          const c = incomeOf(m, year, sx, age!, klass ?? 'TOT');
          persons += c.persons;
          meanSum += c.mean * c.persons;
          medianSum += c.median * c.persons;
        }
      const round1 = (x: number) => Math.round(x * 10) / 10;
      const n = Math.round(persons);
      switch (contents) {
        case 'HE0110J9':
          return n;
        case 'HE0110J0':
          return Math.round(meanSum / 1000);
        case 'HE0110J7':
          return persons > 0 ? round1(meanSum / persons) : null;
        default:
          // The median of a group is not the mean of its members' medians; close enough for synthetic figures.
          return persons > 0 ? round1((medianSum / persons) * (sexes.length === 2 ? 0.99 : 1)) : null;
      }
    },
  };
}

// ---------------------------------------------------------------- the recorded search tables (generic)

const TRANSLIT: Record<string, string> = { å: 'a', ä: 'a', ö: 'o', é: 'e', Å: 'A', Ä: 'A', Ö: 'O' };

/** `"näringsgren (SNI 2007)"` → `"NaringsgrenSNI2007"`: a variable code in SCB's style, from its label. */
function codeFromLabel(label: string): string {
  return label
    .replace(/[åäöéÅÄÖ]/g, (c) => TRANSLIT[c] ?? c)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

interface GenericDim {
  kind: 'region' | 'time' | 'contents' | 'category';
  /** Category codes that are leaves (all but the total). */
  leaves: string[];
  totalCode?: string;
}

function genericTable(info: TableInfo): SimTable {
  const contentsLabel = (info.label.split(/ efter |\. | [ÅÅ]r \d| Månad \d/)[0] ?? info.label).trim();
  const unitOf = /index/i.test(info.label)
    ? { unit: 'index', decimals: 1, rate: true }
    : /andel|grad|sjukfrånvaro|arbetslöshet/i.test(info.label)
      ? { unit: 'procent', decimals: 1, rate: true }
      : /lönesummor/i.test(info.label)
        ? { unit: 'mnkr', decimals: 0, rate: false }
        : { unit: 'antal', decimals: 0, rate: false };
  const contentsCode = `0000${Math.floor(unit(`contents|${info.id}`) * 36 ** 4)
    .toString(36)
    .toUpperCase()
    .padStart(4, '0')}`;
  const variables: SimVariable[] = [];
  const dims: GenericDim[] = [];
  const used = new Set<string>();
  for (const name of info.variableNames) {
    const lower = name.toLowerCase();
    if (lower === 'region') {
      variables.push(regionVariable([], { elimination: true, eliminationValueCode: '00' }));
      dims.push({ kind: 'region', leaves: [] });
    } else if (lower === 'tabellinnehåll') {
      variables.push(
        contentsVariable([
          {
            code: contentsCode,
            label: contentsLabel,
            unit: unitOf.unit,
            decimals: unitOf.decimals,
            refperiod: info.timeUnit === 'Monthly' ? 'Respektive månad' : 'Respektive år',
            measuringType: unitOf.rate ? 'Other' : 'Stock',
            priceType: unitOf.unit === 'mnkr' ? 'Current' : 'NotApplicable',
          },
        ]),
      );
      dims.push({ kind: 'contents', leaves: [] });
    } else if (['månad', 'år', 'kvartal'].includes(lower)) {
      variables.push(timeVariable(name, periodsBetween(info.firstPeriod, info.lastPeriod)));
      dims.push({ kind: 'time', leaves: [] });
    } else {
      let values: SimValue[];
      let code: string;
      let total: string;
      if (lower === 'kön') {
        code = 'Kon';
        total = '1+2';
        values = [
          { code: '1', label: 'män' },
          { code: '2', label: 'kvinnor' },
          { code: '1+2', label: 'totalt' },
        ];
      } else if (lower === 'ålder') {
        code = 'Alder';
        total = '15-74';
        values = ['15-74', '15-24', '25-34', '35-44', '45-54', '55-64', '65-74'].map((c) => ({
          code: c,
          label: `${c} år`,
        }));
      } else {
        code = codeFromLabel(name);
        total = 'TOT';
        const n = 3 + Math.floor(unit(`categories|${info.id}|${name}`) * 4);
        values = [
          { code: 'TOT', label: 'totalt' },
          ...range(1, n).map((i) => ({ code: String(i).padStart(2, '0'), label: `${name}, grupp ${i}` })),
        ];
      }
      while (used.has(code)) code = `${code}X`;
      variables.push({
        code,
        label: name,
        values,
        elimination: true,
        show: 'value',
        codelists: [],
        dataElimination: { elimination: false },
        totalCode: total,
      });
      dims.push({
        kind: 'category',
        leaves: values.map((v) => v.code).filter((c) => c !== total),
        totalCode: total,
      });
    }
    used.add(variables.at(-1)!.code);
  }
  const times = variables.find((v) => v.role === 'time')?.values.map((v) => v.code) ?? [];
  const pop = populationModel();
  const scale = 10 ** (4 + 2.5 * unit(`scale|${info.id}`));
  const riket = pop.total('00', 2020);
  const weight = (i: number, code: string) => 0.3 + unit(`weight|${info.id}|${i}|${code}`);
  const weightSums = dims.map((d, i) => d.leaves.reduce((s, c) => s + weight(i, c), 0));
  const trend = (tid: string) => {
    const k = times.indexOf(tid);
    const seasonal = /M\d{2}$/.test(tid) ? 0.03 * Math.sin((Number(tid.slice(5)) / 12) * 2 * Math.PI) : 0;
    return (1 + 0.015 * k * (/M\d{2}$/.test(tid) ? 1 / 12 : 1)) * (1 + seasonal);
  };
  /** A count cell of leaves only (municipality, leaf categories). */
  const leaf = (coords: ReadonlyArray<string | undefined>) => {
    let v = scale;
    dims.forEach((d, i) => {
      const c = coords[i]!;
      if (d.kind === 'region') v *= pop.total(c, 2020) / riket;
      else if (d.kind === 'category') v *= weight(i, c) / weightSums[i]!;
      else if (d.kind === 'time') v *= trend(c);
    });
    return Math.round(v * (0.95 + 0.1 * unit(`cell|${info.id}|${coords.join('|')}`)));
  };
  /** Expands totals and eliminated variables (and counties/Riket) to leaves and adds them up. */
  const count = (coords: ReadonlyArray<string | undefined>): number => {
    const choices = dims.map((d, i) => {
      const c = coords[i];
      if (d.kind === 'region') return municipalitiesOf(c ?? '00');
      if (d.kind === 'category' && (c === undefined || c === d.totalCode)) return d.leaves;
      return [c!];
    });
    const size = choices.reduce((n, c) => n * c.length, 1);
    if (size > 200_000) {
      // Too many leaves to add up one by one: the expected value of the same sum.
      let v = scale;
      dims.forEach((d, i) => {
        const c = coords[i];
        if (d.kind === 'region') v *= pop.total(c ?? '00', 2020) / riket;
        else if (d.kind === 'time') v *= trend(c!);
        else if (d.kind === 'category' && c !== undefined && c !== d.totalCode)
          v *= weight(i, c) / weightSums[i]!;
      });
      return Math.round(v);
    }
    let total = 0;
    const pick = new Array<string>(dims.length);
    const walk = (i: number) => {
      if (i === dims.length) {
        total += leaf(pick);
        return;
      }
      for (const c of choices[i]!) {
        pick[i] = c;
        walk(i + 1);
      }
    };
    walk(0);
    return total;
  };
  const rate = (coords: ReadonlyArray<string | undefined>) => {
    const base =
      unitOf.unit === 'index' ? 100 + 60 * unit(`base|${info.id}`) : 5 + 80 * unit(`base|${info.id}`);
    const t = dims.findIndex((d) => d.kind === 'time');
    const k = t >= 0 ? times.indexOf(coords[t]!) : 0;
    const drift = unitOf.unit === 'index' ? 1 + 0.003 * k : 1;
    const jitter = 0.9 + 0.2 * unit(`rate|${info.id}|${coords.map((c) => c ?? '*').join('|')}`);
    return Math.round(base * drift * jitter * 10) / 10;
  };
  const stub = variables.filter((v) => !v.role).map((v) => v.code);
  const path = info.paths[0] ?? [];
  return {
    info,
    label: info.label,
    updated: info.updated,
    notes: [],
    noteMandatory: {},
    px: pxFor(info.id, path[1]?.id ?? info.subjectCode, contentsLabel, unitOf.decimals, stub, {
      'subject-code': info.subjectCode,
      'subject-area': path[0]?.label ?? info.subjectCode,
    }),
    variables,
    synthetic: 'generic',
    value: (coords) => (unitOf.rate ? rate(coords) : count(coords)),
  };
}

// ---------------------------------------------------------------- the catalogue

export interface Catalogue {
  /** In listing order: the recorded listing's tables first, then TAB638, TAB6471, TAB3554. */
  tables: SimTable[];
  byId: Map<string, SimTable>;
}

let fixed: SimTable[] | undefined;
const catalogues = new Map<string, Catalogue>();

/** The catalogue as it stands at `now` (only TAB6471 changes: a new month once a month). */
export function catalogueAt(now: number): Catalogue {
  const month = lastMonth(now);
  let cat = catalogues.get(month);
  if (!cat) {
    fixed ??= [...RECORDED.tables.map(genericTable), tab638(), tab3554()];
    const tables = [...fixed.slice(0, -1), tab6471(now), fixed.at(-1)!];
    cat = { tables, byId: new Map(tables.map((t) => [t.info.id, t])) };
    if (catalogues.size > 24) catalogues.clear();
    catalogues.set(month, cat);
  }
  return cat;
}
