import { badInput, UpstreamError } from '../../kit/errors.ts';
import type { Logger } from '../../kit/logger.ts';
import { noteFreshUntil, type RequestTrace, type Upstream } from '../../kit/upstream.ts';
import { expectArray, expectObject, isObject, type Json, looseNumber } from '../../kit/validate.ts';
import { type Category, type Cell, cells, type Dataset, parseDataset } from './jsonstat.ts';
import { type AdaptiveRateLimiter, FALLBACK_LIMIT } from './limiter.ts';

export const AGENCY = 'scb';
export const DAY_MS = 24 * 60 * 60_000;
export const HOUR_MS = 60 * 60_000;
/**
 * How long a table's `updated` stamp (from the cheap `GET /tables/{id}`) is trusted. Metadata and data
 * are cached a day but only while the table's `updated` stays the same, so a new SCB publication is
 * picked up within this time while an unchanged table costs one small call per hour.
 */
export const VERSION_TTL_MS = HOUR_MS;
/** How long after its day a metadata/data entry may still be served when SCB fails (as the kit does). */
export const STALE_MS = DAY_MS;
/** Cell limit used until `/config` answers (both recorded configs say 150 000). */
export const FALLBACK_MAX_CELLS = 150_000;

/** SCB's limits from `GET /config`. */
export interface ScbConfig {
  maxDataCells: number;
  maxCallsPerTimeWindow: number;
  /** Seconds. */
  timeWindow: number;
  license: string | null;
  /** `true` when `/config` could not be read and the fallback (3 calls/1 s, 150 000 cells) is in force. */
  fallback: boolean;
}

/** One table as `/tables` and `/tables/{id}` describe it. */
export interface TableInfo {
  id: string;
  label: string;
  description: string;
  timeUnit: string | null;
  firstPeriod: string | null;
  lastPeriod: string | null;
  updated: string | null;
  source: string | null;
  subjectCode: string | null;
  variableNames: string[];
  discontinued: boolean | null;
}

export interface TablePage {
  tables: TableInfo[];
  pageNumber: number;
  pageSize: number;
  totalElements: number;
  totalPages: number;
}

/** One variable of a table, from `/tables/{id}/metadata`. */
export interface Variable {
  code: string;
  label: string;
  /** May be left out of a selection (read from metadata only: data responses disagree). */
  elimination: boolean;
  isTime: boolean;
  isMetric: boolean;
  values: Category[];
  codelists: Array<{ id: string; label: string }>;
}

export interface TableMetadata {
  id: string;
  label: string;
  source: string | null;
  updated: string | null;
  notes: string[];
  mandatoryNotes: number[];
  variables: Variable[];
}

/** One entry of a data request's selection (SCB's POST body). */
export interface SelectionItem {
  variableCode: string;
  valueCodes: string[];
  codelist?: string;
}

/** A decoded data answer, reassembled when it had to be split. */
export interface DataResult {
  table: string;
  label: string;
  source: string | null;
  updated: string | null;
  notes: string[];
  mandatoryNotes: number[];
  timeDimension: string | null;
  metricDimension: string | null;
  cells: Cell[];
  /** Data requests made (after splitting under `maxDataCells`). */
  requests: number;
}

/** The SCB client surface the resolvers and loaders use. */
export interface ScbClient {
  config(trace?: RequestTrace): Promise<ScbConfig>;
  tables(
    params: { search?: string; pastDays?: number; pageNumber?: number; pageSize?: number },
    trace?: RequestTrace,
  ): Promise<TablePage>;
  /** `GET /tables/{id}`, cached {@link VERSION_TTL_MS}: its `updated` decides whether cached metadata/data are current. */
  table(id: string, trace?: RequestTrace): Promise<TableInfo | null>;
  metadata(id: string, trace?: RequestTrace): Promise<TableMetadata | null>;
  /** Validates the selection against cached metadata, splits it under `maxDataCells`, decodes the answer. */
  data(id: string, selection: SelectionItem[], trace?: RequestTrace): Promise<DataResult>;
}

const LANG = 'sv';

// ---------------------------------------------------------------- parsing

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseConfig(json: unknown): ScbConfig {
  const root = expectObject(json, 'config');
  const int = (key: string) => {
    const n = looseNumber(root[key]);
    if (n === null || !Number.isInteger(n) || n <= 0)
      throw new Error(`config.${key}: expected a positive integer`);
    return n;
  };
  return {
    maxDataCells: int('maxDataCells'),
    maxCallsPerTimeWindow: int('maxCallsPerTimeWindow'),
    timeWindow: int('timeWindow'),
    license: str(root['license']),
    fallback: false,
  };
}

export function parseTableInfo(json: unknown, path = 'table'): TableInfo {
  const t = expectObject(json, path);
  const id = str(t['id']);
  if (!id) throw new Error(`${path}.id: expected a string`);
  return {
    id,
    label: str(t['label']) ?? id,
    description: str(t['description']) ?? '',
    timeUnit: str(t['timeUnit']),
    firstPeriod: str(t['firstPeriod']),
    lastPeriod: str(t['lastPeriod']),
    updated: str(t['updated']),
    source: str(t['source']),
    subjectCode: str(t['subjectCode']),
    variableNames: Array.isArray(t['variableNames'])
      ? t['variableNames'].filter((x): x is string => typeof x === 'string')
      : [],
    discontinued: typeof t['discontinued'] === 'boolean' ? t['discontinued'] : null,
  };
}

export function parseTablePage(json: unknown): TablePage {
  const root = expectObject(json, 'tables');
  const page: Json = isObject(root['page']) ? root['page'] : {};
  const tables = expectArray(root['tables'], 'tables.tables').map((t, i) =>
    parseTableInfo(t, `tables[${i}]`),
  );
  return {
    tables,
    pageNumber: looseNumber(page['pageNumber']) ?? 1,
    pageSize: looseNumber(page['pageSize']) ?? tables.length,
    totalElements: looseNumber(page['totalElements']) ?? tables.length,
    totalPages: looseNumber(page['totalPages']) ?? 1,
  };
}

/** Metadata is a JSON-stat 2.0 dataset with an empty `value`; codelists live in the dimension extensions. */
export function parseMetadata(json: unknown, id: string): TableMetadata {
  const dataset = parseDataset(json);
  const dims = expectObject(expectObject(json, 'metadata')['dimension'], 'metadata.dimension');
  return {
    id: dataset.tableId ?? id,
    label: dataset.label,
    source: dataset.source,
    updated: dataset.updated,
    notes: dataset.notes,
    mandatoryNotes: dataset.mandatoryNotes,
    variables: dataset.dimensions.map((d) => {
      const ext =
        isObject(dims[d.id]) && isObject((dims[d.id] as Json)['extension'])
          ? ((dims[d.id] as Json)['extension'] as Json)
          : {};
      const codelists = Array.isArray(ext['codelists'])
        ? ext['codelists']
            .filter(isObject)
            .map((c) => ({ id: str(c['id']) ?? '', label: str(c['label']) ?? '' }))
        : [];
      return {
        code: d.id,
        label: d.label,
        elimination: d.elimination === true,
        isTime: d.id === dataset.timeDimension,
        isMetric: d.id === dataset.metricDimension,
        values: d.categories,
        codelists: codelists.filter((c) => c.id !== ''),
      };
    }),
  };
}

/** SCB's 400 titles that mean "your selection is wrong" (SCB's own spelling of "mandantory"). */
const SCB_BAD_SELECTION = [
  'Non-existent variable',
  'Non-existent value',
  'Missing selection for mandantory variable',
  'Too many cells selected',
  'Illegal selection expression',
];

/** Keeps SCB's explanation printable and short (no control characters, at most 300 characters). */
const clean = (s: string) =>
  [...s]
    .map((ch) => (ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127 ? ' ' : ch))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);

/** Turns SCB's 400 body `{ type, title, status, detail }` into BAD_USER_INPUT carrying SCB's explanation. */
export function scbErrorFor(status: number, body: unknown): UpstreamError | undefined {
  if (status !== 400) return undefined;
  const title = isObject(body) && typeof body['title'] === 'string' ? clean(body['title']) : '';
  const detail = isObject(body) && typeof body['detail'] === 'string' ? clean(body['detail']) : '';
  const known = SCB_BAD_SELECTION.find((t) => t.toLowerCase() === title.toLowerCase());
  const explanation = [known ?? title, detail].filter((s) => s !== '').join(': ');
  return new UpstreamError(
    'BAD_REQUEST',
    AGENCY,
    explanation === ''
      ? 'SCB rejected the selection (HTTP 400).'
      : `SCB rejected the selection: ${explanation}.`,
    { status, detail: explanation === '' ? undefined : explanation },
  );
}

// ---------------------------------------------------------------- selection checks

const TABLE_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** Table ids are flat (`TAB638`); anything that could escape the URL path is refused up front. */
export function checkTableId(id: string): string {
  if (!TABLE_ID.test(id))
    throw badInput(
      `Table id "${id}" is malformed: SCB table ids look like "TAB638" (letters, digits, _ and -).`,
      AGENCY,
    );
  return /^tab\d+$/i.test(id) ? id.toUpperCase() : id;
}

const EXPRESSION = /^(\*|(top|bottom)\(\d+(,\d+)?\)|(from|to)\([^()]+\)|range\([^(),]+,[^(),]+\))$/i;
const isExpression = (code: string) => EXPRESSION.test(code) || /[*?]/.test(code);

function wildcardRegex(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** The codes an expression stands for, from metadata (an estimate when a codelist is in use). */
export function expand(code: string, values: readonly Category[]): string[] {
  const codes = values.map((v) => v.code);
  const m = /^(top|bottom|from|to|range)\((.*)\)$/i.exec(code);
  if (code === '*') return codes;
  if (m) {
    const [, fn, args = ''] = m;
    const parts = args.split(',').map((s) => s.trim());
    const at = (c: string | undefined) => codes.findIndex((x) => x.toLowerCase() === (c ?? '').toLowerCase());
    switch (fn!.toLowerCase()) {
      case 'top': {
        const n = Number(parts[0]);
        const offset = Number(parts[1] ?? 0);
        return codes.slice(Math.max(0, codes.length - n - offset), codes.length - offset);
      }
      case 'bottom': {
        const n = Number(parts[0]);
        const offset = Number(parts[1] ?? 0);
        return codes.slice(offset, offset + n);
      }
      case 'from':
        return at(parts[0]) < 0 ? codes : codes.slice(at(parts[0]));
      case 'to':
        return at(parts[0]) < 0 ? codes : codes.slice(0, at(parts[0]) + 1);
      default: {
        const a = at(parts[0]);
        const b = at(parts[1]);
        return a < 0 || b < 0 ? codes : codes.slice(Math.min(a, b), Math.max(a, b) + 1);
      }
    }
  }
  const re = wildcardRegex(code);
  return codes.filter((c) => re.test(c));
}

/**
 * A variable's value codes by their lower-case spelling (the first of equal spellings), built once per
 * values list: metadata comes from the cache, frozen and shared by every request. Looking each asked
 * code up with `values.find` scanned all ~312 regions per code, 290 × 312 comparisons for the
 * municipalities' population (12 % of that query's CPU when profiled).
 */
const valueIndexes = new WeakMap<readonly Category[], Map<string, string>>();
function valueCodes(values: readonly Category[]): Map<string, string> {
  let index = valueIndexes.get(values);
  if (!index) {
    index = new Map();
    for (const v of values) {
      const lower = v.code.toLowerCase();
      if (!index.has(lower)) index.set(lower, v.code);
    }
    valueIndexes.set(values, index);
  }
  return index;
}

/**
 * Checks a selection against the table's metadata before any data request: every variable exists
 * (case-insensitive, returned in SCB's spelling), every plain value code exists (unless a codelist is
 * named), expressions are well-formed, no code repeats (SCB answers 500 to repeats), and every
 * variable that cannot be eliminated is selected. Returns the selection in metadata order.
 */
export function checkSelection(meta: TableMetadata, selection: readonly SelectionItem[]): SelectionItem[] {
  const byCode = new Map(meta.variables.map((v) => [v.code.toLowerCase(), v]));
  const chosen = new Map<string, SelectionItem>();
  const names = meta.variables.map((v) => v.code).join(', ');
  for (const item of selection) {
    const variable = byCode.get(item.variableCode.toLowerCase());
    if (!variable)
      throw badInput(
        `Table ${meta.id} has no variable "${item.variableCode}"; its variables are ${names}.`,
        AGENCY,
      );
    if (chosen.has(variable.code))
      throw badInput(`Variable "${variable.code}" is selected twice; select each variable once.`, AGENCY);
    if (item.valueCodes.length === 0)
      throw badInput(
        `Variable "${variable.code}" has an empty value list; give codes or an expression such as "*" or "top(1)", or leave an eliminable variable out.`,
        AGENCY,
      );
    if (
      item.codelist !== undefined &&
      !variable.codelists.some((c) => c.id.toLowerCase() === item.codelist!.toLowerCase())
    )
      throw badInput(
        `Variable "${variable.code}" of ${meta.id} has no codelist "${item.codelist}"${variable.codelists.length ? `; its codelists are ${variable.codelists.map((c) => c.id).join(', ')}` : ''}.`,
        AGENCY,
      );
    const codes: string[] = [];
    const seen = new Set<string>();
    for (const raw of item.valueCodes) {
      const code = raw.trim();
      let canonical = code;
      if (!isExpression(code) && item.codelist === undefined) {
        const found = valueCodes(variable.values).get(code.toLowerCase());
        if (found === undefined) {
          const sample = variable.values
            .slice(0, 8)
            .map((v) => `"${v.code}"`)
            .join(', ');
          throw badInput(
            `Table ${meta.id} has no value "${code}" for variable "${variable.code}"; values include ${sample}${variable.values.length > 8 ? ` … (${variable.values.length} in all)` : ''}, or use an expression: *, top(N), bottom(N), from(x), to(x), range(a,b).`,
            AGENCY,
          );
        }
        canonical = found;
      }
      if (seen.has(canonical.toLowerCase())) continue; // SCB answers 500 to a repeated code
      seen.add(canonical.toLowerCase());
      codes.push(canonical);
    }
    const codelist =
      item.codelist === undefined
        ? undefined
        : variable.codelists.find((c) => c.id.toLowerCase() === item.codelist!.toLowerCase())!.id;
    chosen.set(variable.code, {
      variableCode: variable.code,
      valueCodes: codes,
      ...(codelist ? { codelist } : {}),
    });
  }
  const missing = meta.variables.filter((v) => !v.elimination && !chosen.has(v.code)).map((v) => v.code);
  if (missing.length > 0)
    throw badInput(
      `Table ${meta.id} needs a selection for ${missing.join(', ')} (these variables cannot be eliminated).`,
      AGENCY,
    );
  return meta.variables.flatMap((v) => (chosen.has(v.code) ? [chosen.get(v.code)!] : []));
}

/** Cells a selection asks for (expressions estimated from metadata; eliminated variables count 1). */
export function cellCount(meta: TableMetadata, selection: readonly SelectionItem[]): number {
  return selection.reduce((product, item) => product * countOf(meta, item), 1);
}

function countOf(meta: TableMetadata, item: SelectionItem): number {
  const variable = meta.variables.find((v) => v.code === item.variableCode);
  if (!variable) return item.valueCodes.length;
  return item.valueCodes.reduce(
    (n, code) => n + (isExpression(code) ? Math.max(1, expand(code, variable.values).length) : 1),
    0,
  );
}

/**
 * Splits a selection so that no part asks for more than `maxCells`: the variable with most codes is
 * cut into chunks (expressions are expanded to codes from metadata first); when even one code of it
 * is too much, each single code is split again along the next variable. One part if it fits.
 */
export function splitSelection(
  meta: TableMetadata,
  selection: SelectionItem[],
  maxCells: number,
): SelectionItem[][] {
  const total = cellCount(meta, selection);
  if (total <= maxCells) return [selection];
  const expanded = selection.map((item) => {
    const variable = meta.variables.find((v) => v.code === item.variableCode);
    if (item.codelist !== undefined || !variable || !item.valueCodes.some(isExpression)) return item;
    const codes = [
      ...new Set(item.valueCodes.flatMap((c) => (isExpression(c) ? expand(c, variable.values) : [c]))),
    ];
    return { ...item, valueCodes: codes };
  });
  const split = (sel: SelectionItem[]): SelectionItem[][] => {
    const count = cellCount(meta, sel);
    if (count <= maxCells) return [sel];
    const widest = sel
      .map((item, index) => ({ item, index }))
      .filter(({ item }) => !item.valueCodes.some(isExpression) && item.valueCodes.length > 1)
      .sort((a, b) => b.item.valueCodes.length - a.item.valueCodes.length)[0];
    if (!widest)
      throw badInput(
        `The selection asks for about ${total} cells; SCB answers at most ${maxCells} per request and this selection cannot be split. Select fewer values.`,
        AGENCY,
      );
    const codes = widest.item.valueCodes;
    const chunk = Math.max(1, Math.floor(maxCells / (count / codes.length)));
    const parts: SelectionItem[][] = [];
    for (let i = 0; i < codes.length; i += chunk) {
      const part = sel.map((item, j) =>
        j === widest.index ? { ...item, valueCodes: codes.slice(i, i + chunk) } : item,
      );
      parts.push(...split(part));
    }
    return parts;
  };
  return split(expanded);
}

// ---------------------------------------------------------------- client

export interface ScbClientOptions {
  upstream: Upstream;
  limiter: AdaptiveRateLimiter;
  logger: Logger;
  now?: () => number;
  /** How long a failed `/config` read keeps the fallback before trying again (default 60 s). */
  configRetryMs?: number;
}

export function createScbClient(options: ScbClientOptions): ScbClient {
  const { upstream, limiter, logger } = options;
  const now = options.now ?? Date.now;
  const configRetryMs = options.configRetryMs ?? 60_000;
  let configMemo: { value: ScbConfig; until: number } | undefined;
  let configInFlight: Promise<ScbConfig> | undefined;

  /** The table's current `updated` stamp, or null when SCB does not say (then entries live their day). */
  /**
   * Versions SCB itself just told us in a search listing (`/tables` items carry `updated`), so that
   * listing tables and then their variables does not cost a version check per table. Only answers
   * fetched from SCB now are remembered (a cached listing may be up to an hour old), for the same hour.
   */
  const listed = new Map<string, { updated: string; until: number }>();
  const LISTED_MAX = 5_000;
  function remember(tables: readonly TableInfo[]): void {
    const until = now() + VERSION_TTL_MS;
    for (const t of tables) {
      if (t.updated === null) continue;
      listed.delete(t.id);
      listed.set(t.id, { updated: t.updated, until });
      if (listed.size > LISTED_MAX) listed.delete(listed.keys().next().value!);
    }
  }

  async function versionOf(table: string, trace?: RequestTrace): Promise<string | null> {
    const known = listed.get(table);
    if (known && known.until > now()) {
      // Vouched for until then, like a version check's cache entry: an answer built on it keeps no longer.
      noteFreshUntil(trace, known.until);
      return known.updated;
    }
    try {
      return (await client.table(table, trace))?.updated ?? null;
    } catch {
      return null; // the version check is an optimisation: its failure must not fail the data
    }
  }

  async function readConfig(trace?: RequestTrace): Promise<ScbConfig> {
    try {
      const config = await upstream.get({
        path: '/config',
        parse: parseConfig,
        ttlMs: HOUR_MS,
        forceTtl: true,
        trace,
      });
      if (!config) throw new UpstreamError('HTTP_STATUS', AGENCY, 'SCB has no /config', { status: 404 });
      limiter.configure({ calls: config.maxCallsPerTimeWindow, windowMs: config.timeWindow * 1000 });
      configMemo = { value: config, until: now() + HOUR_MS };
      return config;
    } catch (err) {
      logger.warn(
        { agency: AGENCY, err: (err as Error).message },
        'SCB /config unavailable; using 3 calls/1 s and 150 000 cells',
      );
      limiter.configure(FALLBACK_LIMIT);
      const value: ScbConfig = {
        maxDataCells: FALLBACK_MAX_CELLS,
        maxCallsPerTimeWindow: FALLBACK_LIMIT.calls,
        timeWindow: FALLBACK_LIMIT.windowMs / 1000,
        license: null,
        fallback: true,
      };
      configMemo = { value, until: now() + configRetryMs };
      return value;
    }
  }

  const client: ScbClient = {
    async config(trace) {
      if (configMemo && configMemo.until > now()) return configMemo.value;
      configInFlight ??= readConfig(trace).finally(() => {
        configInFlight = undefined;
      });
      return configInFlight;
    },

    async tables(params, trace) {
      const answer = await upstream.request({
        path: '/tables',
        query: {
          lang: LANG,
          query: params.search,
          pastDays: params.pastDays,
          pageNumber: params.pageNumber,
          pageSize: params.pageSize,
        },
        parse: parseTablePage,
        ttlMs: HOUR_MS,
        forceTtl: true,
        onErrorStatus: scbErrorFor,
        trace,
      });
      const page = answer.data;
      if (page && !answer.cached) remember(page.tables);
      return (
        page ?? {
          tables: [],
          pageNumber: params.pageNumber ?? 1,
          pageSize: params.pageSize ?? 20,
          totalElements: 0,
          totalPages: 0,
        }
      );
    },

    async table(id, trace) {
      const table = checkTableId(id);
      await client.config(trace);
      return upstream.get({
        path: `/tables/${encodeURIComponent(table)}`,
        query: { lang: LANG },
        parse: (json) => parseTableInfo(json),
        ttlMs: VERSION_TTL_MS,
        forceTtl: true,
        // SCB has no table with this id.
        notFoundIsNull: true,
        trace,
      });
    },

    async metadata(id, trace) {
      const table = checkTableId(id);
      await client.config(trace);
      const version = await versionOf(table, trace);
      // Cached a day, but only while the table's `updated` is the one it was fetched under (the
      // kit's data-version check): a new publication replaces it within VERSION_TTL_MS.
      return upstream.get({
        path: `/tables/${encodeURIComponent(table)}/metadata`,
        query: { lang: LANG },
        parse: (json) => parseMetadata(json, table),
        ttlMs: DAY_MS,
        forceTtl: true,
        version,
        onErrorStatus: scbErrorFor,
        // SCB has no table with this id.
        notFoundIsNull: true,
        trace,
      });
    },

    async data(id, selection, trace) {
      const table = checkTableId(id);
      const [config, meta] = await Promise.all([client.config(trace), client.metadata(table, trace)]);
      if (!meta)
        throw badInput(`SCB has no table "${id}"; find table ids with statisticsTables(search: …).`, AGENCY);
      const checked = checkSelection(meta, selection);
      const parts = splitSelection(meta, checked, config.maxDataCells);
      // Metadata just asked for the version; this is a hit on the same hour-long entry.
      const version = await versionOf(table, trace);
      const datasets: Dataset[] = await Promise.all(
        parts.map(async (part) => {
          const answer = await upstream.request({
            method: 'POST',
            path: `/tables/${encodeURIComponent(table)}/data`,
            query: { lang: LANG, outputFormat: 'json-stat2' },
            body: { selection: part },
            parse: parseDataset,
            // A day, and only while the table's version is the one it was fetched under.
            ttlMs: DAY_MS,
            forceTtl: true,
            version,
            cacheKey: `${table}:data:${JSON.stringify(part)}`,
            // A data POST is a read: retrying it (429, 5xx) is safe.
            idempotent: true,
            onErrorStatus: scbErrorFor,
            trace,
          });
          const dataset = answer.data;
          if (!dataset) throw badInput(`SCB has no table "${id}".`, AGENCY);
          return dataset;
        }),
      );
      const first = datasets[0]!;
      return {
        table: first.tableId ?? table,
        label: first.label || meta.label,
        source: first.source ?? meta.source,
        updated: first.updated ?? meta.updated,
        notes: first.notes.length > 0 ? first.notes : meta.notes,
        mandatoryNotes: first.notes.length > 0 ? first.mandatoryNotes : meta.mandatoryNotes,
        timeDimension: first.timeDimension,
        metricDimension: first.metricDimension,
        // One part (the usual case): its shared cell array, so that callers can index it once.
        cells: datasets.length === 1 ? cells(first) : datasets.flatMap(cells),
        requests: parts.length,
      };
    },
  };
  return client;
}
