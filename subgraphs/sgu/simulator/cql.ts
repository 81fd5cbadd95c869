/**
 * CQL text filters as SGU's GeoServer takes them (`filter` with `filter-lang=cql-text`, `ecql-text`
 * or `cql2-text`): comparisons, `IN`, `LIKE`/`ILIKE`, `BETWEEN`, `IS [NOT] NULL`, `AND`/`OR`/`NOT`,
 * temporal `BEFORE`/`AFTER`/`DURING`, `TIMESTAMP('…')`/`DATE('…')` and bare ISO instants, and the
 * spatial `INTERSECTS`/`WITHIN`/`CONTAINS`/`DISJOINT` (also `S_…`) with WKT `POINT`, `POLYGON`,
 * `MULTIPOLYGON`, `ENVELOPE`, and `BBOX(geom, …)`. Literals are read against the collection's
 * property types (a date column compares as instants: `obsdatum >= '2020-01-01T00:00:00+00:00'`).
 * A filter the service cannot read or that names an unknown property is a 400.
 */
import type { Polygonal } from '../../../kit/geo.ts';
import {
  boxRegion,
  type Crs,
  containsPoint,
  fromSweref,
  type Geometry,
  intersectsRegion,
  polygonRegion,
  type Region,
  withinRegion,
} from './geometry.ts';

export type PropType = 'string' | 'number' | 'date';
export type Value = string | number | boolean | null;

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'date'; value: number };

export type GeomLiteral = { kind: 'point'; lon: number; lat: number } | { kind: 'region'; region: Region };

export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { op: 'and' | 'or'; args: Expr[] }
  | { op: 'not'; arg: Expr }
  | { op: 'cmp'; cmp: CmpOp; prop: string; value: Literal }
  | { op: 'in'; prop: string; values: Literal[] }
  | { op: 'like'; prop: string; pattern: RegExp }
  | { op: 'between'; prop: string; low: Literal; high: Literal }
  | { op: 'null'; prop: string }
  | { op: 'spatial'; fn: 'intersects' | 'within' | 'contains' | 'disjoint'; geom: GeomLiteral }
  | { op: 'const'; value: boolean };

/** A filter the service rejects (400 InvalidParameterValue). */
export class CqlError extends Error {
  override readonly name = 'CqlError';
}

export interface CqlContext {
  /** Queryable properties and their types. */
  properties: Readonly<Record<string, PropType>>;
  /** Name of the geometry property (`geom`), or null for a table without geometry. */
  geometry: string | null;
  /** CRS of geometry literals (`filter-crs`). */
  crs: Crs;
}

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'date'; v: string }
  | { t: 'id'; v: string; quoted: boolean }
  | { t: 'op'; v: string };

const DATE_TOKEN = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/;
const NUMBER_TOKEN = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT_TOKEN = /^[A-Za-z_][A-Za-z0-9_.:]*/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new CqlError(`unterminated string literal at position ${i}`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += text[j];
        j++;
      }
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new CqlError(`unterminated quoted name at position ${i}`);
      out.push({ t: 'id', v: text.slice(i + 1, end), quoted: true });
      i = end + 1;
      continue;
    }
    const date = DATE_TOKEN.exec(rest);
    if (date) {
      out.push({ t: 'date', v: date[0] });
      i += date[0].length;
      continue;
    }
    const num = NUMBER_TOKEN.exec(rest);
    if (num && (ch !== '-' || canStartNumber(out))) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
      out.push({ t: 'op', v: two === '!=' ? '<>' : two });
      i += 2;
      continue;
    }
    if ('=<>(),/'.includes(ch)) {
      out.push({ t: 'op', v: ch });
      i++;
      continue;
    }
    const id = IDENT_TOKEN.exec(rest);
    if (id) {
      out.push({ t: 'id', v: id[0], quoted: false });
      i += id[0].length;
      continue;
    }
    throw new CqlError(`unexpected character '${ch}' at position ${i}`);
  }
  return out;
}

/** A minus sign starts a number after an operator, a comma, an opening parenthesis or at the start. */
function canStartNumber(out: Token[]): boolean {
  const last = out[out.length - 1];
  return last === undefined || last.t === 'op' || (last.t === 'id' && KEYWORDS.has(last.v.toUpperCase()));
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ILIKE',
  'BETWEEN',
  'IS',
  'NULL',
  'BEFORE',
  'AFTER',
  'DURING',
  'TRUE',
  'FALSE',
  'INCLUDE',
  'EXCLUDE',
]);

const SPATIAL: Record<string, 'intersects' | 'within' | 'contains' | 'disjoint'> = {
  INTERSECTS: 'intersects',
  S_INTERSECTS: 'intersects',
  WITHIN: 'within',
  S_WITHIN: 'within',
  CONTAINS: 'contains',
  S_CONTAINS: 'contains',
  DISJOINT: 'disjoint',
  S_DISJOINT: 'disjoint',
};

/** Parses an ISO date or date-time strictly (no 2025-09-31), as epoch ms; null when invalid. */
export function parseInstant(text: string): number | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      text.trim(),
    );
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const day = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  if (new Date(day).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

class Parser {
  #i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: CqlContext,
  ) {}

  parse(): Expr {
    if (this.tokens.length === 0) throw new CqlError('empty filter');
    const e = this.or();
    const extra = this.tokens[this.#i];
    if (extra) throw new CqlError(`unexpected ${describe(extra)} after the end of the expression`);
    return e;
  }

  private peek(): Token | undefined {
    return this.tokens[this.#i];
  }

  private next(): Token {
    const t = this.tokens[this.#i++];
    if (!t) throw new CqlError('unexpected end of the filter');
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.tokens[this.#i + offset];
    return t?.t === 'id' && !t.quoted && t.v.toUpperCase() === word;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }

  private expectOp(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new CqlError(`expected '${v}', found ${describe(t)}`);
  }

  private or(): Expr {
    const args = [this.and()];
    while (this.isKeyword('OR')) {
      this.#i++;
      args.push(this.and());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  private and(): Expr {
    const args = [this.not()];
    while (this.isKeyword('AND')) {
      this.#i++;
      args.push(this.not());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  private not(): Expr {
    if (this.isKeyword('NOT')) {
      this.#i++;
      return { op: 'not', arg: this.not() };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const t = this.peek();
    if (t?.t === 'op' && t.v === '(') {
      this.#i++;
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    if (t?.t === 'id' && !t.quoted) {
      const word = t.v.toUpperCase();
      if (word === 'INCLUDE' || word === 'EXCLUDE') {
        this.#i++;
        return { op: 'const', value: word === 'INCLUDE' };
      }
      const fn = SPATIAL[word];
      if (fn && this.tokens[this.#i + 1]?.t === 'op') return this.spatial(fn);
      if (word === 'BBOX' && this.tokens[this.#i + 1]?.t === 'op') return this.bbox();
    }
    const left = this.operand();
    return this.comparison(left);
  }

  private comparison(left: Operand): Expr {
    let negate = false;
    if (this.isKeyword('NOT')) {
      negate = true;
      this.#i++;
    }
    const t = this.next();
    const wrap = (e: Expr): Expr => (negate ? { op: 'not', arg: e } : e);
    if (t.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(t.v) && !negate) {
      const right = this.operand();
      return this.compare(left, t.v as CmpOp, right);
    }
    if (t.t === 'id' && !t.quoted) {
      const word = t.v.toUpperCase();
      if (word === 'IN') {
        const prop = this.propertyOf(left, 'IN');
        this.expectOp('(');
        const values: Literal[] = [];
        for (;;) {
          values.push(this.coerce(prop, this.literal()));
          if (this.isOp(',')) {
            this.#i++;
            continue;
          }
          break;
        }
        this.expectOp(')');
        return wrap({ op: 'in', prop, values });
      }
      if (word === 'LIKE' || word === 'ILIKE') {
        const prop = this.propertyOf(left, word);
        const pat = this.next();
        if (pat.t !== 'str') throw new CqlError(`${word} needs a string pattern, found ${describe(pat)}`);
        return wrap({ op: 'like', prop, pattern: likePattern(pat.v, word === 'ILIKE') });
      }
      if (word === 'BETWEEN') {
        const prop = this.propertyOf(left, 'BETWEEN');
        const low = this.coerce(prop, this.literal());
        if (!this.isKeyword('AND')) throw new CqlError('BETWEEN needs AND between its bounds');
        this.#i++;
        const high = this.coerce(prop, this.literal());
        return wrap({ op: 'between', prop, low, high });
      }
      if (word === 'IS' && !negate) {
        const prop = this.propertyOf(left, 'IS NULL');
        let not = false;
        if (this.isKeyword('NOT')) {
          not = true;
          this.#i++;
        }
        if (!this.isKeyword('NULL')) throw new CqlError('expected NULL after IS');
        this.#i++;
        const e: Expr = { op: 'null', prop };
        return not ? { op: 'not', arg: e } : e;
      }
      if ((word === 'BEFORE' || word === 'AFTER' || word === 'DURING') && !negate) {
        const prop = this.propertyOf(left, word);
        if (this.ctx.properties[prop] !== 'date')
          throw new CqlError(`${word} needs a date property, ${prop} is not one`);
        const first = this.coerce(prop, this.literal());
        if (word === 'DURING') {
          this.expectOp('/');
          const second = this.coerce(prop, this.literal());
          return {
            op: 'and',
            args: [
              { op: 'cmp', cmp: '>', prop, value: first },
              { op: 'cmp', cmp: '<', prop, value: second },
            ],
          };
        }
        return { op: 'cmp', cmp: word === 'BEFORE' ? '<' : '>', prop, value: first };
      }
    }
    throw new CqlError(`expected a comparison, found ${describe(t)}`);
  }

  private compare(left: Operand, cmp: CmpOp, right: Operand): Expr {
    if (left.kind === 'prop' && right.kind === 'lit')
      return { op: 'cmp', cmp, prop: left.name, value: this.coerce(left.name, right.lit) };
    if (left.kind === 'lit' && right.kind === 'prop') {
      const flipped: Record<CmpOp, CmpOp> = {
        '=': '=',
        '<>': '<>',
        '<': '>',
        '<=': '>=',
        '>': '<',
        '>=': '<=',
      };
      return { op: 'cmp', cmp: flipped[cmp], prop: right.name, value: this.coerce(right.name, left.lit) };
    }
    if (left.kind === 'lit' && right.kind === 'lit') {
      return { op: 'const', value: compareValues(literalValue(left.lit), literalValue(right.lit), cmp) };
    }
    throw new CqlError('comparing two properties is not supported');
  }

  private operand(): Operand {
    const t = this.peek();
    if (t?.t === 'id' && !t.quoted) {
      const word = t.v.toUpperCase();
      if ((word === 'TIMESTAMP' || word === 'DATE') && this.tokens[this.#i + 1]?.t === 'op')
        return { kind: 'lit', lit: this.literal() };
      if (word === 'TRUE' || word === 'FALSE') return { kind: 'lit', lit: this.literal() };
    }
    if (t?.t === 'id') {
      this.#i++;
      return { kind: 'prop', name: this.property(t.v) };
    }
    return { kind: 'lit', lit: this.literal() };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.t === 'str') return { kind: 'string', value: t.v };
    if (t.t === 'num') return { kind: 'number', value: t.v };
    if (t.t === 'date') {
      const ms = parseInstant(t.v);
      if (ms === null) throw new CqlError(`'${t.v}' is not a valid date`);
      return { kind: 'date', value: ms };
    }
    if (t.t === 'id' && !t.quoted) {
      const word = t.v.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE' };
      if (word === 'TIMESTAMP' || word === 'DATE') {
        this.expectOp('(');
        const s = this.next();
        if (s.t !== 'str') throw new CqlError(`${word}() needs a string`);
        this.expectOp(')');
        const ms = parseInstant(s.v);
        if (ms === null) throw new CqlError(`'${s.v}' is not a valid ${word.toLowerCase()}`);
        return { kind: 'date', value: ms };
      }
    }
    throw new CqlError(`expected a value, found ${describe(t)}`);
  }

  private property(name: string): string {
    if (!(name in this.ctx.properties)) {
      throw new CqlError(`Illegal property name: ${name}`);
    }
    return name;
  }

  private propertyOf(o: Operand, what: string): string {
    if (o.kind !== 'prop') throw new CqlError(`${what} needs a property on its left`);
    return o.name;
  }

  /** The literal as the property's type: instants for date columns, numbers for numeric ones. */
  private coerce(prop: string, lit: Literal): Literal {
    const type = this.ctx.properties[prop];
    if (type === 'date') {
      if (lit.kind === 'date') return lit;
      if (lit.kind === 'string') {
        const ms = parseInstant(lit.value);
        if (ms === null) throw new CqlError(`'${lit.value}' is not a valid date for ${prop}`);
        return { kind: 'date', value: ms };
      }
      throw new CqlError(
        `${prop} is a date: compare it with a date, not ${lit.kind === 'number' ? lit.value : lit.kind}`,
      );
    }
    if (
      type === 'number' &&
      lit.kind === 'string' &&
      lit.value.trim() !== '' &&
      Number.isFinite(Number(lit.value))
    )
      return { kind: 'number', value: Number(lit.value) };
    if (type === 'string' && lit.kind === 'number') return { kind: 'string', value: String(lit.value) };
    return lit;
  }

  private geometryProperty(): void {
    const t = this.next();
    if (t.t !== 'id') throw new CqlError(`expected the geometry property, found ${describe(t)}`);
    if (this.ctx.geometry === null)
      throw new CqlError('this collection has no geometry: spatial filters do not apply');
    if (t.v !== this.ctx.geometry)
      throw new CqlError(`Illegal property name: ${t.v} (the geometry is ${this.ctx.geometry})`);
  }

  private spatial(fn: 'intersects' | 'within' | 'contains' | 'disjoint'): Expr {
    this.#i++;
    this.expectOp('(');
    this.geometryProperty();
    this.expectOp(',');
    const geom = this.wkt();
    this.expectOp(')');
    return { op: 'spatial', fn, geom };
  }

  private bbox(): Expr {
    this.#i++;
    this.expectOp('(');
    this.geometryProperty();
    const nums: number[] = [];
    for (let k = 0; k < 4; k++) {
      this.expectOp(',');
      const t = this.next();
      if (t.t !== 'num') throw new CqlError(`BBOX needs four numbers, found ${describe(t)}`);
      nums.push(t.v);
    }
    let crs = this.ctx.crs;
    if (this.isOp(',')) {
      this.#i++;
      const c = this.next();
      if (c.t !== 'str') throw new CqlError('the CRS of BBOX must be a string');
      crs = /3006/.test(c.v) ? 'EPSG:3006' : 'CRS84';
    }
    this.expectOp(')');
    const [x0, y0, x1, y1] = nums as [number, number, number, number];
    if (x0 > x1 || y0 > y1) throw new CqlError('BBOX: the minimum is greater than the maximum');
    return {
      op: 'spatial',
      fn: 'intersects',
      geom: { kind: 'region', region: this.boxIn(crs, x0, y0, x1, y1) },
    };
  }

  private boxIn(crs: Crs, x0: number, y0: number, x1: number, y1: number): Region {
    if (crs === 'CRS84') return boxRegion({ minLon: x0, minLat: y0, maxLon: x1, maxLat: y1 });
    return polygonRegion({
      type: 'Polygon',
      coordinates: [
        [
          [x0, y0],
          [x1, y0],
          [x1, y1],
          [x0, y1],
          [x0, y0],
        ].map(([e, n]) => this.pos(e as number, n as number)),
      ],
    });
  }

  private pos(x: number, y: number): [number, number] {
    if (this.ctx.crs === 'CRS84') return [x, y];
    const p = fromSweref(x, y);
    return [p.lon, p.lat];
  }

  private wkt(): GeomLiteral {
    const t = this.next();
    if (t.t !== 'id') throw new CqlError(`expected a WKT geometry, found ${describe(t)}`);
    const kind = t.v.toUpperCase();
    if (kind === 'POINT') {
      this.expectOp('(');
      const [x, y] = this.position();
      this.expectOp(')');
      const [lon, lat] = this.pos(x, y);
      return { kind: 'point', lon, lat };
    }
    if (kind === 'POLYGON') {
      return { kind: 'region', region: polygonRegion({ type: 'Polygon', coordinates: this.polygonBody() }) };
    }
    if (kind === 'MULTIPOLYGON') {
      this.expectOp('(');
      const polys = [this.polygonBody()];
      while (this.isOp(',')) {
        this.#i++;
        polys.push(this.polygonBody());
      }
      this.expectOp(')');
      return {
        kind: 'region',
        region: polygonRegion({ type: 'MultiPolygon', coordinates: polys } as Polygonal),
      };
    }
    if (kind === 'ENVELOPE') {
      // ECQL: ENVELOPE(minX, maxX, maxY, minY)
      this.expectOp('(');
      const n: number[] = [];
      for (let k = 0; k < 4; k++) {
        if (k > 0) this.expectOp(',');
        const v = this.next();
        if (v.t !== 'num') throw new CqlError('ENVELOPE needs four numbers');
        n.push(v.v);
      }
      this.expectOp(')');
      const [minX, maxX, maxY, minY] = n as [number, number, number, number];
      return { kind: 'region', region: this.boxIn(this.ctx.crs, minX, minY, maxX, maxY) };
    }
    throw new CqlError(`unsupported geometry ${t.v}: use POINT, POLYGON, MULTIPOLYGON or ENVELOPE`);
  }

  private position(): [number, number] {
    const a = this.next();
    const b = this.next();
    if (a.t !== 'num' || b.t !== 'num') throw new CqlError('a WKT position needs two numbers');
    return [a.v, b.v];
  }

  private polygonBody(): number[][][] {
    this.expectOp('(');
    const rings: number[][][] = [];
    for (;;) {
      this.expectOp('(');
      const ring: number[][] = [];
      for (;;) {
        const [x, y] = this.position();
        ring.push(this.pos(x, y));
        if (this.isOp(',')) {
          this.#i++;
          continue;
        }
        break;
      }
      this.expectOp(')');
      if (ring.length < 4) throw new CqlError('a polygon ring needs at least four positions');
      rings.push(ring);
      if (this.isOp(',')) {
        this.#i++;
        continue;
      }
      break;
    }
    this.expectOp(')');
    return rings;
  }
}

type Operand = { kind: 'prop'; name: string } | { kind: 'lit'; lit: Literal };

function describe(t: Token): string {
  switch (t.t) {
    case 'str':
      return `'${t.v}'`;
    case 'num':
      return String(t.v);
    default:
      return `"${t.v}"`;
  }
}

function likePattern(pattern: string, insensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, insensitive ? 'is' : 's');
}

/** Parses a CQL text filter against a collection's properties. */
export function parseCql(text: string, ctx: CqlContext): Expr {
  return new Parser(tokenize(text), ctx).parse();
}

const literalValue = (l: Literal): Value => l.value;

function compareValues(a: Value, b: Value, cmp: CmpOp): boolean {
  if (a === null || b === null) return false;
  let d: number;
  if (typeof a === 'number' && typeof b === 'number') d = a - b;
  else if (typeof a === 'boolean' || typeof b === 'boolean') d = a === b ? 0 : 1;
  else {
    const sa = String(a);
    const sb = String(b);
    d = sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  switch (cmp) {
    case '=':
      return d === 0;
    case '<>':
      return d !== 0;
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
  }
}

/** What a filter is evaluated against. */
export interface Evaluable {
  properties: Readonly<Record<string, Value>>;
  geometry: Geometry | null;
}

/** The property value as compared: date columns as epoch ms. */
function propertyValue(f: Evaluable, prop: string, lit: Literal): Value {
  const v = f.properties[prop] ?? null;
  if (v === null) return null;
  if (lit.kind === 'date') {
    if (typeof v !== 'string') return null;
    const ms = parseInstant(v);
    return ms;
  }
  if (lit.kind === 'number' && typeof v === 'string') {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return v;
}

/** Whether a feature matches a filter. */
export function evaluate(e: Expr, f: Evaluable): boolean {
  switch (e.op) {
    case 'and':
      return e.args.every((a) => evaluate(a, f));
    case 'or':
      return e.args.some((a) => evaluate(a, f));
    case 'not':
      return !evaluate(e.arg, f);
    case 'const':
      return e.value;
    case 'cmp':
      return compareValues(propertyValue(f, e.prop, e.value), e.value.value, e.cmp);
    case 'in':
      return e.values.some((v) => compareValues(propertyValue(f, e.prop, v), v.value, '='));
    case 'between':
      return (
        compareValues(propertyValue(f, e.prop, e.low), e.low.value, '>=') &&
        compareValues(propertyValue(f, e.prop, e.high), e.high.value, '<=')
      );
    case 'like': {
      const v = f.properties[e.prop];
      return v !== null && v !== undefined && e.pattern.test(String(v));
    }
    case 'null': {
      const v = f.properties[e.prop];
      return v === null || v === undefined;
    }
    case 'spatial': {
      const g = e.geom;
      if (g.kind === 'point') {
        const region = boxRegion({ minLon: g.lon, minLat: g.lat, maxLon: g.lon, maxLat: g.lat });
        const hit =
          f.geometry?.type === 'Point'
            ? intersectsRegion(f.geometry, region)
            : containsPoint(f.geometry, g.lon, g.lat);
        if (e.fn === 'disjoint') return f.geometry !== null && !hit;
        if (e.fn === 'within') return f.geometry?.type === 'Point' && hit;
        return hit;
      }
      switch (e.fn) {
        case 'intersects':
          return intersectsRegion(f.geometry, g.region);
        case 'disjoint':
          return f.geometry !== null && !intersectsRegion(f.geometry, g.region);
        case 'within':
          return withinRegion(f.geometry, g.region);
        case 'contains':
          // A point or a box inside the feature: every corner of the region lies in it.
          return (
            f.geometry !== null &&
            f.geometry.type !== 'Point' &&
            withinRegion(
              { type: 'Polygon', coordinates: g.region.polygon.coordinates } as Geometry,
              polygonRegion(f.geometry as Polygonal),
            )
          );
      }
    }
  }
}

/** The conjuncts of a top-level AND (the filter itself otherwise). */
export function conjuncts(e: Expr | null): Expr[] {
  if (e === null) return [];
  return e.op === 'and' ? e.args.flatMap((a) => conjuncts(a)) : [e];
}

/** AND of the given conjuncts (null when none). */
export const allOf = (parts: Expr[]): Expr | null =>
  parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { op: 'and', args: parts };

/**
 * The values a conjunct pins a property to (`prop = 'x'` or `prop IN ('x', 'y')`), as strings; null
 * when the conjunct says something else.
 */
export function pinnedValues(e: Expr, prop: string): string[] | null {
  if (e.op === 'cmp' && e.cmp === '=' && e.prop === prop) return [String(e.value.value)];
  if (e.op === 'in' && e.prop === prop) return e.values.map((v) => String(v.value));
  if (e.op === 'or') {
    // `prop = 'a' OR prop = 'b'` pins as much as `prop IN ('a', 'b')`.
    const parts = e.args.map((a) => pinnedValues(a, prop));
    return parts.every((p) => p !== null) ? parts.flat() : null;
  }
  return null;
}

/** An instant range on a date property: [from, to] with inclusive flags. */
export interface InstantRange {
  from: number;
  fromInclusive: boolean;
  to: number;
  toInclusive: boolean;
}

/**
 * Narrows a range by a conjunct on a date property; returns false when the conjunct is not a plain
 * bound on it (then it stays for evaluation).
 */
export function narrowRange(range: InstantRange, e: Expr, prop: string): boolean {
  if (e.op === 'cmp' && e.prop === prop && e.value.kind === 'date' && e.cmp !== '<>') {
    const v = e.value.value;
    if (e.cmp === '>' || e.cmp === '>=' || e.cmp === '=') raiseFrom(range, v, e.cmp !== '>');
    if (e.cmp === '<' || e.cmp === '<=' || e.cmp === '=') lowerTo(range, v, e.cmp !== '<');
    return true;
  }
  if (e.op === 'between' && e.prop === prop && e.low.kind === 'date' && e.high.kind === 'date') {
    raiseFrom(range, e.low.value, true);
    lowerTo(range, e.high.value, true);
    return true;
  }
  return false;
}

function raiseFrom(r: InstantRange, v: number, inclusive: boolean) {
  if (v > r.from || (v === r.from && !inclusive)) {
    r.from = v;
    r.fromInclusive = inclusive;
  }
}

function lowerTo(r: InstantRange, v: number, inclusive: boolean) {
  if (v < r.to || (v === r.to && !inclusive)) {
    r.to = v;
    r.toInclusive = inclusive;
  }
}

/**
 * The region a conjunct confines features to (any spatial test but DISJOINT: a matching feature
 * touches the literal's area or point), if it is one.
 */
export function confiningRegion(e: Expr): Region | null {
  if (e.op !== 'spatial' || e.fn === 'disjoint') return null;
  const g = e.geom;
  return g.kind === 'region'
    ? g.region
    : boxRegion({ minLon: g.lon, minLat: g.lat, maxLon: g.lon, maxLat: g.lat });
}
