/**
 * RDF/JSON as the registry (EntryStore) sends it, and the vocabulary of DCAT-AP-SE we read from it.
 *
 * RDF/JSON: `{ "<subject>": { "<predicate>": [ { type, value, lang?, datatype? } ] } }`; subjects are
 * URIs or `_:` blank nodes, and one graph holds many subjects (a search hit 30–40: the dataset,
 * profiles, standards, documents, blank nodes). The dataset is never "the first key": it is the
 * subject named by the entry's `http://entrystore.org/terms/resource` (see `resourceOf`).
 */
import { createHash } from 'node:crypto';
import { isObject, ShapeError } from '../../kit/validate.ts';

/** One RDF/JSON object value. */
export interface RdfValue {
  type: 'uri' | 'literal' | 'bnode';
  value: string;
  lang?: string;
  datatype?: string;
}

/** predicate → values, for one subject. */
export type RdfNode = Record<string, RdfValue[]>;
/** subject → node. */
export type RdfGraph = Record<string, RdfNode>;

/** Namespaces (full URIs: RDF/JSON never abbreviates). */
export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  dcterms: 'http://purl.org/dc/terms/',
  dcat: 'http://www.w3.org/ns/dcat#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  locn: 'http://www.w3.org/ns/locn#',
  schema: 'http://schema.org/',
  dcatap: 'http://data.europa.eu/r5r/',
  es: 'http://entrystore.org/terms/',
  esterms: 'http://entryscape.com/terms/',
  stats: 'http://entrystore.org/terms/statistics#',
} as const;

/** The predicates we read or filter on. */
export const P = {
  type: `${NS.rdf}type`,
  title: `${NS.dcterms}title`,
  description: `${NS.dcterms}description`,
  publisher: `${NS.dcterms}publisher`,
  keyword: `${NS.dcat}keyword`,
  theme: `${NS.dcat}theme`,
  format: `${NS.dcterms}format`,
  mediaType: `${NS.dcat}mediaType`,
  license: `${NS.dcterms}license`,
  modified: `${NS.dcterms}modified`,
  issued: `${NS.dcterms}issued`,
  created: `${NS.dcterms}created`,
  hvdCategory: `${NS.dcatap}hvdCategory`,
  accessRights: `${NS.dcterms}accessRights`,
  accrualPeriodicity: `${NS.dcterms}accrualPeriodicity`,
  subject: `${NS.dcterms}subject`,
  conformsTo: `${NS.dcterms}conformsTo`,
  inSeries: `${NS.dcat}inSeries`,
  publisherType: `${NS.dcterms}type`,
  distribution: `${NS.dcat}distribution`,
  accessURL: `${NS.dcat}accessURL`,
  downloadURL: `${NS.dcat}downloadURL`,
  endpointURL: `${NS.dcat}endpointURL`,
  endpointDescription: `${NS.dcat}endpointDescription`,
  servesDataset: `${NS.dcat}servesDataset`,
  accessService: `${NS.dcat}accessService`,
  contactPoint: `${NS.dcat}contactPoint`,
  landingPage: `${NS.dcat}landingPage`,
  spatial: `${NS.dcterms}spatial`,
  temporal: `${NS.dcterms}temporal`,
  language: `${NS.dcterms}language`,
  identifier: `${NS.dcterms}identifier`,
  foafName: `${NS.foaf}name`,
  foafMbox: `${NS.foaf}mbox`,
  startDate: `${NS.dcat}startDate`,
  endDate: `${NS.dcat}endDate`,
  schemaStartDate: `${NS.schema}startDate`,
  schemaEndDate: `${NS.schema}endDate`,
  bbox: `${NS.dcat}bbox`,
  geographicName: `${NS.locn}geographicName`,
  prefLabel: 'http://www.w3.org/2004/02/skos/core#prefLabel',
  rdfsLabel: `${NS.rdfs}label`,
  vcardFn: `${NS.vcard}fn`,
  vcardOrganizationName: `${NS.vcard}organization-name`,
  vcardHasEmail: `${NS.vcard}hasEmail`,
  servedByDataService: `${NS.esterms}servedByDataService`,
  esResource: `${NS.es}resource`,
  esMetadata: `${NS.es}metadata`,
} as const;

/** rdf:type values. */
export const T = {
  Dataset: `${NS.dcat}Dataset`,
  DataService: `${NS.dcat}DataService`,
  Distribution: `${NS.dcat}Distribution`,
  IndependentDataService: `${NS.esterms}IndependentDataService`,
  ServedByDataService: `${NS.esterms}ServedByDataService`,
  Agent: `${NS.foaf}Agent`,
  Organization: `${NS.foaf}Organization`,
  VcardOrganization: `${NS.vcard}Organization`,
  VcardIndividual: `${NS.vcard}Individual`,
  VcardKind: `${NS.vcard}Kind`,
  Location: `${NS.dcterms}Location`,
  PeriodOfTime: `${NS.dcterms}PeriodOfTime`,
  CatalogStatistics: `${NS.stats}CatalogStatistics`,
  Link: `${NS.es}Link`,
} as const;

/**
 * The Solr field-name hash of a predicate: the first 8 hex characters of MD5 over the full predicate
 * URI (EntryStore's `SolrSearchIndex`, entrystore.js `shorten()`). Computed, never copied: the
 * reference's table is what the tests check this against.
 */
export function predicateHash(predicate: string): string {
  let h = hashes.get(predicate);
  if (h === undefined) {
    h = createHash('md5').update(predicate, 'utf8').digest('hex').slice(0, 8);
    // Predicates are a small vocabulary: remembering them keeps indexing cheap.
    if (hashes.size < 10_000) hashes.set(predicate, h);
  }
  return h;
}
const hashes = new Map<string, string>();

/** Solr fields of the registry's index for a predicate (exact URI / exact literal / tokenised literal). */
export const solrField = {
  uri: (predicate: string) => `metadata.predicate.uri.${predicateHash(predicate)}`,
  literalExact: (predicate: string) => `metadata.predicate.literal_s.${predicateHash(predicate)}`,
  relatedLiteralExact: (predicate: string) =>
    `related.metadata.predicate.literal_s.${predicateHash(predicate)}`,
};

/** Checks that a value is an RDF/JSON graph; throws a ShapeError naming the first bad path. */
export function asGraph(value: unknown, path: string): RdfGraph {
  if (!isObject(value)) throw new ShapeError(`${path}: expected an RDF/JSON graph (object)`);
  for (const [subject, node] of Object.entries(value)) {
    if (!isObject(node)) throw new ShapeError(`${path}["${subject}"]: expected an object of predicates`);
    for (const [predicate, values] of Object.entries(node)) {
      if (!Array.isArray(values))
        throw new ShapeError(`${path}["${subject}"]["${predicate}"]: expected an array of values`);
      for (const v of values) {
        if (!isObject(v) || typeof v['value'] !== 'string' || typeof v['type'] !== 'string') {
          throw new ShapeError(
            `${path}["${subject}"]["${predicate}"]: expected {type, value} objects (RDF/JSON)`,
          );
        }
      }
    }
  }
  return value as RdfGraph;
}

/** Every value of `predicate` on `subject`. */
export function values(graph: RdfGraph, subject: string, predicate: string): RdfValue[] {
  return graph[subject]?.[predicate] ?? [];
}

/** URI (or blank-node) objects of `predicate` on `subject`, in order, without duplicates. */
export function objects(graph: RdfGraph, subject: string, predicate: string): string[] {
  return unique(
    values(graph, subject, predicate)
      .filter((v) => v.type === 'uri' || v.type === 'bnode')
      .map((v) => v.value),
  );
}

/** URI objects only (blank nodes excluded). */
export function uris(graph: RdfGraph, subject: string, predicate: string): string[] {
  return unique(
    values(graph, subject, predicate)
      .filter((v) => v.type === 'uri')
      .map((v) => v.value),
  );
}

/** Literal values of `predicate` on `subject`. */
export function literals(graph: RdfGraph, subject: string, predicate: string): RdfValue[] {
  return values(graph, subject, predicate).filter((v) => v.type === 'literal');
}

/** The first literal of `predicate` (any language), or null. */
export function firstLiteral(graph: RdfGraph, subject: string, predicate: string): string | null {
  return literals(graph, subject, predicate)[0]?.value ?? null;
}

/** The rdf:types of a subject. */
export function typesOf(graph: RdfGraph, subject: string): string[] {
  return uris(graph, subject, P.type);
}

/** A language-tagged text: Swedish and English where given, and what a reader should see. */
export interface LangText {
  sv: string | null;
  en: string | null;
  /** Swedish if given, else English, else an untagged (or other-language) value. */
  text: string | null;
}

/**
 * Language-tagged literals → Swedish, English and a preferred text. Tags compare case-insensitively
 * and by primary subtag (`sv-SE` is Swedish); the first literal per language wins (EntryStore's
 * `title.xx` index does the same).
 */
export function langText(graph: RdfGraph, subject: string, predicate: string): LangText | null {
  const found = literals(graph, subject, predicate).filter((v) => v.value.trim() !== '');
  if (found.length === 0) return null;
  const byLang = (lang: string) =>
    found.find((v) => (v.lang ?? '').toLowerCase().split('-')[0] === lang)?.value ?? null;
  const sv = byLang('sv');
  const en = byLang('en');
  const untagged = found.find((v) => !v.lang)?.value ?? null;
  return { sv, en, text: sv ?? en ?? untagged ?? found[0]!.value };
}

/** Every language-tagged literal of `predicate` as { value, lang }, duplicates (same value and lang) removed. */
export function taggedLiterals(
  graph: RdfGraph,
  subject: string,
  predicate: string,
): Array<{ value: string; lang: string | null }> {
  const seen = new Set<string>();
  const out: Array<{ value: string; lang: string | null }> = [];
  for (const v of literals(graph, subject, predicate)) {
    const lang = v.lang ? v.lang.toLowerCase() : null;
    const key = `${lang ?? ''}\u0000${v.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ value: v.value, lang });
  }
  return out;
}

/**
 * The subject an entry describes: `http://entrystore.org/terms/resource` of the entry's own node in
 * its `info` graph. The entry node is the subject ending in `/{contextId}/entry/{entryId}` (the host
 * part is the registry's own base URI); failing that, the one node that names a resource.
 */
export function resourceOf(info: RdfGraph, contextId?: string, entryId?: string): string | null {
  const suffix = contextId !== undefined && entryId !== undefined ? `/${contextId}/entry/${entryId}` : null;
  const entrySubject =
    (suffix ? Object.keys(info).find((s) => s.endsWith(suffix)) : undefined) ??
    (() => {
      const naming = Object.keys(info).filter((s) => uris(info, s, P.esResource).length > 0);
      return naming.length === 1 ? naming[0] : undefined;
    })();
  if (!entrySubject) return null;
  return uris(info, entrySubject, P.esResource)[0] ?? null;
}

/** The entry node of an `info` graph (see `resourceOf`). */
export function entrySubjectOf(info: RdfGraph, contextId: string, entryId: string): string | null {
  const suffix = `/${contextId}/entry/${entryId}`;
  return Object.keys(info).find((s) => s.endsWith(suffix)) ?? null;
}

/** The last path segment (or fragment) of a URI: `…/data-theme/TRAN` → `TRAN`. */
export function lastSegment(uri: string): string {
  const cut = uri.replace(/[/#]+$/, '');
  return cut.slice(Math.max(cut.lastIndexOf('/'), cut.lastIndexOf('#')) + 1);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
