/**
 * The part of EntryStore's Solr search the simulator implements: the index fields of
 * `SolrSearchIndex.constructSolrInputDocument` (exact string fields, n-gram text fields, per-language
 * title/description/tags, `metadata.predicate.*.<md5-8>` fields over every statement of an entry's
 * metadata graph, `related.*` from its distributions), and the Lucene query syntax the portal and
 * the clients use: `field:value`, escapes, quoted phrases, `field:(a OR b)`, AND/OR/NOT with OR as
 * the default operator, `*:*`, wildcards, `[a TO b]` ranges on dates (full ISO timestamps only).
 * Anything else fails as Solr does: HTTP 400.
 */
import { NS, P, predicateHash, type RdfGraph, T } from '../rdf.ts';
import type { SimEntry } from './store.ts';

/** A query or parameter the registry rejects (HTTP 400). */
export class SolrError extends Error {
  override readonly name = 'SolrError';
}

/** The indexed form of one entry. */
export interface SolrDoc {
  entry: SimEntry;
  /** Exact (string) fields. */
  exact: Map<string, string[]>;
  /** Text (n-gram) fields: their raw texts. */
  text: Map<string, string[]>;
  /** Date fields in ms. */
  dates: Map<string, number[]>;
  /** Lower-case words of each text field (every word once) and each value's words joined (phrases), filled on first use. */
  words: Map<string, { words: string[]; joined: string[] }>;
}

const add = <V>(map: Map<string, V[]>, field: string, value: V) => {
  const list = map.get(field);
  if (list) list.push(value);
  else map.set(field, [value]);
};

const SUBJECT = `${NS.dcterms}subject`;
const DC_SUBJECT = 'http://purl.org/dc/elements/1.1/subject';
const DC_LANGUAGE = 'http://purl.org/dc/elements/1.1/language';

/** Indexes an entry the way EntryStore does (the subset of fields described above). */
export function indexEntry(
  entry: SimEntry,
  base: string,
  info: RdfGraph,
  related: readonly RdfGraph[],
): SolrDoc {
  const exact = new Map<string, string[]>();
  const text = new Map<string, string[]>();
  const dates = new Map<string, number[]>();
  const meta = entry.metadata;
  const node = meta[entry.resource] ?? {};
  for (const t of node[P.type] ?? []) add(exact, 'rdfType', t.value);
  for (const n of Object.values(info)) for (const t of n[P.type] ?? []) add(exact, 'rdfType', t.value);
  add(exact, 'public', String(entry.public));
  add(exact, 'resource', entry.resource);
  add(exact, 'uri', `${base}/store/${entry.contextId}/entry/${entry.entryId}`);
  add(exact, 'context', `${base}/store/${entry.contextId}`);
  add(exact, 'created', entry.created);
  add(exact, 'modified', entry.modified);
  add(dates, 'created', Date.parse(entry.created));
  add(dates, 'modified', Date.parse(entry.modified));

  const langField = (field: string, lang: string | undefined) =>
    `${field}.${lang ? lang.toLowerCase().split('-')[0] : 'nolang'}`;
  for (const v of node[P.title] ?? []) {
    if (v.type !== 'literal') continue;
    add(text, 'title', v.value);
    add(text, langField('title', v.lang), v.value);
    add(text, 'all', v.value);
  }
  for (const v of node[P.description] ?? []) {
    if (v.type !== 'literal') continue;
    add(text, 'description', v.value);
    add(text, langField('description', v.lang), v.value);
    add(text, 'all', v.value);
  }
  for (const p of [P.keyword, SUBJECT, DC_SUBJECT]) {
    for (const v of node[p] ?? []) {
      if (v.type === 'literal') {
        add(text, 'tag.literal', v.value);
        add(text, langField('tag.literal', v.lang), v.value);
        add(text, 'all', v.value);
      } else if (p !== P.keyword) add(exact, 'tag.uri', v.value);
    }
  }
  for (const p of [P.language, DC_LANGUAGE]) for (const v of node[p] ?? []) add(exact, 'lang', v.value);

  const indexGraph = (graph: RdfGraph, prefix: string) => {
    for (const n of Object.values(graph)) {
      for (const [predicate, vs] of Object.entries(n)) {
        const h = predicateHash(predicate);
        for (const v of vs) {
          if (v.type === 'uri') {
            add(exact, `${prefix}metadata.predicate.uri.${h}`, v.value);
            if (!prefix) add(exact, 'metadata.object.uri', v.value);
          } else if (v.type === 'literal') {
            add(exact, `${prefix}metadata.predicate.literal_s.${h}`, v.value);
            add(text, `${prefix}metadata.predicate.literal.${h}`, v.value);
            add(text, `${prefix}metadata.predicate.literal_t.${h}`, v.value);
            if (!prefix) add(exact, 'metadata.object.literal', v.value);
            if (v.datatype?.endsWith('#date') || v.datatype?.endsWith('#dateTime')) {
              const ms = Date.parse(v.value);
              if (!Number.isNaN(ms)) add(dates, `${prefix}metadata.predicate.date.${h}`, ms);
            }
          }
        }
      }
    }
  };
  indexGraph(meta, '');
  for (const g of related) indexGraph(g, 'related.');
  return { entry, exact, text, dates, words: new Map() };
}

// ---------------------------------------------------------------------------------------------
// Query syntax

export type QueryNode =
  | { kind: 'all' }
  | { kind: 'or'; items: QueryNode[]; pos: QueryNode[]; neg: QueryNode[] }
  | { kind: 'and'; items: QueryNode[]; pos: QueryNode[]; neg: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | {
      kind: 'term';
      field: string;
      value: string;
      phrase: boolean;
      wildcard: boolean;
      text: boolean;
      weight: number;
    }
  | { kind: 'range'; field: string; from: string; to: string };

const FIXED_FIELDS = new Set([
  'rdfType',
  'public',
  'resource',
  'uri',
  'context',
  'created',
  'modified',
  'title',
  'description',
  'tag.literal',
  'tag.uri',
  'all',
  'lang',
  'metadata.object.uri',
  'metadata.object.literal',
]);
const DYNAMIC_FIELD =
  /^(?:(?:title|description|tag\.literal)\.(?:[a-z]{2,3}|nolang)|(?:related\.)?metadata\.predicate\.(?:uri|literal|literal_s|literal_t|date|integer)\.[0-9a-f]{8})$/;
const TEXT_FIELD = /^(?:title|description|tag\.literal|all)(?:\.[a-z]+)?$|\.literal(?:_t)?\.[0-9a-f]{8}$/;
const DATE_FIELD = /^(?:created|modified|(?:related\.)?metadata\.predicate\.date\.[0-9a-f]{8})$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

export function knownField(field: string): boolean {
  return FIXED_FIELDS.has(field) || DYNAMIC_FIELD.test(field);
}

const termNode = (field: string, value: string, phrase: boolean, wildcard: boolean): QueryNode => ({
  kind: 'term',
  field,
  value,
  phrase,
  wildcard,
  text: TEXT_FIELD.test(field),
  weight: field.startsWith('title') ? 2 : 1,
});
const group = (kind: 'and' | 'or', items: QueryNode[]): QueryNode => ({
  kind,
  items,
  pos: items.filter((n) => n.kind !== 'not'),
  neg: items.filter((n) => n.kind === 'not'),
});

/** Parses a Lucene query (the classic parser's syntax, the subset the registry's clients use). */
export function parseQuery(input: string): QueryNode {
  let i = 0;
  const ws = () => {
    while (i < input.length && /\s/.test(input[i]!)) i++;
  };
  const keyword = (k: string) => {
    ws();
    if (input.startsWith(k, i) && (i + k.length >= input.length || /[\s()]/.test(input[i + k.length]!))) {
      i += k.length;
      return true;
    }
    return false;
  };
  /** An unquoted word, escapes resolved; stops at whitespace, parentheses and an unescaped ':'. */
  const word = (): { value: string; wildcard: boolean } => {
    let value = '';
    let wildcard = false;
    while (i < input.length) {
      const c = input[i]!;
      if (c === '\\') {
        if (i + 1 >= input.length) throw new SolrError('Cannot parse query: trailing backslash');
        value += input[i + 1];
        i += 2;
        continue;
      }
      if (
        /\s/.test(c) ||
        c === '(' ||
        c === ')' ||
        c === ':' ||
        c === '"' ||
        c === '[' ||
        c === ']' ||
        c === '{' ||
        c === '}'
      )
        break;
      if (c === '*' || c === '?') wildcard = true;
      value += c;
      i++;
    }
    // Fuzzy (`~2`) and boost (`^3`) suffixes do not change which entries match.
    return { value: value.replace(/[~^][\d.]*$/, ''), wildcard };
  };
  const phrase = (): string => {
    i++; // opening quote
    let value = '';
    while (i < input.length && input[i] !== '"') {
      if (input[i] === '\\' && i + 1 < input.length) {
        value += input[i + 1];
        i += 2;
      } else value += input[i++];
    }
    if (input[i] !== '"') throw new SolrError('Cannot parse query: unterminated phrase');
    i++;
    return value;
  };
  /** A range bound: anything up to whitespace or the closing bracket (colons included). */
  const bound = (): string => {
    let value = '';
    while (i < input.length && !/\s/.test(input[i]!) && input[i] !== ']' && input[i] !== '}') {
      if (input[i] === '\\' && i + 1 < input.length) i++;
      value += input[i++];
    }
    return value.replace(/^"|"$/g, '');
  };
  const range = (field: string): QueryNode => {
    i++; // [ or {
    ws();
    const from = bound();
    if (!keyword('TO')) throw new SolrError('Cannot parse query: expected TO in a range');
    ws();
    const to = bound();
    ws();
    if (input[i] !== ']' && input[i] !== '}') throw new SolrError('Cannot parse query: unterminated range');
    i++;
    if (!DATE_FIELD.test(field)) throw new SolrError(`Cannot parse query: range on non-date field ${field}`);
    for (const bound of [from, to])
      if (bound !== '*' && !ISO.test(bound)) throw new SolrError(`Invalid Date String:'${bound}'`);
    return { kind: 'range', field, from, to };
  };
  const value = (field: string): QueryNode => {
    ws();
    const c = input[i];
    if (c === '(') {
      i++;
      const inner = or(field);
      ws();
      if (input[i] !== ')') throw new SolrError('Cannot parse query: missing )');
      i++;
      return inner;
    }
    if (c === '"') {
      const v = phrase();
      if (!knownField(field)) throw new SolrError(`undefined field ${field}`);
      return termNode(field, v, true, false);
    }
    if (c === '[' || c === '{') return range(field);
    const w = word();
    if (w.value === '') throw new SolrError(`Cannot parse query: expected a value at ${i}`);
    if (field === '*' && w.value === '*') return { kind: 'all' };
    if (!knownField(field)) throw new SolrError(`undefined field ${field}`);
    return termNode(field, w.value, false, w.wildcard);
  };
  const primary = (defaultField: string): QueryNode => {
    ws();
    const c = input[i];
    if (c === undefined) throw new SolrError('Cannot parse query: unexpected end');
    if (c === '(') return value(defaultField);
    if (c === '"' || c === '[' || c === '{') return value(defaultField);
    const start = i;
    const w = word();
    if (input[i] === ':') {
      i++;
      return value(w.value);
    }
    i = start;
    return value(defaultField);
  };
  const unary = (defaultField: string): QueryNode => {
    ws();
    if (keyword('NOT')) return { kind: 'not', item: unary(defaultField) };
    if (input[i] === '-' || input[i] === '!') {
      i++;
      return { kind: 'not', item: unary(defaultField) };
    }
    if (input[i] === '+') i++;
    return primary(defaultField);
  };
  const and = (defaultField: string): QueryNode => {
    const items = [unary(defaultField)];
    while (keyword('AND') || keyword('&&')) items.push(unary(defaultField));
    return items.length === 1 ? items[0]! : group('and', items);
  };
  const or = (defaultField: string): QueryNode => {
    const items = [and(defaultField)];
    for (;;) {
      ws();
      if (i >= input.length || input[i] === ')') break;
      // An explicit OR, or none: the default operator is OR (q.op=OR in the registry's solrconfig).
      if (!keyword('OR')) keyword('||');
      items.push(and(defaultField));
    }
    return items.length === 1 ? items[0]! : group('or', items);
  };
  const tree = or('all');
  ws();
  if (i < input.length) throw new SolrError(`Cannot parse query: unexpected "${input[i]}" at ${i}`);
  return tree;
}

// ---------------------------------------------------------------------------------------------
// Matching

const tokens = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** Whether a document matches a node; `hits` counts matching text clauses (the relevance score). */
export function matches(doc: SolrDoc, node: QueryNode, hits: { n: number }): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'not':
      return !matches(doc, node.item, NO_SCORE);
    case 'and':
      // A purely negative clause set matches nothing (Lucene), unless anchored with *:*.
      if (node.pos.length === 0) return false;
      for (const n of node.items) if (!matches(doc, n, hits)) return false;
      return true;
    case 'or': {
      if (node.pos.length === 0) return false;
      for (const n of node.neg) if (!matches(doc, n, NO_SCORE)) return false;
      let any = false;
      for (const n of node.pos) if (matches(doc, n, hits)) any = true;
      return any;
    }
    case 'range': {
      const values = doc.dates.get(node.field) ?? [];
      const from = node.from === '*' ? -Infinity : Date.parse(node.from);
      const to = node.to === '*' ? Infinity : Date.parse(node.to);
      return values.some((v) => v >= from && v <= to);
    }
    case 'term': {
      if (!node.text) return matchExact(doc, node);
      const score = matchText(doc, node);
      if (score > 0) hits.n += node.weight * score;
      return score > 0;
    }
  }
}

/** A score sink for clauses that do not score (negations, filters). */
const NO_SCORE = { n: 0 };

function matchExact(doc: SolrDoc, node: Extract<QueryNode, { kind: 'term' }>): boolean {
  const values = doc.exact.get(node.field) ?? [];
  if (node.wildcard) {
    if (node.value === '*') return values.length > 0;
    const re = glob(node.value);
    return values.some((v) => re.test(v));
  }
  return values.includes(node.value);
}

/**
 * The n-gram text fields (3–25-character grams at index time): a word matches where it is part of
 * an indexed word; words shorter than 3 characters match nothing unless they carry a wildcard; a
 * phrase matches its words in sequence.
 */
function matchText(doc: SolrDoc, node: Extract<QueryNode, { kind: 'term' }>): number {
  let cached = doc.words.get(node.field);
  if (!cached) {
    const texts = doc.text.get(node.field) ?? [];
    const joined = texts.map((t) => tokens(t).join(' '));
    cached = { words: [...new Set(joined.flatMap((j) => j.split(' ')))].filter(Boolean), joined };
    doc.words.set(node.field, cached);
  }
  // Relevance, roughly as BM25 has it: a match in a short field weighs more, a whole word more than a part.
  const norm = 1 / Math.sqrt(Math.max(1, cached.words.length));
  if (node.phrase) {
    const want = tokens(node.value).join(' ');
    return want !== '' && cached.joined.some((t) => t.includes(want)) ? 2 * norm : 0;
  }
  if (node.wildcard) {
    const re = glob(node.value.toLowerCase());
    return cached.words.some((w) => re.test(w)) ? norm : 0;
  }
  const q = node.value.toLowerCase();
  if ([...q].length < 3) return 0;
  const gram = [...q].slice(0, 25).join('');
  if (cached.words.includes(gram)) return 2 * norm;
  return cached.words.some((w) => w.includes(gram)) ? norm : 0;
}

// ---------------------------------------------------------------------------------------------
// Sorting and facets

/** `modified desc,uri asc` → comparators; `title.xx` sorts on title_sort.xx (the first title in xx). */
export function parseSort(raw: string | null): Array<{ field: string; desc: boolean }> {
  if (raw === null || raw.trim() === '')
    return [
      { field: 'score', desc: true },
      { field: 'modified', desc: true },
    ];
  return raw.split(',').map((part) => {
    const [field, order, extra] = part.trim().split(/\s+/);
    if (!field || (order !== 'asc' && order !== 'desc') || extra !== undefined)
      throw new SolrError(`Can't determine a Sort Order (asc or desc) in sort spec '${part.trim()}'`);
    if (
      !['score', 'modified', 'created', 'uri', 'resource'].includes(field) &&
      !/^title\.[a-z]{2}$/.test(field) &&
      !/^metadata\.predicate\.literal_s\.[0-9a-f]{8}$/.test(field)
    )
      throw new SolrError(`sort param field can't be found: ${field}`);
    return { field, desc: order === 'desc' };
  });
}

export function sortValue(doc: SolrDoc, field: string, score: number): string | number | null {
  switch (field) {
    case 'score':
      return score;
    case 'modified':
    case 'created':
      return doc.dates.get(field)?.[0] ?? null;
    case 'uri':
    case 'resource':
      return doc.exact.get(field)?.[0] ?? null;
    default:
      if (field.startsWith('title.')) return (doc.text.get(field)?.[0] ?? null)?.toLowerCase() ?? null;
      return doc.exact.get(field)?.[0] ?? null;
  }
}

/** A facet field name as the registry accepts it (`metadata.predicate.literal.*` is rewritten to `literal_s`). */
export function facetField(raw: string): string {
  const field = raw.trim().replace(/^((?:related\.)?metadata\.predicate)\.literal\./, '$1.literal_s.');
  if (TEXT_FIELD.test(field) || !knownField(field)) throw new SolrError(`undefined field ${raw.trim()}`);
  return field;
}

/** Rdf types a search distinguishes (exported for the index's users). */
export const TYPES = T;

/** field → value → indexes of the documents that have it (exact fields only). */
export type InvertedIndex = Map<string, Map<string, number[]>>;

export function invert(docs: readonly SolrDoc[]): InvertedIndex {
  const index: InvertedIndex = new Map();
  docs.forEach((doc, i) => {
    for (const [field, values] of doc.exact) {
      let byValue = index.get(field);
      if (!byValue) {
        byValue = new Map();
        index.set(field, byValue);
      }
      for (const v of new Set(values)) {
        const list = byValue.get(v);
        if (list) list.push(i);
        else byValue.set(v, [i]);
      }
    }
  });
  return index;
}

/**
 * The documents that can match at all, from the exact-field clauses every match needs (an AND's
 * plain exact terms, an OR of them); null when the query gives no such clause (scan everything).
 * Only narrows: `matches` still decides.
 */
export function candidates(node: QueryNode, index: InvertedIndex): Set<number> | null {
  const exactTerm = (n: QueryNode): number[] | null =>
    n.kind === 'term' && !n.wildcard && !TEXT_FIELD.test(n.field) && !DATE_FIELD.test(n.field)
      ? (index.get(n.field)?.get(n.value) ?? [])
      : null;
  const direct = exactTerm(node);
  if (direct) return new Set(direct);
  if (node.kind === 'or') {
    const lists = node.items.map(exactTerm);
    if (lists.some((l) => l === null)) return null;
    return new Set(lists.flatMap((l) => l!));
  }
  if (node.kind === 'and') {
    let best: Set<number> | null = null;
    for (const item of node.items) {
      if (item.kind === 'not') continue;
      const c = candidates(item, index);
      if (c && (best === null || c.size < best.size)) best = c;
    }
    return best;
  }
  return null;
}
