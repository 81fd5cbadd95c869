import {
  type AgencySimulator,
  json,
  type SimRequest,
  type SimResponse,
  SimulatorBadJson,
  type SimulatorDeps,
} from '../../../kit/simulator.ts';
import { dataDocument, listItem, metadataDocument, tableDocument } from './documents.ts';
import { problem, resolveSelection, ScbError, selectionFromBody, selectionFromQuery } from './selection.ts';
import { catalogueAt, RECORDED, type SimTable } from './tables.ts';

/**
 * The offline SCB: PxWebApi 2.0 (`SCB_API_URL`) over an embedded table catalogue. See the README's
 * "Offline simulator" section for what is served, which errors it reproduces and where the values come from.
 */

/** SCB's `/config` as recorded (apiVersion 2.3.2: 30 calls per 10 s, 150 000 cells). */
const CONFIG = RECORDED.config as {
  maxDataCells: number;
  maxCallsPerTimeWindow: number;
  timeWindow: number;
  [key: string]: unknown;
};

/** GET URLs longer than this fail with 404 at SCB (reference §1.4: "about 2 100 characters"). */
export const MAX_GET_URL = 2100;
const DAY_MS = 24 * 60 * 60_000;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export interface ScbSimulatorConfig {
  SCB_API_URL: string;
}

/** Query parameter by name, case-insensitively (SCB's server does not care about the case). */
function param(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of query) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function positiveInt(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}+]+/u)
    .filter(Boolean);

export function createScbSimulator(deps: SimulatorDeps<ScbSimulatorConfig>): AgencySimulator {
  const base = deps.config.SCB_API_URL.replace(/\/+$/, '');
  /** Times of the calls admitted in the current window (per simulator instance, like SCB's per-IP count). */
  const recent: number[] = [];
  const windowMs = CONFIG.timeWindow * 1000;

  function admit(now: number): boolean {
    while (recent.length > 0 && now - recent[0]! >= windowMs) recent.shift();
    if (recent.length >= CONFIG.maxCallsPerTimeWindow) return false;
    recent.push(now);
    return true;
  }

  const langOf = (req: SimRequest) => (param(req.query, 'lang')?.toLowerCase() === 'en' ? 'en' : 'sv');

  function tableOf(req: SimRequest, id: string): SimTable {
    const table = catalogueAt(req.now).byId.get(decodeURIComponent(id).toUpperCase());
    if (!table) throw new ScbError(404);
    return table;
  }

  function search(req: SimRequest): SimResponse {
    const lang = langOf(req);
    const text = param(req.query, 'query')?.trim() ?? '';
    const pastDaysRaw = param(req.query, 'pastDays');
    const pastDays = pastDaysRaw === undefined ? undefined : positiveInt(pastDaysRaw, 0) || undefined;
    const pageNumber = positiveInt(param(req.query, 'pageNumber'), 1);
    const pageSize = positiveInt(param(req.query, 'pageSize'), 20);
    const terms = words(text);
    const since = pastDays === undefined ? undefined : req.now - pastDays * DAY_MS;
    const hits = catalogueAt(req.now).tables.filter((t) => {
      if (since !== undefined && Date.parse(t.info.updated) < since) return false;
      if (terms.length === 0) return true;
      // Every word must start a word of the title or a variable name, or be the table id.
      const haystack = [...words(t.info.label), ...t.info.variableNames.flatMap(words)];
      return terms.every((w) => w === t.info.id.toLowerCase() || haystack.some((h) => h.startsWith(w)));
    });
    const totalPages = Math.ceil(hits.length / pageSize);
    const link = (page: number) => {
      const q = new URLSearchParams({ lang });
      if (text) q.set('query', text);
      q.set('pagesize', String(pageSize));
      q.set('pageNumber', String(page));
      if (pastDays !== undefined) q.set('pastDays', String(pastDays));
      return `${base}/tables/?${q.toString()}`;
    };
    const pageLinks =
      pageNumber < totalPages
        ? [
            { rel: 'next', hreflang: lang, href: link(pageNumber + 1) },
            { rel: 'last', hreflang: lang, href: link(totalPages) },
          ]
        : [];
    return json(
      200,
      {
        language: lang,
        tables: hits
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map((t) => listItem(t, base, lang)),
        page: { pageNumber, pageSize, totalElements: hits.length, totalPages, links: pageLinks },
        links: [{ rel: 'self', hreflang: lang, href: link(pageNumber) }],
      },
      JSON_HEADERS,
    );
  }

  function data(req: SimRequest, table: SimTable): SimResponse {
    const format = param(req.query, 'outputFormat');
    if (format !== undefined && format.toLowerCase() !== 'json-stat2')
      return json(
        501,
        {
          error: `SCB offline simulator: outputFormat=${format} is not simulated; use json-stat2 (the default)`,
        },
        JSON_HEADERS,
      );
    const input = req.method === 'POST' ? selectionFromBody(req.json()) : selectionFromQuery(req.query);
    const resolved = resolveSelection(table, input, CONFIG.maxDataCells);
    return json(200, dataDocument(table, resolved, base, langOf(req)), JSON_HEADERS);
  }

  function route(req: SimRequest): SimResponse {
    if (req.method === 'GET' && req.url.href.length > MAX_GET_URL) throw new ScbError(404);
    const path = req.path.replace(/\/+$/, '') || '/';
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/config') {
      if (!get) throw new ScbError(405);
      return json(200, RECORDED.config, JSON_HEADERS);
    }
    if (path === '/tables') {
      if (!get) throw new ScbError(405);
      return search(req);
    }
    const m = /^\/tables\/([^/]+)(\/metadata|\/data)?$/i.exec(path);
    if (!m) throw new ScbError(404);
    const table = tableOf(req, m[1]!);
    const what = m[2]?.toLowerCase();
    if (what === '/data') {
      if (!get && req.method !== 'POST') throw new ScbError(405);
      return data(req, table);
    }
    if (!get) throw new ScbError(405);
    if (what === '/metadata') return json(200, metadataDocument(table, base, langOf(req)), JSON_HEADERS);
    return json(200, tableDocument(table, base, langOf(req)), JSON_HEADERS);
  }

  return {
    agency: 'scb',
    synthetic: true,
    note: 'SCB PxWebApi 2.0 simulator: real /config, table list, notes and labels (recorded); populations modelled from real 2020 municipal figures (SKR, rounded to hundreds) — every other value synthetic, with CKM noise from 2025',
    mounts: [
      {
        baseUrl: base,
        handle(req) {
          // SCB's limit (30 calls per 10 s) applies to every call, before anything else.
          if (!admit(req.now)) return { status: 429 };
          try {
            return route(req);
          } catch (err) {
            if (err instanceof ScbError) return err.response();
            if (err instanceof SimulatorBadJson)
              return problem(400, 'One or more validation errors occurred.', err.message);
            throw err;
          }
        },
      },
    ],
    faultResponse(status) {
      // Only SCB's 400 has a documented body; its 404/429/5xx answers carry none we know of.
      if (status === 400) return problem(400, 'Illegal selection expression');
      return { status, ...(status === 429 || status === 503 ? { headers: { 'retry-after': '1' } } : {}) };
    },
  };
}
