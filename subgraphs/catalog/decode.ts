/**
 * Decoders from the registry's RDF/JSON answers to our DTOs. Personal data is dropped here, while
 * parsing, so it never reaches the cache (the kit caches what `parse` returns), logs or clients:
 *  - contact points keep only an organisation's name (`vcard:Organization`'s `fn`, or any contact's
 *    `organization-name`); a person's name (`fn` of a `vcard:Individual` or an untyped contact) and
 *    every e-mail address and telephone number are never read;
 *  - publishers keep their `foaf:name` unless they are people (`foaf:Person`, publisher type
 *    PrivateIndividual(s)); `foaf:mbox` is never read.
 */
import {
  expectArray,
  expectObject,
  isObject,
  type Json,
  looseNumber,
  ShapeError,
} from '../../kit/validate.ts';
import { FACET_FIELDS } from './query.ts';
import {
  asGraph,
  entrySubjectOf,
  firstLiteral,
  type LangText,
  langText,
  literals,
  NS,
  objects,
  P,
  type RdfGraph,
  resourceOf,
  T,
  taggedLiterals,
  typesOf,
  uris,
  values,
} from './rdf.ts';

/** A contact point, organisation only. */
export interface ContactModel {
  /** The organisation's name (e.g. "Statistikservice"); null when the contact names only a person. */
  organisation: string | null;
  kind: 'ORGANIZATION' | 'INDIVIDUAL' | 'UNKNOWN';
}

export interface PeriodModel {
  start: string | null;
  end: string | null;
}

export interface LocationModel {
  uri: string | null;
  name: string | null;
  bbox: string | null;
}

/** A catalogued dataset or data service, as read from its own subject in an entry's metadata graph. */
export interface DatasetModel {
  /** `{contextId}_{entryId}`, the registry's key (the portal's page id). */
  id: string;
  contextId: string;
  entryId: string;
  /** The publisher's own URI for the dataset (the RDF subject). */
  resourceUri: string | null;
  kind: 'DATASET' | 'DATA_SERVICE' | null;
  types: string[];
  title: LangText | null;
  description: LangText | null;
  publisherUris: string[];
  themes: string[];
  highValueCategories: string[];
  keywords: Array<{ value: string; lang: string | null }>;
  license: string | null;
  accessRights: string | null;
  accrualPeriodicity: string | null;
  temporal: PeriodModel[];
  spatial: LocationModel[];
  landingPages: string[];
  identifiers: string[];
  /** `dcterms:format` values on the dataset itself (media-type literals or file-type URIs). */
  formats: string[];
  distributionUris: string[];
  endpointUrls: string[];
  endpointDescriptions: string[];
  servesDatasets: string[];
  servedByDataServices: string[];
  conformsTo: string[];
  /** The contact point, when its node is in this graph; `undefined` when only its URI is (search hits). */
  contactPoint: ContactModel | null | undefined;
  /** URIs of contact points that are separate entries (looked up when asked for). */
  contactUris: string[];
  /** `dcterms:modified` as the publisher gives it. */
  publisherModified: string | null;
  issued: string | null;
  /** The registry's own entry dates: when the harvest created and last changed the entry. */
  registryCreated: string | null;
  registryModified: string | null;
}

export interface DistributionModel {
  uri: string;
  title: LangText | null;
  description: LangText | null;
  /** `dcterms:format` values (media-type literals or file-type URIs). */
  formats: string[];
  mediaType: string | null;
  accessUrls: string[];
  downloadUrls: string[];
  license: string | null;
  accessServices: string[];
}

/** Publisher names found in a graph, by publisher URI (people omitted). */
export type PublisherNames = Record<string, LangText | null>;

/** A dataset with what `recursive=dcat` brings along: distributions and the publisher's name. */
export interface DatasetDetail {
  dataset: DatasetModel;
  distributions: DistributionModel[];
  publishers: PublisherNames;
}

export interface FacetValueModel {
  value: string;
  count: number;
}

export interface SearchResultModel {
  total: number;
  offset: number;
  limit: number;
  items: DatasetModel[];
  /** By our facet name (publishers, themes, formats, highValueCategories); empty lists when not asked. */
  facets: Record<keyof typeof FACET_FIELDS, FacetValueModel[]>;
}

export interface EntryInfoModel {
  resourceUri: string;
  registryCreated: string | null;
  registryModified: string | null;
}

export interface CatalogStatisticsModel {
  date: string | null;
  datasetCount: number | null;
  publicDatasetCount: number | null;
  publicSectorDatasetCount: number | null;
  otherDatasetCount: number | null;
}

const PERSON_PUBLISHER_TYPES = [
  'http://purl.org/adms/publishertype/PrivateIndividual',
  'http://purl.org/adms/publishertype/PrivateIndividual(s)',
];

/** Contact point node → organisation only (see the module comment). */
export function decodeContact(graph: RdfGraph, subject: string): ContactModel {
  const types = typesOf(graph, subject);
  const orgName = firstLiteral(graph, subject, P.vcardOrganizationName);
  if (types.includes(T.VcardOrganization)) {
    return { organisation: firstLiteral(graph, subject, P.vcardFn) ?? orgName, kind: 'ORGANIZATION' };
  }
  // An individual's or untyped contact's fn is a person's name (or may be): never passed on.
  return { organisation: orgName, kind: types.includes(T.VcardIndividual) ? 'INDIVIDUAL' : 'UNKNOWN' };
}

/** A publisher agent's name, unless the agent is a person. */
export function decodePublisherName(graph: RdfGraph, subject: string): LangText | null {
  const types = typesOf(graph, subject);
  const publisherTypes = uris(graph, subject, P.publisherType);
  if (types.includes(`${NS.foaf}Person`) || publisherTypes.some((t) => PERSON_PUBLISHER_TYPES.includes(t)))
    return null;
  return langText(graph, subject, P.foafName);
}

function dateOf(graph: RdfGraph, subject: string, predicates: string[]): string | null {
  for (const p of predicates) {
    const v = firstLiteral(graph, subject, p);
    if (v) return v;
  }
  return null;
}

/** Decodes the dataset (or data service) whose subject is `resource` in `graph`. */
export function decodeDataset(
  graph: RdfGraph,
  resource: string,
  entry: { contextId: string; entryId: string; info?: RdfGraph | undefined },
): DatasetModel {
  if (!graph[resource])
    throw new ShapeError(`metadata: the entry's resource ${resource} is not a subject of its metadata graph`);
  const types = typesOf(graph, resource);
  const kind = types.includes(T.Dataset) ? 'DATASET' : types.includes(T.DataService) ? 'DATA_SERVICE' : null;
  const contactRefs = objects(graph, resource, P.contactPoint);
  const contactInGraph = contactRefs.find((c) => graph[c] !== undefined);
  const infoNode = entry.info ? entrySubjectOf(entry.info, entry.contextId, entry.entryId) : null;
  const temporal = objects(graph, resource, P.temporal)
    .filter((t) => graph[t])
    .map((t) => ({
      start: dateOf(graph, t, [P.startDate, P.schemaStartDate]),
      end: dateOf(graph, t, [P.endDate, P.schemaEndDate]),
    }))
    .filter((p) => p.start !== null || p.end !== null);
  const spatial = values(graph, resource, P.spatial).map((v): LocationModel => {
    const node = graph[v.value];
    const name = node
      ? (langText(graph, v.value, P.geographicName)?.text ??
        langText(graph, v.value, P.prefLabel)?.text ??
        langText(graph, v.value, P.rdfsLabel)?.text ??
        null)
      : null;
    return {
      uri: v.type === 'uri' ? v.value : null,
      name,
      bbox: node ? firstLiteral(graph, v.value, P.bbox) : null,
    };
  });
  return {
    id: `${entry.contextId}_${entry.entryId}`,
    contextId: entry.contextId,
    entryId: entry.entryId,
    resourceUri: resource,
    kind,
    types,
    title: langText(graph, resource, P.title),
    description: langText(graph, resource, P.description),
    publisherUris: uris(graph, resource, P.publisher),
    themes: uris(graph, resource, P.theme),
    highValueCategories: uris(graph, resource, P.hvdCategory),
    keywords: taggedLiterals(graph, resource, P.keyword),
    license: uris(graph, resource, P.license)[0] ?? null,
    accessRights: uris(graph, resource, P.accessRights)[0] ?? null,
    accrualPeriodicity: uris(graph, resource, P.accrualPeriodicity)[0] ?? null,
    temporal,
    spatial,
    landingPages: uris(graph, resource, P.landingPage),
    identifiers: literals(graph, resource, P.identifier).map((v) => v.value),
    formats: [...new Set(values(graph, resource, P.format).map((v) => v.value))],
    distributionUris: objects(graph, resource, P.distribution),
    endpointUrls: uris(graph, resource, P.endpointURL),
    endpointDescriptions: uris(graph, resource, P.endpointDescription),
    servesDatasets: uris(graph, resource, P.servesDataset),
    servedByDataServices: uris(graph, resource, P.servedByDataService),
    conformsTo: uris(graph, resource, P.conformsTo),
    contactUris: contactRefs.filter((c) => !c.startsWith('_:')),
    contactPoint:
      contactInGraph !== undefined
        ? decodeContact(graph, contactInGraph)
        : contactRefs.length === 0
          ? null
          : undefined,
    publisherModified: firstLiteral(graph, resource, P.modified),
    issued: firstLiteral(graph, resource, P.issued),
    registryCreated: infoNode && entry.info ? firstLiteral(entry.info, infoNode, P.created) : null,
    registryModified: infoNode && entry.info ? firstLiteral(entry.info, infoNode, P.modified) : null,
  };
}

export function decodeDistribution(graph: RdfGraph, subject: string): DistributionModel {
  const mediaTypes = values(graph, subject, P.mediaType).map((v) => v.value);
  const formats = [...new Set(values(graph, subject, P.format).map((v) => v.value))];
  return {
    uri: subject,
    title: langText(graph, subject, P.title),
    description: langText(graph, subject, P.description),
    formats,
    mediaType: mediaTypes[0] ?? formats.find((f) => /^[a-z]+\/[a-z0-9.+\-_]+$/i.test(f)) ?? null,
    accessUrls: uris(graph, subject, P.accessURL),
    downloadUrls: uris(graph, subject, P.downloadURL),
    license: uris(graph, subject, P.license)[0] ?? null,
    accessServices: uris(graph, subject, P.accessService),
  };
}

/** `GET /store/search` → hits, total and facets. */
export function decodeSearch(json: unknown): SearchResultModel {
  const body = expectObject(json, 'search');
  const total = looseNumber(body['results']);
  if (total === null) throw new ShapeError('search.results: expected the hit count');
  const resource = expectObject(body['resource'], 'search.resource');
  const children = expectArray(resource['children'], 'search.resource.children');
  const items: DatasetModel[] = [];
  children.forEach((raw, i) => {
    const child = expectObject(raw, `search.resource.children[${i}]`);
    const decoded = decodeChild(child, `search.resource.children[${i}]`);
    if (decoded) items.push(decoded);
  });
  const facets: SearchResultModel['facets'] = {
    publishers: [],
    themes: [],
    formats: [],
    highValueCategories: [],
  };
  const rawFacets = Array.isArray(body['facetFields']) ? body['facetFields'] : [];
  for (const f of rawFacets) {
    if (!isObject(f) || typeof f['name'] !== 'string' || !Array.isArray(f['values'])) continue;
    const ours = (Object.entries(FACET_FIELDS) as Array<[keyof typeof FACET_FIELDS, string]>).find(
      ([, field]) => field === f['name'],
    )?.[0];
    if (!ours) continue;
    facets[ours] = (f['values'] as unknown[]).flatMap((v) =>
      isObject(v) && typeof v['name'] === 'string' && looseNumber(v['count']) !== null
        ? [{ value: v['name'], count: looseNumber(v['count'])! }]
        : [],
    );
  }
  return {
    total,
    offset: looseNumber(body['offset']) ?? 0,
    limit: looseNumber(body['limit']) ?? items.length,
    items,
    facets,
  };
}

function decodeChild(child: Json, path: string): DatasetModel | null {
  const contextId = String(child['contextId'] ?? '');
  const entryId = String(child['entryId'] ?? '');
  if (!/^[A-Za-z0-9_-]+$/.test(contextId) || !/^[A-Za-z0-9_-]+$/.test(entryId))
    throw new ShapeError(`${path}: expected contextId and entryId`);
  const info = asGraph(child['info'] ?? {}, `${path}.info`);
  // Reference entries carry their (cached) metadata under another key.
  const metadata = asGraph(child['metadata'] ?? child['cached-external-metadata'] ?? {}, `${path}.metadata`);
  const resource = resourceOf(info, contextId, entryId);
  if (!resource || !metadata[resource]) return null;
  return decodeDataset(metadata, resource, { contextId, entryId, info });
}

/** An entry found by its resource URI: a publisher agent, a contact point or a distribution. */
export type ResourceModel =
  | { kind: 'agent'; name: LangText | null }
  | { kind: 'contact'; contact: ContactModel }
  | { kind: 'distribution'; distribution: DistributionModel }
  | { kind: 'service'; endpointUrls: string[]; endpointDescriptions: string[] }
  | { kind: 'other' };

/** Decodes one entry's resource node by its type (personal data dropped, see the module comment). */
export function decodeResource(graph: RdfGraph, uri: string): ResourceModel {
  const types = typesOf(graph, uri);
  if (types.includes(T.Distribution))
    return { kind: 'distribution', distribution: decodeDistribution(graph, uri) };
  if (types.includes(T.DataService))
    return {
      kind: 'service',
      endpointUrls: uris(graph, uri, P.endpointURL),
      endpointDescriptions: uris(graph, uri, P.endpointDescription),
    };
  if (types.some((t) => t.startsWith(NS.vcard)))
    return { kind: 'contact', contact: decodeContact(graph, uri) };
  if (types.some((t) => t.startsWith(NS.foaf)) || values(graph, uri, P.foafName).length > 0)
    return { kind: 'agent', name: decodePublisherName(graph, uri) };
  return { kind: 'other' };
}

/** A `resource:(…)` look-up (publishers' agents, contact points, distributions): URI → decoded entry. */
export function decodeResources(json: unknown): Record<string, ResourceModel> {
  const body = expectObject(json, 'search');
  const resource = expectObject(body['resource'], 'search.resource');
  const out: Record<string, ResourceModel> = {};
  expectArray(resource['children'], 'search.resource.children').forEach((raw, i) => {
    const child = expectObject(raw, `search.resource.children[${i}]`);
    const info = asGraph(child['info'] ?? {}, 'info');
    const metadata = asGraph(child['metadata'] ?? {}, 'metadata');
    const uri = resourceOf(info, String(child['contextId']), String(child['entryId']));
    if (uri && metadata[uri] && !out[uri]) out[uri] = decodeResource(metadata, uri);
  });
  return out;
}

/** Publisher agents found by a `resource:(…)` look-up: URI → name (people: null). */
export function decodeAgents(json: unknown): PublisherNames {
  const out: PublisherNames = {};
  for (const [uri, r] of Object.entries(decodeResources(json))) if (r.kind === 'agent') out[uri] = r.name;
  return out;
}

/** `GET /store/{ctx}/entry/{id}?format=application/rdf+json` → the entry's resource and registry dates. */
export function decodeEntry(json: unknown, contextId: string, entryId: string): EntryInfoModel {
  const info = asGraph(json, 'entry');
  const subject = entrySubjectOf(info, contextId, entryId);
  const resourceUri = resourceOf(info, contextId, entryId);
  if (!subject || !resourceUri) throw new ShapeError(`entry: no entry node for ${contextId}/${entryId}`);
  return {
    resourceUri,
    registryCreated: firstLiteral(info, subject, P.created),
    registryModified: firstLiteral(info, subject, P.modified),
  };
}

/**
 * `GET /store/{ctx}/metadata/{id}?recursive=dcat` → the dataset, its distributions (those whose
 * nodes came along) and its publishers' names. The dataset's subject comes from the entry.
 */
export function decodeRecursive(
  json: unknown,
  entry: EntryInfoModel,
  contextId: string,
  entryId: string,
): DatasetDetail {
  const graph = asGraph(json, 'metadata');
  const dataset = decodeDataset(graph, entry.resourceUri, { contextId, entryId });
  dataset.registryCreated = entry.registryCreated;
  dataset.registryModified = entry.registryModified;
  const distributions = dataset.distributionUris
    .filter((d) => graph[d] !== undefined)
    .map((d) => decodeDistribution(graph, d));
  const publishers: PublisherNames = {};
  for (const p of dataset.publisherUris) if (graph[p]) publishers[p] = decodePublisherName(graph, p);
  return { dataset, distributions, publishers };
}

/** The newest CatalogStatistics search → its counts. */
export function decodeStatistics(json: unknown): CatalogStatisticsModel | null {
  const body = expectObject(json, 'search');
  const resource = expectObject(body['resource'], 'search.resource');
  const [first] = expectArray(resource['children'], 'search.resource.children');
  if (first === undefined) return null;
  const child = expectObject(first, 'search.resource.children[0]');
  const info = asGraph(child['info'] ?? {}, 'info');
  const metadata = asGraph(child['metadata'] ?? {}, 'metadata');
  const uri = resourceOf(info, String(child['contextId']), String(child['entryId']));
  if (!uri || !metadata[uri]) throw new ShapeError('statistics: the entry resource is not in its metadata');
  const int = (name: string) => looseNumber(firstLiteral(metadata, uri, `${NS.stats}${name}`));
  return {
    date: firstLiteral(metadata, uri, `${NS.dcterms}date`),
    datasetCount: int('residentDatasetCount'),
    publicDatasetCount: int('residentPublicDatasetCount'),
    publicSectorDatasetCount: int('psiDatasetCount'),
    otherDatasetCount: int('otherDatasetCount'),
  };
}
