import type { SimResponse } from '../../../kit/simulator.ts';
import type { SimTable, SimVariable } from './tables.ts';

/**
 * PxWebApi 2.0 data selections as SCB evaluates them: case-insensitive variable and value codes,
 * codelists, the expressions `*`, `?`/`*` wildcards, `top(n[,offset])`, `bottom(n[,offset])`,
 * `from(x)`, `to(x)`, `range(a,b)`, elimination, the default selection for an empty one, and SCB's
 * errors in its own shape (`{ type, title, status[, detail] }`, reference §1.6).
 */

/** An error answer in SCB's shape. 400s carry an RFC 7807 body; SCB's 404/429/500 have none we know of. */
export class ScbError extends Error {
  constructor(
    readonly status: number,
    readonly title?: string,
    readonly detail?: string,
  ) {
    super(title ?? `HTTP ${status}`);
  }

  response(): SimResponse {
    if (this.title === undefined) return { status: this.status };
    return problem(this.status, this.title, this.detail);
  }
}

/** SCB's error body (ASP.NET problem details). */
export function problem(status: number, title: string, detail?: string): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: {
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
      title,
      status,
      ...(detail === undefined ? {} : { detail }),
    },
  };
}

/** One entry of a POST body's `selection` (or one `valueCodes[VAR]=…` of a GET). */
export interface SelectionInput {
  variableCode: string;
  valueCodes: string[];
  codelist?: string;
}

/** A resolved selection: per variable of the table (in its order) the chosen codes, or `undefined` = eliminated. */
export type Resolved = Array<string[] | undefined>;

/** Codes by their lower-case form, per domain (a variable's values or a codelist's codes). */
const lookups = new WeakMap<readonly string[], Map<string, string>>();
function lookup(domain: readonly string[]): Map<string, string> {
  let map = lookups.get(domain);
  if (!map) {
    map = new Map(domain.map((c) => [c.toLowerCase(), c]));
    lookups.set(domain, map);
  }
  return map;
}

/** Each variable's codes, computed once per variable object. */
const codesOf = new WeakMap<SimVariable, string[]>();
function variableCodes(variable: SimVariable): string[] {
  let codes = codesOf.get(variable);
  if (!codes) {
    codes = variable.values.map((v) => v.code);
    codesOf.set(variable, codes);
  }
  return codes;
}

const FUNCTION = /^(top|bottom|from|to|range)\s*\(/i;
const TOP = /^(top|bottom)\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/i;
const FROM_TO = /^(from|to)\(\s*([^(),]+?)\s*\)$/i;
const RANGE = /^range\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)$/i;

function evaluate(expr: string, domain: readonly string[], variable: SimVariable): string[] | undefined {
  if (expr === '*') return [...domain];
  // A plain code (the common case) skips the expression parsing.
  if (/^[^*?()]*$/.test(expr)) return undefined;
  const at = (code: string) => {
    const found = lookup(domain).get(code.toLowerCase());
    return found === undefined ? -1 : domain.indexOf(found);
  };
  let m = TOP.exec(expr);
  if (m) {
    const n = Number(m[2]);
    const offset = Number(m[3] ?? 0);
    return m[1]!.toLowerCase() === 'top'
      ? domain.slice(Math.max(0, domain.length - n - offset), Math.max(0, domain.length - offset))
      : domain.slice(offset, offset + n);
  }
  m = FROM_TO.exec(expr);
  if (m) {
    const i = at(m[2]!);
    if (i < 0) throw new ScbError(400, 'Non-existent value');
    return m[1]!.toLowerCase() === 'from' ? domain.slice(i) : domain.slice(0, i + 1);
  }
  m = RANGE.exec(expr);
  if (m) {
    const a = at(m[1]!);
    const b = at(m[2]!);
    if (a < 0 || b < 0) throw new ScbError(400, 'Non-existent value');
    return domain.slice(Math.min(a, b), Math.max(a, b) + 1);
  }
  if (FUNCTION.test(expr) || (/[()]/.test(expr) && !variable.values.some((v) => v.code === expr)))
    throw new ScbError(400, 'Illegal selection expression');
  if (/[*?]/.test(expr)) {
    const re = new RegExp(
      `^${expr
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    return domain.filter((c) => re.test(c));
  }
  return undefined; // a plain code
}

/**
 * Resolves a selection against a table: unknown variable → 400 "Non-existent variable", unknown code →
 * 400 "Non-existent value", bad expression → 400 "Illegal selection expression", a variable that
 * cannot be eliminated left out → 400 "Missing selection for mandantory variable" (SCB's spelling),
 * the same code twice → 500 without a body (as SCB does), more than `maxCells` cells → 400 "Too many
 * cells selected". An empty selection is the table's default selection (SCB's trap, reference §1.4).
 */
export function resolveSelection(
  table: SimTable,
  input: readonly SelectionInput[],
  maxCells: number,
): Resolved {
  if (input.length === 0) return defaultSelection(table);
  const byCode = new Map(table.variables.map((v, i) => [v.code.toLowerCase(), i]));
  const out: Resolved = table.variables.map(() => undefined);
  const seen = new Set<number>();
  for (const item of input) {
    const index = byCode.get(item.variableCode.trim().toLowerCase());
    if (index === undefined) throw new ScbError(400, 'Non-existent variable');
    // The same variable twice: treated like a repeated value (SCB's answer to repetition is a bare 500).
    if (seen.has(index)) throw new ScbError(500);
    seen.add(index);
    const variable = table.variables[index]!;
    let domain: readonly string[] = variableCodes(variable);
    if (item.codelist !== undefined && item.codelist.trim() !== '') {
      const list = variable.codelists.find((c) => c.id.toLowerCase() === item.codelist!.trim().toLowerCase());
      // No SCB recording of this answer exists; the title follows SCB's "Non-existent …" pattern.
      if (!list) throw new ScbError(400, 'Non-existent codelist');
      domain = list.codes;
    }
    // An empty list leaves the variable out, as SCB did in a recorded v1 query (reference §1.5).
    if (item.valueCodes.length === 0) continue;
    const chosen = new Set<string>();
    const explicit = new Set<string>();
    for (const raw of item.valueCodes) {
      const code = raw.trim();
      const expanded = evaluate(code, domain, variable);
      if (expanded) {
        if (expanded.length === 0) throw new ScbError(400, 'Non-existent value');
        for (const c of expanded) chosen.add(c);
        continue;
      }
      const found = lookup(domain).get(code.toLowerCase());
      if (found === undefined) throw new ScbError(400, 'Non-existent value');
      if (explicit.has(found)) throw new ScbError(500);
      explicit.add(found);
      chosen.add(found);
    }
    // SCB answers in the table's order, whatever the order asked.
    out[index] = variableCodes(variable).filter((c) => chosen.has(c));
  }
  const missing = table.variables.findIndex((v, i) => !v.elimination && out[i] === undefined);
  if (missing >= 0) throw new ScbError(400, 'Missing selection for mandantory variable');
  const cells = out.reduce((n, codes) => n * (codes?.length ?? 1), 1);
  if (cells > maxCells)
    throw new ScbError(
      400,
      'Too many cells selected',
      `The request would return ${cells} cells, the limit is ${maxCells}`,
    );
  return out;
}

/**
 * What SCB answers an empty selection with: eliminable variables left out, the latest period, the
 * first measure, and the total (or first value) of any other variable that must be selected.
 */
export function defaultSelection(table: SimTable): Resolved {
  return table.variables.map((v) => {
    if (v.role === 'time') return [v.values.at(-1)!.code];
    if (v.role === 'metric') return [v.values[0]!.code];
    if (v.elimination) return undefined;
    return [v.totalCode ?? v.values[0]!.code];
  });
}

/** `a,b,[range(x,y)],top(3)` → its codes: commas inside brackets or parentheses do not split. */
export function splitCodes(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(' || ch === '[') depth += 1;
    if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1).trim() : s));
}

/** The selection of a GET data URL: `valueCodes[VAR]=…` and `codelist[VAR]=…` (names case-insensitive). */
export function selectionFromQuery(query: URLSearchParams): SelectionInput[] {
  const items = new Map<string, SelectionInput>();
  const item = (variable: string) => {
    const key = variable.toLowerCase();
    let found = items.get(key);
    if (!found) {
      found = { variableCode: variable, valueCodes: [] };
      items.set(key, found);
    }
    return found;
  };
  for (const [name, value] of query) {
    const codes = /^valuecodes\[(.+)\]$/i.exec(name);
    if (codes) {
      item(codes[1]!).valueCodes.push(...splitCodes(value));
      continue;
    }
    const list = /^codelist\[(.+)\]$/i.exec(name);
    if (list) item(list[1]!).codelist = value;
  }
  return [...items.values()];
}

/** The `selection` of a POST body; anything else in the body is ignored, a malformed one is SCB's 400. */
export function selectionFromBody(body: unknown): SelectionInput[] {
  if (body === undefined || body === null) return [];
  const invalid = () => new ScbError(400, 'One or more validation errors occurred.');
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid();
  const selection = (body as Record<string, unknown>)['selection'];
  if (selection === undefined || selection === null) return [];
  if (!Array.isArray(selection)) throw invalid();
  return selection.map((raw) => {
    if (typeof raw !== 'object' || raw === null) throw invalid();
    const r = raw as Record<string, unknown>;
    const codes = r['valueCodes'] ?? [];
    if (
      typeof r['variableCode'] !== 'string' ||
      !Array.isArray(codes) ||
      codes.some((c) => typeof c !== 'string')
    )
      throw invalid();
    return {
      variableCode: r['variableCode'],
      valueCodes: codes as string[],
      ...(typeof r['codelist'] === 'string' ? { codelist: r['codelist'] } : {}),
    };
  });
}
