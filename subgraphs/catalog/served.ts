/**
 * Which catalogued datasets the graph itself serves. Each agency keeps that mapping in its own
 * subgraph folder, `subgraphs/<name>/catalog-datasets.json` (read here by convention), so the agency
 * that owns a subgraph also owns the statement of what it serves. The files hold no secrets and no
 * personal data; they are read once per process.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** How a rule recognises one of the agency's catalogued datasets. Every key given must match. */
export interface ServedMatch {
  /** `dcterms:identifier` equals this (e.g. SCB's table id "TAB638"). */
  identifier?: string;
  /** `dcterms:identifier` matches this regular expression (e.g. "^TAB\\d+$"). */
  identifierPattern?: string;
  /** The dataset's own URI (the RDF subject the publisher gave it). */
  resource?: string;
  /** The dataset's own URI starts with this. */
  resourcePrefix?: string;
  /** A `dcat:landingPage` starts with this. */
  landingPagePrefix?: string;
  /** A data service's `dcat:endpointURL` starts with this. */
  endpointUrlPrefix?: string;
  /** The Swedish or English title matches this regular expression (case-insensitive). */
  titlePattern?: string;
}

/** One rule: catalogued datasets it recognises, and the graph fields (`Type.field`) that serve them. */
export interface ServedRule {
  /** What the rule covers, for people (README, usage insights). */
  title: string;
  match: ServedMatch;
  /** Schema coordinates of the API schema, e.g. "Municipality.population". */
  fields: string[];
  note?: string;
}

/** The mapping file of one agency. */
export interface AgencyCatalogMapping {
  /** The `AgencyId` enum value, e.g. "SCB". */
  agencyId: string;
  /** The subgraph folder the file lives in (= the subgraph's name), e.g. "scb". */
  subgraph: string;
  /** The agency's name as the catalogue gives it. */
  name: string;
  /** Publisher URIs under which the catalogue lists the agency (some organisations have two). */
  publishers: string[];
  /** A recorded count of the agency's catalogued datasets (with its date and source), if known. */
  catalogued: { datasets: number; asOf: string; source: string } | null;
  served: ServedRule[];
}

/** The fields of a catalogued dataset a rule can look at. */
export interface MatchableDataset {
  resourceUri: string | null;
  identifiers: readonly string[];
  landingPages: readonly string[];
  endpointUrls: readonly string[];
  title: { sv: string | null; en: string | null; text: string | null } | null;
}

const MATCH_KEYS: ReadonlyArray<keyof ServedMatch> = [
  'identifier',
  'identifierPattern',
  'resource',
  'resourcePrefix',
  'landingPagePrefix',
  'endpointUrlPrefix',
  'titlePattern',
];

/** `subgraphs/` (the folder this subgraph's folder lives in). */
const SUBGRAPHS_DIR = fileURLToPath(new URL('..', import.meta.url));
export const MAPPING_FILE = 'catalog-datasets.json';

/** Validates one mapping file; throws naming the file and what is wrong. */
export function parseMapping(raw: unknown, subgraph: string, file = `subgraphs/${subgraph}/${MAPPING_FILE}`) {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('expected a JSON object');
  const o = raw as Record<string, unknown>;
  const agencyId = o['agencyId'];
  if (typeof agencyId !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(agencyId))
    fail('"agencyId" must be the AgencyId enum value, upper case (e.g. "SCB")');
  const name = o['name'];
  if (typeof name !== 'string' || name.trim() === '') fail('"name" must be the agency name');
  const publishers = o['publishers'];
  if (
    !Array.isArray(publishers) ||
    publishers.length === 0 ||
    publishers.some((p) => typeof p !== 'string' || !/^https?:\/\//.test(p))
  )
    fail('"publishers" must list the publisher URIs (http:// or https://)');
  let catalogued: AgencyCatalogMapping['catalogued'] = null;
  if (o['catalogued'] !== undefined && o['catalogued'] !== null) {
    const c = o['catalogued'] as Record<string, unknown>;
    if (typeof c['datasets'] !== 'number' || typeof c['asOf'] !== 'string' || typeof c['source'] !== 'string')
      fail('"catalogued" must be { "datasets": number, "asOf": string, "source": string }');
    catalogued = {
      datasets: c['datasets'] as number,
      asOf: c['asOf'] as string,
      source: c['source'] as string,
    };
  }
  const served = o['served'];
  if (!Array.isArray(served)) fail('"served" must be an array of rules');
  const rules = (served as unknown[]).map((r, i): ServedRule => {
    const where = `served[${i}]`;
    if (typeof r !== 'object' || r === null) fail(`${where} must be an object`);
    const rule = r as Record<string, unknown>;
    if (typeof rule['title'] !== 'string') fail(`${where}.title must be a string`);
    const match = rule['match'] as Record<string, unknown> | undefined;
    if (typeof match !== 'object' || match === null) fail(`${where}.match must be an object`);
    const keys = Object.keys(match!);
    const unknown = keys.filter((k) => !MATCH_KEYS.includes(k as keyof ServedMatch));
    if (keys.length === 0 || unknown.length > 0)
      fail(
        `${where}.match must use one or more of ${MATCH_KEYS.join(', ')} (got ${keys.join(', ') || 'none'})`,
      );
    for (const k of keys) {
      if (typeof match![k] !== 'string' || match![k] === '')
        fail(`${where}.match.${k} must be a non-empty string`);
      if (k.endsWith('Pattern')) {
        try {
          new RegExp(match![k] as string);
        } catch {
          fail(`${where}.match.${k} is not a valid regular expression`);
        }
      }
    }
    const fields = rule['fields'];
    if (
      !Array.isArray(fields) ||
      fields.length === 0 ||
      fields.some((f) => typeof f !== 'string' || !/^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/.test(f))
    )
      fail(`${where}.fields must list schema coordinates like "Municipality.population"`);
    return {
      title: rule['title'] as string,
      match: match as ServedMatch,
      fields: fields as string[],
      ...(typeof rule['note'] === 'string' ? { note: rule['note'] as string } : {}),
    };
  });
  return {
    agencyId: agencyId as string,
    subgraph,
    name: name as string,
    publishers: publishers as string[],
    catalogued,
    served: rules,
  } satisfies AgencyCatalogMapping;
}

let loaded: AgencyCatalogMapping[] | undefined;

/**
 * Every agency's mapping: each `subgraphs/<name>/catalog-datasets.json`, in folder order. Read once.
 * Two files claiming one AgencyId, or a file that does not parse, fail loudly (a start-up error).
 */
export function agencyMappings(dir: string = SUBGRAPHS_DIR): readonly AgencyCatalogMapping[] {
  if (loaded && dir === SUBGRAPHS_DIR) return loaded;
  const out: AgencyCatalogMapping[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) continue;
    const file = `${dir}/${entry.name}/${MAPPING_FILE}`;
    if (!existsSync(file)) continue;
    const mapping = parseMapping(JSON.parse(readFileSync(file, 'utf8')), entry.name);
    const clash = out.find((m) => m.agencyId === mapping.agencyId);
    if (clash)
      throw new Error(
        `subgraphs/${entry.name}/${MAPPING_FILE} and subgraphs/${clash.subgraph}/${MAPPING_FILE} both claim agency ${mapping.agencyId}`,
      );
    out.push(mapping);
  }
  if (dir === SUBGRAPHS_DIR) loaded = out;
  return out;
}

/** The mapping of an AgencyId, if an agency folder declares it. */
export function mappingFor(agencyId: string): AgencyCatalogMapping | undefined {
  return agencyMappings().find((m) => m.agencyId === agencyId);
}

/** The agency whose publisher URIs include one of these. */
export function mappingOfPublishers(publisherUris: readonly string[]): AgencyCatalogMapping | undefined {
  return agencyMappings().find((m) => m.publishers.some((p) => publisherUris.includes(p)));
}

const startsWithAny = (list: readonly string[], prefix: string) => list.some((v) => v.startsWith(prefix));

/** Whether a rule recognises this dataset: every key it gives must match. */
export function ruleMatches(rule: ServedRule, d: MatchableDataset): boolean {
  const m = rule.match;
  if (m.identifier !== undefined && !d.identifiers.includes(m.identifier)) return false;
  if (m.identifierPattern !== undefined) {
    const re = new RegExp(m.identifierPattern);
    if (!d.identifiers.some((i) => re.test(i))) return false;
  }
  if (m.resource !== undefined && d.resourceUri !== m.resource) return false;
  if (m.resourcePrefix !== undefined && !(d.resourceUri ?? '').startsWith(m.resourcePrefix)) return false;
  if (m.landingPagePrefix !== undefined && !startsWithAny(d.landingPages, m.landingPagePrefix)) return false;
  if (m.endpointUrlPrefix !== undefined && !startsWithAny(d.endpointUrls, m.endpointUrlPrefix)) return false;
  if (m.titlePattern !== undefined) {
    const re = new RegExp(m.titlePattern, 'i');
    if (![d.title?.sv, d.title?.en, d.title?.text].some((t) => typeof t === 'string' && re.test(t)))
      return false;
  }
  return true;
}

/** The rules of `mapping` that recognise the dataset, and the union of their fields (in rule order). */
export function servedBy(
  mapping: AgencyCatalogMapping | undefined,
  d: MatchableDataset,
): { rules: ServedRule[]; fields: string[] } {
  if (!mapping) return { rules: [], fields: [] };
  const rules = mapping.served.filter((r) => ruleMatches(r, d));
  return { rules, fields: [...new Set(rules.flatMap((r) => r.fields))] };
}
